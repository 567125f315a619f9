/**
 * A SASL listener's settings from the config: its mechanisms, its PLAIN
 * users and its limits, each read from the per-listener key when given
 * (`listener.name.<name>.sasl.enabled.mechanisms`,
 * `listener.name.<name>.plain.sasl.jaas.config`, ...) and from the broker-wide
 * key otherwise, as Kafka does. Problems are reported through `fail` with a
 * message saying what to write instead.
 */
import type { BrokerConfig, ConfigKey } from "./keys.ts";
import { listenerScopedKey, listenerScopedValues } from "./keys_security.ts";
import {
  type JaasEntry,
  JaasError,
  OAUTHBEARER_LOGIN_MODULE,
  parseJaasConfig,
  PLAIN_LOGIN_MODULE,
  plainUsers,
  SCRAM_LOGIN_MODULE,
} from "./jaas.ts";
import { resolveOAuthBearer } from "./sasl_oauthbearer.ts";
export type { OAuthBearerSettings } from "./sasl_oauthbearer.ts";
import type { OAuthBearerSettings } from "./sasl_oauthbearer.ts";

export const PLAIN = "PLAIN";
export const SCRAM_SHA_256 = "SCRAM-SHA-256";
export const SCRAM_SHA_512 = "SCRAM-SHA-512";
export const OAUTHBEARER = "OAUTHBEARER";
/** Mechanisms tsbroker can serve. */
export const SERVED_MECHANISMS: readonly string[] = [PLAIN, SCRAM_SHA_256, SCRAM_SHA_512, OAUTHBEARER];

/** A SASL listener's settings, as the processor Worker receives them. */
export interface SaslListenerSettings {
  /** Enabled mechanisms, in the order the handshake lists them. */
  mechanisms: string[];
  /** PLAIN users: name → password (the listener's PLAIN JAAS config). */
  plainUsers: Array<[string, string]>;
  /** sessionLifetimeMs reported in SaslAuthenticate v1+ (connections.max.reauth.ms; 0 = none). */
  sessionLifetimeMs: number;
  /** Largest frame accepted before authentication (sasl.server.max.receive.size). */
  maxReceiveBytes: number;
  /** How long a failed authentication's answer and close wait (connection.failed.authentication.delay.ms). */
  failedAuthDelayMs?: number;
  /** How OAUTHBEARER tokens are validated, when the listener enables OAUTHBEARER. */
  oauthbearer?: OAuthBearerSettings;
}

type Fail = (key: ConfigKey, problem: string) => never;

const NOT_SERVED: Record<string, string> = {
  GSSAPI: "GSSAPI (Kerberos) is not available in tsbroker",
};

export function resolveSaslSettings(cfg: BrokerConfig, listener: string, fail: Fail): SaslListenerSettings {
  // This listener's own keys, by key (with the mechanism for JAAS configs); the listener part of their names is case-free.
  const scoped = new Map<string, string>();
  for (const [name, value] of listenerScopedValues(cfg)) {
    const key = listenerScopedKey(name);
    if (key?.listener === listener) scoped.set(key.mechanism ? `${key.mechanism}/${key.key}` : key.key, value);
  }
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  const own = (key: string): string | undefined => scoped.get(key);

  const listed = own("sasl.enabled.mechanisms");
  const mechanisms = listed !== undefined
    ? listed.split(",").map((m) => m.trim()).filter((m) => m !== "")
    : cfg["sasl.enabled.mechanisms"];
  const where = listed !== undefined ? `${prefix}sasl.enabled.mechanisms` : "sasl.enabled.mechanisms";
  if (mechanisms.length === 0) fail("sasl.enabled.mechanisms", `${where} is empty for SASL listener ${listener}`);
  for (const m of mechanisms) {
    if (!SERVED_MECHANISMS.includes(m)) {
      fail(
        "sasl.enabled.mechanisms",
        `${where} names ${m}: ${NOT_SERVED[m] ?? "unknown mechanism"}; use ${SERVED_MECHANISMS.join(", ")}`,
      );
    }
  }

  let users: Array<[string, string]> = [];
  let oauthEntry: JaasEntry | null = null;
  for (const mechanism of mechanisms) {
    const ownKey = `${prefix}${mechanism.toLowerCase()}.sasl.jaas.config`;
    const text = own(`${mechanism}/sasl.jaas.config`) ?? (cfg["sasl.jaas.config"] || undefined);
    const keyName = own(`${mechanism}/sasl.jaas.config`) !== undefined ? ownKey : "sasl.jaas.config";
    if (text === undefined) {
      if (mechanism === PLAIN) {
        fail(
          "sasl.jaas.config",
          `PLAIN is enabled on listener ${listener} but no JAAS config lists its users: set ${ownKey}=` +
            `'${PLAIN_LOGIN_MODULE} required user_<name>="<password>";'`,
        );
      }
      continue;
    }
    let entry;
    try {
      entry = parseJaasConfig(text);
    } catch (e) {
      if (!(e instanceof JaasError)) throw e;
      return fail("sasl.jaas.config", `${keyName}: ${e.message}`);
    }
    const expected = mechanism === PLAIN
      ? PLAIN_LOGIN_MODULE
      : mechanism === OAUTHBEARER
      ? OAUTHBEARER_LOGIN_MODULE
      : SCRAM_LOGIN_MODULE;
    if (entry.loginModule !== expected && (keyName !== "sasl.jaas.config" || mechanism === PLAIN)) {
      fail("sasl.jaas.config", `${keyName} names ${entry.loginModule}; ${mechanism} needs ${expected}`);
    }
    if (mechanism === PLAIN) users = [...plainUsers(entry)];
    if (mechanism === OAUTHBEARER && entry.loginModule === expected) oauthEntry = entry;
  }
  const oauthbearer = mechanisms.includes(OAUTHBEARER)
    ? resolveOAuthBearer(cfg, listener, oauthEntry, (key) => own(`${OAUTHBEARER}/${key}`), fail)
    : undefined;

  const receive = own("sasl.server.max.receive.size");
  const maxReceiveBytes = receive !== undefined ? Number(receive) : cfg["sasl.server.max.receive.size"];
  if (!Number.isInteger(maxReceiveBytes) || maxReceiveBytes < 1) {
    fail("sasl.server.max.receive.size", `${prefix}sasl.server.max.receive.size = ${receive}: expected an integer ≥ 1`);
  }
  return {
    mechanisms: [...mechanisms],
    plainUsers: users,
    sessionLifetimeMs: cfg["connections.max.reauth.ms"],
    maxReceiveBytes,
    failedAuthDelayMs: cfg["connection.failed.authentication.delay.ms"],
    ...(oauthbearer ? { oauthbearer } : {}),
  };
}

/** Per-listener SASL keys naming a listener that is not a SASL listener (likely a typo). */
export function strayListenerKeys(cfg: BrokerConfig, saslListeners: readonly string[]): string[] {
  return [...listenerScopedValues(cfg).keys()].filter((key) => {
    const scoped = listenerScopedKey(key);
    return scoped !== null && !saslListeners.includes(scoped.listener);
  });
}
