/**
 * Cipher suites `ssl.cipher.suites` may name. Kafka takes the IANA names Java
 * uses (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); OpenSSL-based runtimes want
 * OpenSSL's names for TLS 1.2 suites (ECDHE-RSA-AES128-GCM-SHA256) and the
 * IANA ones for TLS 1.3. The list is the forward-secret AEAD suites both
 * runtimes offer (Deno's TLS, rustls, offers no others).
 */

export const TLS13_SUITES = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];

const TLS12_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
};

export function cipherSuiteNames(): Set<string> {
  return new Set([...TLS13_SUITES, ...Object.keys(TLS12_SUITES)]);
}

/** OpenSSL's cipher list for the TLS 1.2 suites among `suites` (IANA names). */
export function openSslTls12List(suites: readonly string[]): string {
  return suites.map((s) => TLS12_SUITES[s]).filter((s) => s !== undefined).join(":");
}
