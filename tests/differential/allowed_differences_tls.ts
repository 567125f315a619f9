/**
 * The differences tls_reload_test.ts accepts between the reference Kafka and
 * tsbroker when a listener's key and trust stores are changed while running
 * (KIP-226), kept apart from allowed_differences.ts only for its length; that
 * file spreads them into THE list, before its general DescribeConfigs entry
 * (an array is matched by the first `keyedBy` entry that applies, so these
 * narrower ones must come first).
 *
 * Each is scoped to the exchanges of one step of that test (their titles), so
 * a difference anywhere else still fails. Where tsbroker refuses a change
 * Kafka stores, the DescribeConfigs after that step shows what Kafka stored
 * and tsbroker did not; the test then brings both back to the same state.
 */
import type { AllowedDifference } from "./allowed_differences.ts";

const INVALID_REQUEST = 42;
const refusedByTsbrokerOnly = (a: unknown, b: unknown) => a === 0 && b === INVALID_REQUEST;
const endsWith = (a: unknown, kafka: string, b: unknown, tsbroker: string) =>
  typeof a === "string" && typeof b === "string" && a.endsWith(kafka) && b.endsWith(tsbroker);
/** IncrementalAlterConfigs of one step of the test, with and without validateOnly. */
const step = (title: string) => new RegExp(`^${title}( \\(validateOnly\\))?$`);
/** The DescribeConfigs of the listener's keys after one of the test's steps. */
const described = (titles: string) => new RegExp(`^(${titles}): the listener's keys described$`);

export const TLS_RELOAD_DIFFERENCES: readonly AllowedDifference[] = [
  {
    id: "pem-store-type-default",
    apiKeys: [32],
    path: ["results[].configs[].value", "results[].configs[].synonyms[].value"],
    reason: "ssl.keystore.type and ssl.truststore.type default to PEM in tsbroker, the only format it reads " +
      "(src/config/keys_security.ts), and to JKS in Kafka; a listener's key stores show the default among " +
      "their synonyms",
    when: (a, b) => a === "JKS" && b === "PEM",
  },
  {
    id: "tls-reload-pbes2-key",
    apiKeys: [44],
    versions: [1, 1],
    scenario: step("encrypted key"),
    path: "responses[].errorCode",
    reason: "the test's encrypted key is PKCS#8 with PBES2 (openssl pkcs8 -topk8 -v2 aes-256-cbc, OpenSSL's " +
      "default since 1.1). Kafka's PEM key store decrypts with SecretKeyFactory.getInstance(" +
      'EncryptedPrivateKeyInfo.getAlgName()), which on Java 17 is "PBES2": "PBES2 SecretKeyFactory not ' +
      'available", so Kafka refuses the store. Java reads only PBES1 keys there (PBEWithMD5AndDES, ' +
      "PBEWithSHA1AndDESede, RC2, RC4: weak ciphers), which tsbroker under Deno cannot decrypt (its OpenSSL 3 " +
      "reads PBES2 only), so no encrypted PEM key is read by both; tsbroker keeps accepting PBES2, the format " +
      "OpenSSL writes and the only one it reads under both runtimes. Measured with Kafka's PemStore decryption " +
      "on the reference's Java 17",
    when: (a, b) => a === INVALID_REQUEST && b === 0,
  },
  {
    id: "tls-reload-pbes2-key-stored",
    apiKeys: [32],
    scenario: described("encrypted key|encrypted key, wrong password"),
    path: ["results[].configs[].value", "results[].configs[].synonyms[].value"],
    reason: "after tls-reload-pbes2-key tsbroker has the encrypted store (the wrong password is then refused by " +
      "both), Kafka still the one before",
    when: (a, b) => endsWith(a, "/server-same-store.pem", b, "/server-enc-store.pem"),
  },
  {
    id: "tls-reload-pbes2-key-password-stored",
    apiKeys: [32],
    scenario: described("encrypted key|encrypted key, wrong password"),
    path: "results[].configs",
    keyedBy: "name",
    onlyInTsbroker: ["listener.name.ssl.ssl.key.password"],
    reason: "after tls-reload-pbes2-key tsbroker has the encrypted key's password (null, sensitive), Kafka none",
  },
  {
    id: "tls-reload-key-not-matching",
    apiKeys: [44],
    versions: [1, 1],
    scenario: step("key not matching its certificate"),
    path: "responses[].errorCode",
    reason: "tsbroker is stricter on purpose (src/config/tls_settings.ts): a key store whose private key does not " +
      "belong to its certificate could not complete a single handshake, so it is refused and the listener keeps " +
      "the store in use; Kafka checks the new certificate's subject but not the key, stores it, and its new " +
      "connections then fail",
    when: refusedByTsbrokerOnly,
  },
  {
    id: "tls-reload-key-not-matching-stored",
    apiKeys: [32],
    scenario: described("key not matching its certificate"),
    path: ["results[].configs[].value", "results[].configs[].synonyms[].value"],
    reason: "after tls-reload-key-not-matching Kafka has the mismatched store, tsbroker still the configured one",
    when: (a, b) => endsWith(a, "/mismatched-store.pem", b, "/server-store.pem"),
  },
  {
    id: "tls-reload-ssl-key-without-tls",
    apiKeys: [44],
    versions: [1, 1],
    scenario: step("ssl key on the PLAINTEXT listener"),
    path: "responses[].errorCode",
    reason: "tsbroker refuses listener.name.<l>.ssl.* for a listener without TLS (src/supervisor/tls_reload.ts: " +
      '"no SSL or SASL_SSL listener has that name"), since the key could never take effect and is most likely a ' +
      "wrong listener name; Kafka stores it",
    when: refusedByTsbrokerOnly,
  },
  {
    id: "tls-reload-ssl-key-without-tls-stored",
    apiKeys: [32],
    scenario: described("ssl key on the PLAINTEXT listener"),
    path: "results[].configs",
    keyedBy: "name",
    onlyInKafka: ["listener.name.plaintext.ssl.keystore.location"],
    reason: "after tls-reload-ssl-key-without-tls Kafka lists the key it stored",
  },
  {
    id: "tls-reload-not-reloadable",
    apiKeys: [44],
    versions: [1, 1],
    scenario: step("ssl\\.client\\.auth"),
    path: "responses[].errorCode",
    reason: "tsbroker reloads a listener's key and trust stores only (RELOADABLE_SSL_KEYS in " +
      "src/config/tls_settings.ts) and refuses other ssl.* keys while running rather than store a value its " +
      "processors would not apply; Kafka reconfigures ssl.client.auth and stores it",
    when: refusedByTsbrokerOnly,
  },
  {
    id: "tls-reload-not-reloadable-stored",
    apiKeys: [32],
    scenario: described("ssl\\.client\\.auth"),
    path: "results[].configs",
    keyedBy: "name",
    onlyInKafka: ["listener.name.plaintext.ssl.keystore.location", "listener.name.ssl.ssl.client.auth"],
    reason: "after tls-reload-not-reloadable (and tls-reload-ssl-key-without-tls, one step before) Kafka lists " +
      "the keys it stored",
  },
];
