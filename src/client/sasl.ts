/**
 * SASL authentication of a client connection (security.protocol SASL_PLAINTEXT and SASL_SSL), run by the
 * NetworkClient on every new connection after ApiVersions and before any other request, and again before the
 * session the broker granted runs out (KIP-368 re-authentication).
 *
 * The exchange is Kafka's since 1.0: SaslHandshake v1 names the mechanism, then the mechanism's messages
 * travel framed in SaslAuthenticate requests (the highest version both sides speak, v0–v2; v1+ answers with
 * the session lifetime). The older unframed v0 exchange is not spoken: every broker that offers SaslAuthenticate
 * accepts the framed one.
 *
 * Mechanisms: PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802/7677, sasl_scram.ts) and OAUTHBEARER (RFC 7628,
 * with a fixed token or a function fetching a fresh one for each authentication, so a re-authentication
 * presents a new token).
 *
 * Failures are not retriable: the broker's SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM and
 * ILLEGAL_SASL_STATE carry its message, and a server the client cannot verify (a SCRAM server signature that
 * does not match) fails the same way; retrying would meet the same credentials.
 */
import { ErrorCode } from "../protocol/errors.ts";
import * as saslAuthenticate from "../protocol/generated/sasl_authenticate.ts";
import * as saslHandshake from "../protocol/generated/sasl_handshake.ts";
import type { ClientApi } from "./apis.ts";
import { KafkaClientError } from "./errors.ts";
import { ScramClient } from "./sasl_scram.ts";

/** The SASL mechanisms the client speaks. */
export type SaslMechanismName = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER";

/** SASL settings of a client (Kafka's sasl.mechanism and the JAAS login module's options). */
export interface SaslOptions {
  /** sasl.mechanism. */
  mechanism: SaslMechanismName;
  /** The user name (PLAIN, SCRAM). */
  username?: string;
  /** The password (PLAIN, SCRAM). */
  password?: string;
  /** OAUTHBEARER: the token, or a function returning a fresh one (called for every authentication). */
  token?: string | (() => Promise<string>);
}

export const SASL_MECHANISMS: readonly SaslMechanismName[] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"];

/** The client side of one mechanism's exchange. */
export interface SaslClientMechanism {
  /** The first message. */
  start(): Promise<Uint8Array>;
  /** The next message after the server's `challenge`, or null when the exchange is complete. Throws to fail. */
  next(challenge: Uint8Array): Uint8Array | null;
}

/** Sends one request on the connection being authenticated and resolves with the decoded answer. */
export type SaslExchange = <Req, Res>(api: ClientApi<Req, Res>, version: number, body: Req) => Promise<Res>;

export const SaslApis = {
  SaslHandshake: {
    descriptor: saslHandshake.SASL_HANDSHAKE_API,
    maxVersion: 1,
    encode: saslHandshake.encodeSaslHandshakeRequest,
    decode: saslHandshake.decodeSaslHandshakeResponse,
  } as ClientApi<saslHandshake.SaslHandshakeRequest, saslHandshake.SaslHandshakeResponse>,
  SaslAuthenticate: {
    descriptor: saslAuthenticate.SASL_AUTHENTICATE_API,
    maxVersion: 2,
    encode: saslAuthenticate.encodeSaslAuthenticateRequest,
    decode: saslAuthenticate.decodeSaslAuthenticateResponse,
  } as ClientApi<saslAuthenticate.SaslAuthenticateRequest, saslAuthenticate.SaslAuthenticateResponse>,
};

/** Throws a TypeError when `options` lack what their mechanism needs. */
export function validateSaslOptions(options: SaslOptions): void {
  if (!SASL_MECHANISMS.includes(options.mechanism)) {
    throw new TypeError(`sasl.mechanism ${options.mechanism} is not one of ${SASL_MECHANISMS.join(", ")}`);
  }
  if (options.mechanism === "OAUTHBEARER") {
    if (options.token === undefined || options.token === "") throw new TypeError("OAUTHBEARER needs sasl.token");
  } else if (!options.username || options.password === undefined) {
    throw new TypeError(`${options.mechanism} needs sasl.username and sasl.password`);
  }
}

/**
 * Authenticates the connection behind `exchange` as `options` say. `versions` holds the broker's highest
 * SaslHandshake and SaslAuthenticate versions (-1 when absent). Resolves with the session lifetime the broker
 * granted in ms (0: none, the connection stays authenticated for good).
 */
export async function authenticate(
  exchange: SaslExchange,
  versions: { handshake: number; authenticate: number },
  options: SaslOptions,
  address: string,
): Promise<number> {
  if (versions.handshake < 1 || versions.authenticate < 0) {
    throw new KafkaClientError(
      ErrorCode.ILLEGAL_SASL_STATE,
      `broker ${address} does not offer SaslHandshake v1 and SaslAuthenticate (a broker older than Kafka 1.0)`,
      false,
    );
  }
  const hello = await exchange(SaslApis.SaslHandshake, 1, { mechanism: options.mechanism });
  if (hello.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    throw new KafkaClientError(
      hello.errorCode,
      `broker ${address} does not enable ${options.mechanism} (it enables: ${hello.mechanisms.join(", ") || "none"})`,
      false,
    );
  }
  if (hello.errorCode !== ErrorCode.NONE) {
    throw new KafkaClientError(hello.errorCode, `SaslHandshake with ${address} for ${options.mechanism}`, false);
  }
  const version = Math.min(versions.authenticate, SaslApis.SaslAuthenticate.maxVersion);
  const mechanism = clientMechanism(options);
  let token: Uint8Array | null = await mechanism.start();
  let lifetimeMs = 0;
  while (token !== null) {
    const answer = await exchange(SaslApis.SaslAuthenticate, version, { authBytes: token });
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new KafkaClientError(
        answer.errorCode,
        answer.errorMessage || `${options.mechanism} with ${address}`,
        false,
      );
    }
    lifetimeMs = Number(answer.sessionLifetimeMs);
    token = mechanism.next(answer.authBytes);
  }
  return lifetimeMs;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function clientMechanism(options: SaslOptions): SaslClientMechanism {
  switch (options.mechanism) {
    case "PLAIN":
      return plain(options.username!, options.password!);
    case "OAUTHBEARER":
      return oauthBearer(options.token!);
    default:
      return new ScramClient(options.mechanism, options.username!, options.password!);
  }
}

/** RFC 4616: one message, [authzid] NUL authcid NUL passwd; the server answers with nothing on success. */
function plain(username: string, password: string): SaslClientMechanism {
  return {
    start: () => Promise.resolve(encoder.encode(`\u0000${username}\u0000${password}`)),
    next: () => null,
  };
}

/**
 * RFC 7628's client-initial response (GS2 header without an authorization id, then `auth=Bearer <token>`
 * between ^A separators). A server refusing the token answers with a JSON error challenge that the client must
 * acknowledge with a lone ^A (§3.2.3) before the server fails the exchange with its message.
 */
function oauthBearer(token: string | (() => Promise<string>)): SaslClientMechanism {
  let acknowledged = false;
  return {
    async start() {
      const value = typeof token === "string" ? token : await token();
      return encoder.encode(`n,,\u0001auth=Bearer ${value}\u0001\u0001`);
    },
    next(challenge) {
      if (challenge.byteLength === 0) return null;
      if (acknowledged) {
        throw new KafkaClientError(
          ErrorCode.SASL_AUTHENTICATION_FAILED,
          `OAUTHBEARER: unexpected server message ${decoder.decode(challenge)}`,
          false,
        );
      }
      acknowledged = true;
      return encoder.encode("\u0001");
    },
  };
}
