/**
 * The tools' security settings, as Kafka's own tools and kcat take them: `--command-config FILE`, a client
 * properties file (Java properties syntax), and repeatable `-X key=value`, which override the file. Keys are
 * Kafka's client config names, or librdkafka's where kcat users know those instead:
 *
 *   security.protocol                     PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
 *   sasl.mechanism (sasl.mechanisms)      PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 | OAUTHBEARER
 *   sasl.jaas.config                      PlainLoginModule / ScramLoginModule username=".." password="..",
 *                                         OAuthBearerLoginModule unsecuredLoginStringClaim_sub=".."
 *   sasl.username, sasl.password          librdkafka's credentials (override the JAAS entry's)
 *   sasl.oauthbearer.config               librdkafka's unsecured token settings: principal=NAME
 *   ssl.truststore.location (ssl.ca.location), ssl.truststore.certificates, ssl.truststore.type=PEM
 *   ssl.keystore.location (key and chain in one PEM file), ssl.keystore.key, ssl.keystore.certificate.chain,
 *   ssl.keystore.type=PEM, ssl.certificate.location + ssl.key.location (librdkafka), ssl.key.password
 *   ssl.endpoint.identification.algorithm https | "" (librdkafka: none), enable.ssl.certificate.verification
 *
 * Only PEM is read: a JKS or PKCS12 store is refused with a pointer to PEM rather than half-supported. Every
 * mistake is a UsageError naming the key (exit status 2): an unknown key, a missing file, a mechanism without
 * credentials, security settings that the chosen security.protocol would ignore (Kafka ignores them silently,
 * which leaves a user wondering why the login never happened).
 */
import * as fs from "node:fs";
import type { ClientOptions } from "../../client/network_client.ts";
import { SASL_MECHANISMS, type SaslMechanismName, type SaslOptions } from "../../client/sasl.ts";
import type { TlsOptions } from "../../client/tls_options.ts";
import {
  JaasError,
  OAUTHBEARER_LOGIN_MODULE,
  parseJaasConfig,
  PLAIN_LOGIN_MODULE,
  SCRAM_LOGIN_MODULE,
} from "../../config/jaas.ts";
import { parseKeyValue, UsageError } from "./flags.ts";

/** librdkafka's names for the same settings, mapped to Kafka's (where the meaning is the same). */
const ALIASES: Record<string, string> = {
  "sasl.mechanisms": "sasl.mechanism",
  "ssl.ca.location": "ssl.truststore.location",
};

const KEYS = new Set([
  "security.protocol",
  "sasl.mechanism",
  "sasl.jaas.config",
  "sasl.username",
  "sasl.password",
  "sasl.oauthbearer.config",
  "ssl.truststore.location",
  "ssl.truststore.certificates",
  "ssl.truststore.type",
  "ssl.keystore.location",
  "ssl.keystore.key",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.type",
  "ssl.keystore.password",
  "ssl.certificate.location",
  "ssl.key.location",
  "ssl.key.password",
  "ssl.endpoint.identification.algorithm",
  "enable.ssl.certificate.verification",
]);

const PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/** One setting and where it came from, for messages ("sasl.mechanism (from -X)"). */
interface Setting {
  value: string;
  from: string;
}

type Settings = Map<string, Setting>;

/**
 * The security part of a tool's client options from `--command-config FILE` and `-X key=value` flags
 * (empty when neither is given). `readFile` reads a path (node:fs by default; tests pass their own).
 */
export function securityOptions(
  file: string | undefined,
  overrides: readonly string[],
  readFile: (path: string) => string = (p) => fs.readFileSync(p, "utf8"),
): Pick<ClientOptions, "tls" | "sasl"> {
  const settings: Settings = new Map();
  if (file !== undefined) {
    let text: string;
    try {
      text = readFile(file);
    } catch (e) {
      throw new UsageError(`--command-config ${file}: cannot read it (${(e as Error).message})`);
    }
    for (const [key, value] of parseProperties(text, `--command-config ${file}`)) {
      put(settings, key, value, file);
    }
  }
  for (const raw of overrides) {
    const [key, value] = parseKeyValue(raw, "-X");
    put(settings, key.trim(), value.trim(), "-X");
  }
  return fromSettings(settings, readFile);
}

function put(settings: Settings, key: string, value: string, from: string): void {
  const name = ALIASES[key] ?? key;
  if (!KEYS.has(name)) {
    throw new UsageError(
      `unknown client config key "${key}" (${from}); tsbroker's tools take security settings only: ` +
        `${[...KEYS].join(", ")}`,
    );
  }
  settings.set(name, { value, from });
}

/**
 * Java properties syntax, as Kafka's tools read --command-config: `key=value`, `key: value` or `key value`,
 * `#` and `!` comments, a trailing backslash continuing the line, and backslash escapes.
 */
export function parseProperties(text: string, source: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^\s+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^\s+/, "");
    }
    const m = /^((?:[^\\:=\s]|\\.)+)\s*[:=\s]\s*(.*)$/s.exec(line) ?? /^((?:[^\\:=\s]|\\.)+)$/.exec(line);
    if (!m) throw new UsageError(`${source}: line ${i + 1} is not key=value`);
    out.set(unescape(m[1]), unescape(m[2] ?? ""));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: "\t", n: "\n", r: "\r", f: "\f" } as Record<string, string>)[c] ?? c;
  });
}

function fromSettings(settings: Settings, readFile: (path: string) => string): Pick<ClientOptions, "tls" | "sasl"> {
  const get = (key: string) => settings.get(key)?.value;
  const label = (key: string) => `${key} (${settings.get(key)?.from})`;
  const protocol = (get("security.protocol") ?? "PLAINTEXT").toUpperCase();
  if (!PROTOCOLS.includes(protocol)) {
    throw new UsageError(`${label("security.protocol")} must be one of ${PROTOCOLS.join(", ")} (got "${protocol}")`);
  }
  const usesSasl = protocol.startsWith("SASL_");
  const usesTls = protocol.endsWith("SSL");
  for (const key of settings.keys()) {
    const isSasl = key.startsWith("sasl.");
    const isTls = key.startsWith("ssl.") || key === "enable.ssl.certificate.verification";
    if ((isSasl && !usesSasl) || (isTls && !usesTls)) {
      throw new UsageError(
        `${label(key)} is set but security.protocol is ${protocol}, which does not use it: set security.protocol ` +
          `to ${isSasl ? (usesTls ? "SASL_SSL" : "SASL_PLAINTEXT (or SASL_SSL)") : usesSasl ? "SASL_SSL" : "SSL"}`,
      );
    }
  }
  return {
    ...(usesTls ? { tls: tlsOptions(settings, readFile) } : {}),
    ...(usesSasl ? { sasl: saslOptions(settings) } : {}),
  };
}

function saslOptions(settings: Settings): SaslOptions {
  const get = (key: string) => settings.get(key)?.value;
  const label = (key: string) => `${key} (${settings.get(key)?.from})`;
  const mechanism = get("sasl.mechanism")?.toUpperCase();
  if (mechanism === undefined) {
    throw new UsageError(`SASL needs sasl.mechanism: one of ${SASL_MECHANISMS.join(", ")}`);
  }
  if (!SASL_MECHANISMS.includes(mechanism as SaslMechanismName)) {
    throw new UsageError(
      `${label("sasl.mechanism")} ${mechanism} is not supported: use one of ${SASL_MECHANISMS.join(", ")}`,
    );
  }
  let options: Map<string, string> = new Map();
  let module: string | undefined;
  // librdkafka's credentials, when both are given, stand in for the JAAS entry (which -X cannot edit).
  const jaas = get("sasl.username") !== undefined && get("sasl.password") !== undefined
    ? undefined
    : get("sasl.jaas.config");
  if (jaas !== undefined) {
    try {
      const entry = parseJaasConfig(jaas);
      module = entry.loginModule;
      options = entry.options;
    } catch (e) {
      if (e instanceof JaasError) throw new UsageError(`${label("sasl.jaas.config")}: ${e.message}`);
      throw e;
    }
    const expected = mechanism === "PLAIN"
      ? PLAIN_LOGIN_MODULE
      : mechanism === "OAUTHBEARER"
      ? OAUTHBEARER_LOGIN_MODULE
      : SCRAM_LOGIN_MODULE;
    if (module !== expected) {
      throw new UsageError(`${label("sasl.jaas.config")} names ${module}, but ${mechanism} needs ${expected}`);
    }
  }
  if (mechanism === "OAUTHBEARER") {
    const principal = oauthPrincipal(settings, options);
    if (!principal) {
      throw new UsageError(
        "OAUTHBEARER needs a principal: sasl.jaas.config with OAuthBearerLoginModule " +
          'unsecuredLoginStringClaim_sub="NAME", or sasl.oauthbearer.config=principal=NAME',
      );
    }
    const lifetimeS = Number(options.get("unsecuredLoginLifetimeSeconds") ?? 3600);
    // A fresh unsecured token (Kafka's default login handler's, alg "none") for every authentication.
    return { mechanism, token: () => Promise.resolve(unsecuredToken(principal, lifetimeS)) };
  }
  const username = get("sasl.username") ?? options.get("username");
  const password = get("sasl.password") ?? options.get("password");
  if (!username || password === undefined) {
    throw new UsageError(
      `${mechanism} needs a user name and password: sasl.jaas.config with ` +
        `${mechanism === "PLAIN" ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE} required username="..." ` +
        `password="...";, or sasl.username and sasl.password`,
    );
  }
  return { mechanism: mechanism as SaslMechanismName, username, password };
}

function oauthPrincipal(settings: Settings, jaasOptions: Map<string, string>): string | undefined {
  const rdkafka = settings.get("sasl.oauthbearer.config")?.value;
  if (rdkafka !== undefined) {
    const m = /(?:^|\s)principal=(\S+)/.exec(rdkafka);
    if (m) return m[1];
  }
  return jaasOptions.get("unsecuredLoginStringClaim_sub");
}

/** An unsecured JWS (RFC 7515 with alg "none", RFC 7519 claims) as Kafka's unsecured login handler makes. */
function unsecuredToken(principal: string, lifetimeS: number): string {
  const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: "none" })}.${b64({ sub: principal, iat: now, exp: now + lifetimeS })}.`;
}

function tlsOptions(settings: Settings, readFile: (path: string) => string): TlsOptions {
  const get = (key: string) => settings.get(key)?.value;
  const label = (key: string) => `${key} (${settings.get(key)?.from})`;
  for (const key of ["ssl.truststore.type", "ssl.keystore.type"]) {
    const type = get(key);
    if (type !== undefined && type.toUpperCase() !== "PEM") {
      throw new UsageError(
        `${label(key)} ${type} is not supported: use PEM (e.g. openssl pkcs12 -nodes -in STORE.p12)`,
      );
    }
  }
  if (get("ssl.keystore.password") !== undefined) {
    throw new UsageError(
      `${label("ssl.keystore.password")}: PEM key stores take no store password; give the key's as ssl.key.password`,
    );
  }
  const pemFile = (key: string): string | undefined => {
    const path = get(key);
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      throw new UsageError(`${label(key)}: cannot read ${path} (${(e as Error).message})`);
    }
    if (!text.includes("-----BEGIN ")) {
      throw new UsageError(`${label(key)}: ${path} is not PEM (JKS and PKCS12 stores are not supported: use PEM)`);
    }
    return text;
  };
  const out: TlsOptions = {};
  const ca = get("ssl.truststore.certificates") ?? pemFile("ssl.truststore.location");
  if (ca !== undefined) out.ca = ca;
  const store = pemFile("ssl.keystore.location");
  if (store !== undefined && (!/PRIVATE KEY-----/.test(store) || !/CERTIFICATE-----/.test(store))) {
    throw new UsageError(`${label("ssl.keystore.location")}: a PEM key store holds a private key and its certificate`);
  }
  const cert = get("ssl.keystore.certificate.chain") ?? pemFile("ssl.certificate.location") ??
    (store && pemBlocks(store, (name) => name.endsWith("CERTIFICATE")));
  const key = get("ssl.keystore.key") ?? pemFile("ssl.key.location") ??
    (store && pemBlocks(store, (name) => name.endsWith("PRIVATE KEY")));
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(
      "a client certificate needs its key and the key its certificate: give ssl.keystore.location (both in one " +
        "PEM file), ssl.keystore.key with ssl.keystore.certificate.chain, or ssl.certificate.location with " +
        "ssl.key.location",
    );
  }
  if (cert !== undefined) {
    out.cert = cert;
    out.key = key;
  }
  const keyPassword = get("ssl.key.password");
  if (keyPassword !== undefined) out.keyPassword = keyPassword;
  const algorithm = get("ssl.endpoint.identification.algorithm");
  if (algorithm !== undefined) {
    if (algorithm === "" || algorithm.toLowerCase() === "none") out.checkHostname = false;
    else if (algorithm.toLowerCase() !== "https") {
      throw new UsageError(
        `${label("ssl.endpoint.identification.algorithm")} must be https or empty (got "${algorithm}")`,
      );
    }
  }
  const verify = get("enable.ssl.certificate.verification");
  if (verify !== undefined) {
    if (!/^(true|false)$/i.test(verify)) {
      throw new UsageError(`${label("enable.ssl.certificate.verification")} must be true or false (got "${verify}")`);
    }
    if (verify.toLowerCase() === "false") {
      out.rejectUnauthorized = false;
      out.checkHostname = false;
    }
  }
  return out;
}

/** The PEM blocks of `text` whose label (CERTIFICATE, ENCRYPTED PRIVATE KEY, ...) `wanted` accepts. */
function pemBlocks(text: string, wanted: (name: string) => boolean): string {
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  return blocks.filter((b) => wanted(/-----BEGIN ([A-Z0-9 ]+)-----/.exec(b)![1])).join("\n") + "\n";
}
