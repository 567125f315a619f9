/**
 * The key table's security keys (SASL and TLS), spread into CONFIG_KEYS in
 * keys.ts. Kafka's per-listener forms `listener.name.<listener>.<key>` and
 * `listener.name.<listener>.<mechanism>.sasl.jaas.config` are not table
 * rows (their names embed a listener); `listenerScopedKey` recognises them
 * for the loader, and config/sasl_settings.ts and config/tls_settings.ts
 * read them per listener.
 */
import type { KeySpec } from "./key_spec.ts";

export const SECURITY_KEYS = {
  "sasl.enabled.mechanisms": {
    type: "list",
    default: ["PLAIN"],
    format: "PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 | OAUTHBEARER",
    origin: "kafka",
    kafkaDefault: "GSSAPI",
    doc:
      "SASL mechanisms a SASL listener offers, in the order the handshake lists them (per listener: listener.name.<name>.sasl.enabled.mechanisms). GSSAPI (Kerberos) is not served; naming it is an error. tsbroker defaults to PLAIN because Kafka's default, GSSAPI, is not available.",
  },
  "sasl.mechanism.inter.broker.protocol": {
    type: "string",
    default: "GSSAPI",
    origin: "kafka",
    doc: "Mechanism brokers use among themselves; accepted for compatibility and unused (tsbroker is one node).",
  },
  "sasl.jaas.config": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    kafkaDefault: "none (unset)",
    doc:
      'JAAS login entry of every SASL listener without its own listener.name.<name>.<mechanism>.sasl.jaas.config; for PLAIN, `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";` lists the users (user_<name>="<password>"). Empty = no PLAIN users.',
  },
  "sasl.server.max.receive.size": {
    type: "int",
    default: 524288,
    min: 1,
    origin: "kafka",
    doc: "Largest request a client may send on a SASL listener before it has authenticated, in bytes.",
  },
  "connection.failed.authentication.delay.ms": {
    type: "int",
    default: 100,
    min: 0,
    origin: "kafka",
    doc:
      "How long the answer to a failed SASL authentication, and the close that follows, are held back, in milliseconds: slows down password guessing.",
  },
  "connections.max.reauth.ms": {
    type: "long",
    default: 0,
    min: 0,
    origin: "kafka",
    doc:
      "Session lifetime of SASL connections, in milliseconds, reported in SaslAuthenticate v1+: the client re-authenticates within it (KIP-368) as the same principal, or its connection is closed at its next request after it. 0 = sessions do not expire (a SaslHandshake on an authenticated connection is then ILLEGAL_SASL_STATE).",
  },
  "sasl.server.callback.handler.class": {
    type: "string",
    default: "",
    format: "empty | org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler",
    origin: "kafka",
    doc:
      "How OAUTHBEARER tokens are validated (per listener: listener.name.<name>.oauthbearer.sasl.server.callback.handler.class). Empty = Kafka's unsecured validator (alg none; options unsecuredValidator* in the OAuthBearerLoginModule JAAS entry), for development only; OAuthBearerValidatorCallbackHandler = signed tokens checked against the JWKS file of sasl.oauthbearer.jwks.endpoint.url.",
  },
  "sasl.oauthbearer.jwks.endpoint.url": {
    type: "string",
    default: "",
    format: "file:///path/to/jwks.json",
    origin: "kafka",
    doc:
      "The JWKS (public keys, RS256/384/512 and ES256/384/512) that signed OAUTHBEARER tokens must verify against. Only a file: URL is read, once at start.",
  },
  "sasl.oauthbearer.expected.audience": {
    type: "list",
    default: [],
    origin: "kafka",
    doc:
      "Audiences a signed OAUTHBEARER token's aud claim must name one of; empty = tokens must carry no aud (as Kafka's JWT library decides).",
  },
  "sasl.oauthbearer.expected.issuer": {
    type: "string",
    default: "",
    origin: "kafka",
    doc: "The iss claim a signed OAUTHBEARER token must carry; empty = not checked.",
  },
  "sasl.oauthbearer.clock.skew.seconds": {
    type: "int",
    default: 30,
    min: 0,
    origin: "kafka",
    doc: "Leeway for the exp and iat of signed OAUTHBEARER tokens, in seconds.",
  },
  "sasl.oauthbearer.sub.claim.name": {
    type: "string",
    default: "sub",
    origin: "kafka",
    doc: "The claim of a signed OAUTHBEARER token that names its principal (User:<value>).",
  },
  "sasl.oauthbearer.scope.claim.name": {
    type: "string",
    default: "scope",
    origin: "kafka",
    doc: "The claim of a signed OAUTHBEARER token that holds its scopes.",
  },
  "ssl.keystore.type": {
    type: "string",
    default: "PEM",
    format: "PEM",
    origin: "kafka",
    kafkaDefault: "JKS",
    doc:
      "Format of the key store of SSL and SASL_SSL listeners (per listener: listener.name.<name>.ssl.*, as every ssl.* key). Only PEM is read; convert a JKS or PKCS12 store with keytool/openssl.",
  },
  "ssl.keystore.location": {
    type: "string",
    default: "",
    origin: "kafka",
    doc:
      "PEM file with the listener's private key (PKCS#8, encrypted with ssl.key.password or not) and its certificate chain, leaf first. Or give ssl.keystore.key and ssl.keystore.certificate.chain inline.",
  },
  "ssl.keystore.key": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    doc:
      "The listener's private key as inline PEM (instead of ssl.keystore.location), with ssl.keystore.certificate.chain.",
  },
  "ssl.keystore.certificate.chain": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    doc: "The listener's certificate chain as inline PEM, leaf first, with ssl.keystore.key.",
  },
  "ssl.keystore.password": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    doc: "Not used with PEM key stores (as in Kafka, setting it is an error): an encrypted key takes ssl.key.password.",
  },
  "ssl.key.password": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    doc: "Password of an encrypted PEM private key (BEGIN ENCRYPTED PRIVATE KEY). Empty = the key is not encrypted.",
  },
  "ssl.truststore.type": {
    type: "string",
    default: "PEM",
    format: "PEM",
    origin: "kafka",
    kafkaDefault: "JKS",
    doc: "Format of the trust store that verifies client certificates. Only PEM is read.",
  },
  "ssl.truststore.location": {
    type: "string",
    default: "",
    origin: "kafka",
    doc:
      "PEM file of the CA certificates client certificates must chain to; needed when ssl.client.auth is requested or required (tsbroker has no default trust store).",
  },
  "ssl.truststore.certificates": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    doc: "The trusted CA certificates as inline PEM (instead of ssl.truststore.location).",
  },
  "ssl.truststore.password": {
    sensitive: true,
    type: "string",
    default: "",
    origin: "kafka",
    doc: "Not used with PEM trust stores (as in Kafka, setting it is an error).",
  },
  "ssl.client.auth": {
    type: "enum",
    default: "none",
    values: ["none", "requested", "required"],
    origin: "kafka",
    doc:
      "Client certificates on SSL listeners: required = a client without a trusted certificate fails the handshake; requested = asked for, a client without one connects as User:ANONYMOUS; none = not asked for. An untrusted certificate fails the handshake in both. SASL_SSL listeners take only their own listener.name.<name>.ssl.client.auth (KIP-684).",
  },
  "ssl.enabled.protocols": {
    type: "list",
    default: ["TLSv1.2", "TLSv1.3"],
    format: "TLSv1.2 | TLSv1.3",
    origin: "kafka",
    doc: "TLS versions SSL and SASL_SSL listeners accept. Older versions are not offered by either runtime.",
  },
  "ssl.protocol": {
    type: "string",
    default: "TLSv1.3",
    format: "TLSv1.2 | TLSv1.3 | TLS",
    origin: "kafka",
    doc: "Java's SSLContext protocol; checked and otherwise unused (ssl.enabled.protocols decides the versions).",
  },
  "ssl.cipher.suites": {
    type: "list",
    default: [],
    format: "IANA suite names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    origin: "kafka",
    doc:
      "Cipher suites the listener accepts; empty = the runtime's defaults. Under Bun only TLS 1.2 suites can be chosen (so a list must name all of TLS 1.3's or disable TLSv1.3); Deno cannot restrict suites, so a non-empty list fails start-up there.",
  },
  "ssl.principal.mapping.rules": {
    type: "string",
    default: "DEFAULT",
    format: "DEFAULT | RULE:pattern/replacement/[LU], ...",
    origin: "kafka",
    doc:
      "How a client certificate's subject (RFC 2253, e.g. CN=alice,OU=Clients,O=Example) becomes the principal User:<name> on SSL listeners: the first matching rule, DEFAULT keeping the name whole; a name no rule matches fails authentication.",
  },
  "ssl.endpoint.identification.algorithm": {
    type: "string",
    default: "https",
    origin: "kafka",
    doc: "A client-side check; accepted for compatibility and unused (the broker does not check client host names).",
  },
  "authorizer.class.name": {
    type: "string",
    default: "",
    format: "empty | org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    origin: "kafka",
    doc:
      "The authorizer that checks every request against the ACLs (CreateAcls, DescribeAcls, DeleteAcls). Only Kafka's StandardAuthorizer is implemented; empty = no authorization (the ACL APIs answer SECURITY_DISABLED).",
  },
  "super.users": {
    type: "string",
    default: "",
    format: "User:<name>;User:<name>...",
    origin: "kafka",
    doc:
      "Principals, separated by semicolons, that the authorizer allows everything whatever the ACLs say (e.g. User:admin).",
  },
  "allow.everyone.if.no.acl.found": {
    type: "boolean",
    default: false,
    origin: "kafka",
    doc:
      "Whether the authorizer allows an operation on a resource that no ACL applies to at all; false denies it (super users excepted).",
  },
} as const satisfies Record<string, KeySpec>;

/** Keys that may also be given per listener as `listener.name.<listener>.<key>`. */
const PER_LISTENER = [
  "sasl.enabled.mechanisms",
  "sasl.server.max.receive.size",
  "max.connections",
  "max.connection.creation.rate",
];

/** TLS keys that may be given per listener (listener.name.<listener>.ssl.*). */
export const SSL_PER_LISTENER = [
  "ssl.keystore.type",
  "ssl.keystore.location",
  "ssl.keystore.key",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.password",
  "ssl.key.password",
  "ssl.truststore.type",
  "ssl.truststore.location",
  "ssl.truststore.certificates",
  "ssl.truststore.password",
  "ssl.client.auth",
  "ssl.enabled.protocols",
  "ssl.protocol",
  "ssl.cipher.suites",
  "ssl.principal.mapping.rules",
  "ssl.endpoint.identification.algorithm",
];

/** A per-listener key, split up; null if `key` is not one tsbroker reads. */
export function listenerScopedKey(
  key: string,
): { listener: string; mechanism: string | null; key: string } | null {
  const m = /^listener\.name\.([A-Za-z0-9_-]+)\.(.+)$/.exec(key);
  if (!m) return null;
  const listener = m[1].toUpperCase();
  if (PER_LISTENER.includes(m[2]) || SSL_PER_LISTENER.includes(m[2])) return { listener, mechanism: null, key: m[2] };
  const jaas = /^([a-z0-9-]+)\.sasl\.jaas\.config$/.exec(m[2]);
  if (jaas) return { listener, mechanism: jaas[1].toUpperCase(), key: "sasl.jaas.config" };
  // OAUTHBEARER's validator keys, per listener and mechanism.
  const oauth = /^oauthbearer\.(sasl\.server\.callback\.handler\.class|sasl\.oauthbearer\.[a-z.]+)$/.exec(m[2]);
  if (oauth) return { listener, mechanism: "OAUTHBEARER", key: oauth[1] };
  return null;
}

const scopedValues = new WeakMap<object, ReadonlyMap<string, string>>();

/** The loader records the per-listener keys of a config (key → value as given). */
export function recordListenerScoped(cfg: object, values: ReadonlyMap<string, string>): void {
  scopedValues.set(cfg, values);
}

/** The per-listener keys recorded for `cfg` (none for a config not made by the loader). */
export function listenerScopedValues(cfg: object): ReadonlyMap<string, string> {
  return scopedValues.get(cfg) ?? new Map();
}
