/**
 * Listener rules: `listeners`, `advertised.listeners` and
 * `listener.security.protocol.map` only make sense together, so they are
 * parsed and checked as one unit here.
 */
import { hostname } from "node:os";
import { type HostPort, isWildcardHost, parseHostPort } from "./address.ts";
import { ConfigError } from "./errors.ts";
import { isListenerConnectionKey } from "./connection_limits.ts";
import type { BrokerConfig, ConfigKey } from "./keys.ts";
import { resolveSaslSettings, type SaslListenerSettings, strayListenerKeys } from "./sasl_settings.ts";
import { resolveTlsSettings, strayTlsKeys, type TlsListenerSettings } from "./tls_settings.ts";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

const SASL_PROTOCOLS: readonly SecurityProtocol[] = ["SASL_PLAINTEXT", "SASL_SSL"];
const TLS_PROTOCOLS: readonly SecurityProtocol[] = ["SSL", "SASL_SSL"];

export interface Listener {
  /** Upper-cased, as Kafka normalises listener names. */
  name: string;
  securityProtocol: SecurityProtocol;
  /** Address to bind; "" means all interfaces; IPv6 without brackets. */
  host: string;
  /** Port to bind; 0 means any free port. */
  port: number;
  /** Address to give clients in Metadata responses. */
  advertisedHost: string;
  /** 0 only when the listener binds port 0: use the port actually bound. */
  advertisedPort: number;
  /** SASL_PLAINTEXT and SASL_SSL listeners: mechanisms, PLAIN users and limits; null otherwise. */
  sasl: SaslListenerSettings | null;
  /** SSL and SASL_SSL listeners: key, certificates, client authentication; null otherwise. */
  tls: TlsListenerSettings | null;
}

/** Reports a problem with `key`; never returns. */
export type Fail = (key: ConfigKey, problem: string) => never;

interface NamedAddress extends HostPort {
  name: string;
}

function parseListenerEntry(key: ConfigKey, entry: string, fail: Fail): NamedAddress {
  const m = /^([A-Za-z0-9_-]+):\/\/(.*)$/.exec(entry);
  if (!m) return fail(key, `entry "${entry}" is not of the form NAME://host:port`);
  const address = parseHostPort(m[2]);
  if (typeof address === "string") return fail(key, `entry "${entry}": ${address}`);
  return { name: m[1].toUpperCase(), ...address };
}

function parseListenerList(key: ConfigKey, entries: readonly string[], fail: Fail): NamedAddress[] {
  const parsed = entries.map((entry) => parseListenerEntry(key, entry, fail));
  const seen = new Set<string>();
  for (const l of parsed) {
    if (seen.has(l.name)) fail(key, `listener name ${l.name} is used more than once`);
    seen.add(l.name);
  }
  return parsed;
}

export function parseSecurityProtocolMap(entries: readonly string[], fail: Fail): Map<string, SecurityProtocol> {
  const key = "listener.security.protocol.map";
  const map = new Map<string, SecurityProtocol>();
  for (const entry of entries) {
    const m = /^([A-Za-z0-9_-]+)\s*:\s*([A-Za-z_]+)$/.exec(entry);
    if (!m) fail(key, `entry "${entry}" is not of the form NAME:PROTOCOL`);
    const name = m[1].toUpperCase();
    const protocol = SECURITY_PROTOCOLS.find((p) => p === m[2].toUpperCase());
    if (!protocol) {
      fail(
        key,
        `entry "${entry}" names unknown security protocol ${m[2]}, expected one of ${SECURITY_PROTOCOLS.join(", ")}`,
      );
    }
    if (map.has(name)) fail(key, `listener name ${name} is mapped more than once`);
    map.set(name, protocol);
  }
  return map;
}

/** Parses and cross-checks the listener keys; `fail` decides how problems are reported. */
export function resolveListeners(cfg: BrokerConfig, fail: Fail): Listener[] {
  const listeners = parseListenerList("listeners", cfg["listeners"], fail);
  const advertised = parseListenerList("advertised.listeners", cfg["advertised.listeners"], fail);
  const protocols = parseSecurityProtocolMap(cfg["listener.security.protocol.map"], fail);

  // Kafka requires distinct ports; two listeners on one port could not both bind.
  const byPort = new Map<number, string>();
  for (const l of listeners) {
    const other = byPort.get(l.port);
    if (other !== undefined) fail("listeners", `listeners ${other} and ${l.name} both use port ${l.port}`);
    if (l.port !== 0) byPort.set(l.port, l.name);
  }

  const names = listeners.map((l) => l.name);
  for (const a of advertised) {
    if (!names.includes(a.name)) {
      fail("advertised.listeners", `listener name ${a.name} is not in listeners (${names.join(", ")})`);
    }
    if (isWildcardHost(a.host)) {
      fail(
        "advertised.listeners",
        `listener ${a.name} advertises "${a.host}", which clients cannot connect to; give a host name or IP`,
      );
    }
    if (a.port === 0) {
      fail("advertised.listeners", `listener ${a.name} advertises port 0; give the port clients should use`);
    }
  }

  const resolved = listeners.map((l) => {
    const protocol = protocols.get(l.name);
    if (!protocol) {
      fail(
        "listeners",
        `listener ${l.name} has no entry in listener.security.protocol.map (add "${l.name}:PLAINTEXT")`,
      );
    }
    const ad = advertised.find((a) => a.name === l.name);
    return {
      name: l.name,
      securityProtocol: protocol,
      host: l.host,
      port: l.port,
      advertisedHost: ad?.host ?? (isWildcardHost(l.host) ? hostname() : l.host),
      advertisedPort: ad?.port ?? l.port,
      sasl: SASL_PROTOCOLS.includes(protocol) ? resolveSaslSettings(cfg, l.name, fail) : null,
      tls: TLS_PROTOCOLS.includes(protocol) ? resolveTlsSettings(cfg, l.name, protocol === "SASL_SSL", fail) : null,
    };
  });
  const strayTls = strayTlsKeys(cfg, resolved.filter((l) => l.tls !== null).map((l) => l.name));
  if (strayTls.length > 0) {
    fail("listeners", `${strayTls.join(", ")} ${strayTls.length === 1 ? "names" : "name"} no SSL or SASL_SSL listener`);
  }
  // ssl.* keys are checked above, connection limits in validate.ts; the rest of the per-listener keys are SASL's.
  const stray = strayListenerKeys(cfg, resolved.filter((l) => l.sasl !== null).map((l) => l.name))
    .filter((key) => !/^listener\.name\.[^.]+\.ssl\./.test(key) && !isListenerConnectionKey(key));
  if (stray.length > 0) {
    fail("listeners", `${stray.join(", ")} ${stray.length === 1 ? "names" : "name"} no SASL listener of listeners`);
  }
  return resolved;
}

/** The listeners of a loaded config, with protocol and advertised address resolved. */
export function parseListeners(cfg: BrokerConfig): Listener[] {
  return resolveListeners(cfg, (key, problem) => {
    throw new ConfigError(`${key}: ${problem}`, { key });
  });
}
