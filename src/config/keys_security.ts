/**
 * The key table's security keys (SASL so far), spread into CONFIG_KEYS in
 * keys.ts. Kafka's per-listener forms `listener.name.<listener>.<key>` and
 * `listener.name.<listener>.<mechanism>.sasl.jaas.config` are not table
 * rows (their names embed a listener); `listenerScopedKey` recognises them
 * for the loader, and config/sasl_settings.ts reads them per listener.
 */
import type { KeySpec } from "./key_spec.ts";

export const SECURITY_KEYS = {
  "sasl.enabled.mechanisms": {
    type: "list",
    default: ["PLAIN"],
    format: "PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512",
    origin: "kafka",
    kafkaDefault: "GSSAPI",
    doc:
      "SASL mechanisms a SASL listener offers, in the order the handshake lists them (per listener: listener.name.<name>.sasl.enabled.mechanisms). GSSAPI (Kerberos) and OAUTHBEARER are not served; naming them is an error. tsbroker defaults to PLAIN because Kafka's default, GSSAPI, is not available.",
  },
  "sasl.mechanism.inter.broker.protocol": {
    type: "string",
    default: "GSSAPI",
    origin: "kafka",
    doc: "Mechanism brokers use among themselves; accepted for compatibility and unused (tsbroker is one node).",
  },
  "sasl.jaas.config": {
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
} as const satisfies Record<string, KeySpec>;

/** Keys that may also be given per listener as `listener.name.<listener>.<key>`. */
const PER_LISTENER = ["sasl.enabled.mechanisms", "sasl.server.max.receive.size"];

/** A per-listener key, split up; null if `key` is not one tsbroker reads. */
export function listenerScopedKey(
  key: string,
): { listener: string; mechanism: string | null; key: string } | null {
  const m = /^listener\.name\.([A-Za-z0-9_-]+)\.(.+)$/.exec(key);
  if (!m) return null;
  const listener = m[1].toUpperCase();
  if (PER_LISTENER.includes(m[2])) return { listener, mechanism: null, key: m[2] };
  const jaas = /^([a-z0-9-]+)\.sasl\.jaas\.config$/.exec(m[2]);
  if (jaas) return { listener, mechanism: jaas[1].toUpperCase(), key: "sasl.jaas.config" };
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
