/**
 * TLS for the client's connections (security.protocol SSL and SASL_SSL): the options a caller gives, turned
 * into `node:tls` connect options, and a handshake failure turned into an error that names its cause.
 *
 * Certificates and keys are PEM text rather than paths so the library never reads files itself (the CLI reads
 * them, src/cli/tools/client_config.ts) and works where there is no file system. The defaults are Kafka's:
 * the server's certificate must chain to a trusted CA (`ca`, else the runtime's own roots) and name the host
 * connected to (ssl.endpoint.identification.algorithm=https); `checkHostname: false` is Kafka's empty
 * algorithm, for certificates issued without the broker's address.
 *
 * A handshake that fails on the certificate is not retried: trying again meets the same certificate, and a
 * caller waiting 30 s for "connection closed" would not learn why. Such failures become a non-retriable
 * KafkaClientError saying what was wrong (untrusted, hostname mismatch, expired, our own certificate refused).
 */
import type * as tls from "node:tls";
import { ErrorCode } from "../protocol/errors.ts";
import { KafkaClientError } from "./errors.ts";

/** TLS settings of a client (Kafka's ssl.* client configs, PEM only). */
export interface TlsOptions {
  /** PEM certificates of the CAs to trust (ssl.truststore.certificates); the runtime's roots when absent. */
  ca?: string;
  /** PEM certificate chain presented for mutual TLS (ssl.keystore.certificate.chain). */
  cert?: string;
  /** PEM private key of `cert` (ssl.keystore.key). */
  key?: string;
  /** Password of an encrypted `key` (ssl.key.password). */
  keyPassword?: string;
  /** SNI name sent in the handshake and checked against the certificate (default: the host connected to). */
  servername?: string;
  /** Refuse a server certificate that does not chain to a trusted CA (default true). */
  rejectUnauthorized?: boolean;
  /** Check that the certificate names the host (Kafka's ssl.endpoint.identification.algorithm=https; default true). */
  checkHostname?: boolean;
}

const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

/** `node:tls` connect options for `host:port` under `options`. */
export function tlsConnectOptions(host: string, port: number, options: TlsOptions): tls.ConnectionOptions {
  const servername = options.servername ?? (IP_ADDRESS.test(host) ? undefined : host);
  const out: tls.ConnectionOptions = {
    host,
    port,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    // SNI may only carry a DNS name (RFC 6066 §3); an IP address is still checked against the certificate's
    // IP SANs by the identity check.
    ...(servername ? { servername } : {}),
  };
  if (options.ca !== undefined) out.ca = options.ca;
  if (options.cert !== undefined) out.cert = options.cert;
  if (options.key !== undefined) out.key = options.key;
  if (options.keyPassword !== undefined) out.passphrase = options.keyPassword;
  if (options.checkHostname === false) out.checkServerIdentity = () => undefined;
  return out;
}

/** OpenSSL's (Node's, Bun's) error codes for a refused server certificate. */
const CERTIFICATE_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is not signed by a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a trusted CA",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate is not signed by a trusted CA",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not yet valid",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name the host (hostname mismatch)",
};

/**
 * The non-retriable error for a TLS handshake with `address` refused over a certificate (ours or the
 * server's); undefined when `e` is something else (refused connection, reset), which stays retriable.
 */
export function certificateError(address: string, e: Error & { code?: string }): KafkaClientError | undefined {
  const cause = (e.code && CERTIFICATE_CODES[e.code]) || certificateCause(`${e.code ?? ""} ${e.message}`);
  if (!cause) return undefined;
  return new KafkaClientError(
    ErrorCode.NETWORK_EXCEPTION,
    `TLS handshake with ${address} failed: ${cause} (${e.message})`,
    false,
  );
}

/**
 * Runtimes word the same failures differently (Deno's TLS reports rustls' names, Bun and Node OpenSSL's), so
 * the message is matched as well as the code.
 */
function certificateCause(text: string): string | undefined {
  if (/NotValidForName|altname|Hostname\/IP does not match|hostname mismatch|not valid for name/i.test(text)) {
    return "the server's certificate does not name the host (hostname mismatch)";
  }
  if (
    /UnknownIssuer|unable to verify|unable to get (local )?issuer|self[- ]signed|certificate verify failed/i.test(text)
  ) {
    return "the server's certificate is not signed by a trusted CA";
  }
  if (/Expired|expired/.test(text)) return "the server's certificate has expired";
  if (
    /certificate required|CertificateRequired|alert.*certificate|bad certificate|BadCertificate|unknown ca|UnknownCA/i
      .test(text)
  ) {
    return "the server refused the client certificate (missing, or not signed by a CA it trusts)";
  }
  if (/bad decrypt|PEM|private key|key values mismatch|KEY_VALUES_MISMATCH|passphrase/i.test(text)) {
    return "the client key or certificate cannot be used (wrong key password, or key and certificate do not match)";
  }
  return undefined;
}
