/**
 * An SSL or SASL_SSL listener's TLS settings from the config, resolved in the
 * supervisor at start: each `ssl.*` key is read from
 * `listener.name.<name>.ssl.*` when given and from the broker-wide key
 * otherwise (Kafka resolves each key on its own this way), the PEM key store
 * and trust store are loaded and checked (the key must decrypt and match the
 * first certificate), and the result travels to the processor Workers as
 * plain data: the private key already decrypted, the mapping rules as text
 * (each Worker parses them again; RegExps do not cross threads). Problems are
 * reported through `fail` naming the key, so a broker never starts with a
 * listener it cannot serve.
 */
import { readFileSync } from "node:fs";
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import type { BrokerConfig, ConfigKey } from "./keys.ts";
import { listenerScopedKey, listenerScopedValues, SSL_PER_LISTENER } from "./keys_security.ts";
import { MappingRuleError, parseMappingRules } from "./principal_mapping.ts";
import { cipherSuiteNames } from "./cipher_suites.ts";

export type ClientAuth = "none" | "requested" | "required";
export type TlsVersion = "TLSv1.2" | "TLSv1.3";

export interface TlsListenerSettings {
  /** The private key, unencrypted PKCS#8 PEM. */
  key: string;
  /** Certificate chain, leaf first, PEM. */
  certChain: string;
  /** Trusted CA certificates, PEM; "" when none were given. */
  trustedCerts: string;
  clientAuth: ClientAuth;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** IANA names from ssl.cipher.suites; empty = the runtime's defaults. */
  cipherSuites: string[];
  /** ssl.principal.mapping.rules as given (already checked). */
  principalRules: string;
}

type Fail = (key: ConfigKey, problem: string) => never;

interface PemBlock {
  label: string;
  /** The block re-wrapped in canonical PEM (inline values may come on one line). */
  pem: string;
}

/** PEM blocks of `text`, whatever the white space inside them. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    const body = m[2].replace(/\s+/g, "");
    const lines = body.match(/.{1,64}/g) ?? [];
    out.push({ label: m[1], pem: `-----BEGIN ${m[1]}-----\n${lines.join("\n")}\n-----END ${m[1]}-----\n` });
  }
  return out;
}

const PRIVATE_KEY = /^(ENCRYPTED |RSA |EC )?PRIVATE KEY$/;

/** Reads `ssl.*` keys of one listener: the per-listener value if given, else the broker-wide one. */
class ListenerKeys {
  private readonly own = new Map<string, string>();

  constructor(
    private readonly cfg: BrokerConfig,
    readonly listener: string,
    overrides: ReadonlyMap<string, string> = new Map(),
  ) {
    for (const [name, value] of [...listenerScopedValues(cfg), ...overrides]) {
      const key = listenerScopedKey(name);
      if (key?.listener === listener && key.mechanism === null) this.own.set(key.key, value);
    }
  }

  /** Whether the listener gives `key` itself. */
  isOwn(key: string): boolean {
    return this.own.has(key);
  }

  /** The name to show for `key`: the per-listener form when that is where the value came from. */
  where(key: string): string {
    return this.own.has(key) ? `listener.name.${this.listener.toLowerCase()}.${key}` : key;
  }

  text(key: ConfigKey): string {
    const own = this.own.get(key);
    if (own !== undefined) return own.trim();
    return String(this.cfg[key] ?? "");
  }

  list(key: ConfigKey): string[] {
    const own = this.own.get(key);
    if (own !== undefined) return own.split(",").map((s) => s.trim()).filter((s) => s !== "");
    return [...(this.cfg[key] as readonly string[])];
  }
}

function readPemFile(keys: ListenerKeys, key: ConfigKey, fail: Fail): string {
  const path = keys.text(key);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    return fail(key, `${keys.where(key)} = ${path}: cannot read the file (${(e as Error).message})`);
  }
}

function loadKeyStore(keys: ListenerKeys, fail: Fail): { key: string; certChain: string } {
  const type = keys.text("ssl.keystore.type").toUpperCase();
  if (type !== "PEM") {
    fail(
      "ssl.keystore.type",
      `${
        keys.where("ssl.keystore.type")
      } = ${type}: only PEM key stores are read; convert it to PEM (openssl pkcs12 -nodes, or keytool -importkeystore to PKCS12 first)`,
    );
  }
  if (keys.text("ssl.keystore.password") !== "") {
    fail(
      "ssl.keystore.password",
      `${keys.where("ssl.keystore.password")} cannot be used with a PEM key store, only ssl.key.password may be given`,
    );
  }
  return parseKeyPair(keys, keyStoreSource(keys, fail), fail);
}

/** Where a listener's key and chain come from: one file (ssl.keystore.location), or the two inline keys. */
interface KeyStoreSource {
  source: ConfigKey;
  keyText: string;
  chainText: string;
  /** The source as error messages name it (a file's path too: a reload's refusal then says which file). */
  where: string;
}

function keyStoreSource(keys: ListenerKeys, fail: Fail): KeyStoreSource {
  const location = keys.text("ssl.keystore.location");
  const inlineKey = keys.text("ssl.keystore.key");
  const inlineChain = keys.text("ssl.keystore.certificate.chain");
  if (location !== "") {
    if (inlineKey !== "" || inlineChain !== "") {
      fail("ssl.keystore.location", `give either ${keys.where("ssl.keystore.location")} or ssl.keystore.key, not both`);
    }
    const text = readPemFile(keys, "ssl.keystore.location", fail);
    const where = `${keys.where("ssl.keystore.location")} (${location})`;
    return { source: "ssl.keystore.location", keyText: text, chainText: text, where };
  }
  if (inlineKey !== "" || inlineChain !== "") {
    if (inlineKey === "" || inlineChain === "") {
      fail(
        inlineKey === "" ? "ssl.keystore.key" : "ssl.keystore.certificate.chain",
        `ssl.keystore.key and ssl.keystore.certificate.chain go together; listener ${keys.listener} has only one`,
      );
    }
    const where = keys.where("ssl.keystore.key");
    return { source: "ssl.keystore.key", keyText: inlineKey, chainText: inlineChain, where };
  }
  return fail(
    "ssl.keystore.location",
    `listener ${keys.listener} uses TLS but has no key: set ssl.keystore.location (a PEM file with the private key and certificate chain) or ssl.keystore.key and ssl.keystore.certificate.chain`,
  );
}

/** The private key (decrypted with ssl.key.password) and the chain, checked to belong together. */
function parseKeyPair(
  keys: ListenerKeys,
  { source, keyText, chainText, where }: KeyStoreSource,
  fail: Fail,
): { key: string; certChain: string } {
  const keyBlocks = pemBlocks(keyText).filter((b) => PRIVATE_KEY.test(b.label));
  if (keyBlocks.length !== 1) fail(source, `${where}: expected one PEM private key, found ${keyBlocks.length}`);
  const certs = pemBlocks(chainText).filter((b) => b.label === "CERTIFICATE");
  const chainKey = source === "ssl.keystore.key" ? "ssl.keystore.certificate.chain" : source;
  if (certs.length === 0) fail(chainKey, `${keys.where(chainKey)}: no PEM certificate found`);

  const password = keys.text("ssl.key.password");
  const encrypted = keyBlocks[0].label === "ENCRYPTED PRIVATE KEY";
  if (encrypted && password === "") {
    fail("ssl.key.password", `${where} holds an encrypted private key: set ssl.key.password`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: keyBlocks[0].pem,
      format: "pem",
      passphrase: encrypted ? password : undefined,
    });
  } catch (e) {
    return fail(
      encrypted ? "ssl.key.password" : source,
      `${where}: cannot read the private key${encrypted ? " (wrong ssl.key.password?)" : ""}: ${(e as Error).message}`,
    );
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0].pem);
    for (const c of certs.slice(1)) new X509Certificate(c.pem);
  } catch (e) {
    return fail(chainKey, `${keys.where(chainKey)}: bad certificate: ${(e as Error).message}`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    fail(
      source,
      `${where}: the private key does not match the first certificate (${leaf.subject.replace(/\n/g, ",")})`,
    );
  }
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    certChain: certs.map((c) => c.pem).join(""),
  };
}

function loadTrustStore(keys: ListenerKeys, clientAuth: ClientAuth, fail: Fail): string {
  const type = keys.text("ssl.truststore.type").toUpperCase();
  if (type !== "PEM") {
    fail("ssl.truststore.type", `${keys.where("ssl.truststore.type")} = ${type}: only PEM trust stores are read`);
  }
  if (keys.text("ssl.truststore.password") !== "") {
    fail("ssl.truststore.password", `${keys.where("ssl.truststore.password")} cannot be used with a PEM trust store`);
  }
  const location = keys.text("ssl.truststore.location");
  const inline = keys.text("ssl.truststore.certificates");
  if (location !== "" && inline !== "") {
    fail(
      "ssl.truststore.location",
      `give either ${keys.where("ssl.truststore.location")} or ssl.truststore.certificates, not both`,
    );
  }
  const source: ConfigKey = location !== "" ? "ssl.truststore.location" : "ssl.truststore.certificates";
  const text = location !== "" ? readPemFile(keys, source, fail) : inline;
  if (text === "") {
    if (clientAuth !== "none") {
      fail(
        "ssl.truststore.location",
        `ssl.client.auth=${clientAuth} on listener ${keys.listener} needs the CA certificates that client certificates chain to: set ssl.truststore.location or ssl.truststore.certificates`,
      );
    }
    return "";
  }
  const certs = pemBlocks(text).filter((b) => b.label === "CERTIFICATE");
  if (certs.length === 0) fail(source, `${keys.where(source)}: no PEM certificate found`);
  for (const c of certs) {
    try {
      new X509Certificate(c.pem);
    } catch (e) {
      fail(source, `${keys.where(source)}: bad certificate: ${(e as Error).message}`);
    }
  }
  return certs.map((c) => c.pem).join("");
}

const VERSIONS: readonly TlsVersion[] = ["TLSv1.2", "TLSv1.3"];

function enabledVersions(keys: ListenerKeys, fail: Fail): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const listed = keys.list("ssl.enabled.protocols");
  if (listed.length === 0) fail("ssl.enabled.protocols", `${keys.where("ssl.enabled.protocols")} is empty`);
  for (const p of listed) {
    if (!VERSIONS.includes(p as TlsVersion)) {
      fail(
        "ssl.enabled.protocols",
        `${keys.where("ssl.enabled.protocols")} names ${p}: only TLSv1.2 and TLSv1.3 are offered`,
      );
    }
  }
  const protocol = keys.text("ssl.protocol");
  if (!["TLSv1.2", "TLSv1.3", "TLS"].includes(protocol)) {
    fail("ssl.protocol", `${keys.where("ssl.protocol")} = ${protocol}: expected TLSv1.3, TLSv1.2 or TLS`);
  }
  const sorted = VERSIONS.filter((v) => listed.includes(v));
  return { minVersion: sorted[0], maxVersion: sorted[sorted.length - 1] };
}

/**
 * `saslSsl`: on SASL_SSL listeners only the listener's own ssl.client.auth counts; the broker-wide one is for SSL
 * listeners (KIP-684), so a broker with an mTLS listener and a SASL_SSL one does not ask SASL clients for
 * certificates.
 */
export function resolveTlsSettings(
  cfg: BrokerConfig,
  listener: string,
  saslSsl: boolean,
  fail: Fail,
  /** Dynamic per-broker configs (`listener.name.<l>.ssl.*` → value): they win over the config file's. */
  overrides: ReadonlyMap<string, string> = new Map(),
): TlsListenerSettings {
  const keys = new ListenerKeys(cfg, listener, overrides);
  const clientAuth = saslSsl && !keys.isOwn("ssl.client.auth") ? "none" : keys.text("ssl.client.auth").toLowerCase();
  if (clientAuth !== "none" && clientAuth !== "requested" && clientAuth !== "required") {
    fail("ssl.client.auth", `${keys.where("ssl.client.auth")} = ${clientAuth}: expected none, requested or required`);
  }
  const { key, certChain } = loadKeyStore(keys, fail);
  const trustedCerts = loadTrustStore(keys, clientAuth, fail);
  const versions = enabledVersions(keys, fail);
  const cipherSuites = keys.list("ssl.cipher.suites");
  const known = cipherSuiteNames();
  for (const suite of cipherSuites) {
    if (!known.has(suite)) {
      fail(
        "ssl.cipher.suites",
        `${keys.where("ssl.cipher.suites")} names ${suite}, not a suite tsbroker's runtimes offer (${
          [...known].join(", ")
        })`,
      );
    }
  }
  const principalRules = keys.text("ssl.principal.mapping.rules");
  try {
    parseMappingRules(principalRules);
  } catch (e) {
    if (!(e instanceof MappingRuleError)) throw e;
    fail("ssl.principal.mapping.rules", `${keys.where("ssl.principal.mapping.rules")}: ${e.message}`);
  }
  return { key, certChain, trustedCerts, clientAuth, ...versions, cipherSuites, principalRules };
}

/** Per-listener ssl.* keys naming a listener that does not use TLS (likely a typo). */
export function strayTlsKeys(cfg: BrokerConfig, tlsListeners: readonly string[]): string[] {
  return [...listenerScopedValues(cfg).keys()].filter((name) => {
    const scoped = listenerScopedKey(name);
    return scoped !== null && SSL_PER_LISTENER.includes(scoped.key) && !tlsListeners.includes(scoped.listener);
  });
}

/**
 * The listener keys Kafka reconfigures while running (its SslConfigs.RECONFIGURABLE_CONFIGS): the key store
 * and the trust store. The others (client auth, protocols, suites, mapping rules) stay as the broker started.
 */
export const RELOADABLE_SSL_KEYS: readonly string[] = [
  "ssl.keystore.type",
  "ssl.keystore.location",
  "ssl.keystore.password",
  "ssl.key.password",
  "ssl.keystore.key",
  "ssl.keystore.certificate.chain",
  "ssl.truststore.type",
  "ssl.truststore.location",
  "ssl.truststore.password",
  "ssl.truststore.certificates",
];

/**
 * Why a listener may not swap certificate `before` for `after` (leaf first, PEM), or null: as Kafka's
 * SslFactory checks a new key store (and in its words), the subject and the subject alternative names must
 * stay the same, so clients that verify the broker's name keep connecting.
 */
export function certificateIdentityChange(before: string, after: string): string | null {
  const leaf = (chain: string) => new X509Certificate(pemBlocks(chain).find((b) => b.label === "CERTIFICATE")!.pem);
  const old = leaf(before), next = leaf(after);
  const dn = (c: X509Certificate) => c.subject.split("\n").join(",");
  if (old.subject !== next.subject) {
    return `Keystore DistinguishedName does not match: existing=${dn(old)}, new=${dn(next)}`;
  }
  const sans = (c: X509Certificate) => (c.subjectAltName ?? "").split(", ").filter((s) => s !== "").sort().join(", ");
  if (sans(old) !== sans(next)) {
    return `Keystore SubjectAltNames do not match: existing=[${sans(old)}], new=[${sans(next)}]`;
  }
  return null;
}

/** Whether two settings serve different keys, certificates or trusted CAs. */
export function storesDiffer(a: TlsListenerSettings, b: TlsListenerSettings): boolean {
  return a.key !== b.key || a.certChain !== b.certChain || a.trustedCerts !== b.trustedCerts;
}
