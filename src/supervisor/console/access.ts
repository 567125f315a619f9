/**
 * How the console reaches the broker, decided once at start from the
 * listeners and the authorizer. The console is an ordinary Kafka client
 * (Kafka's own model for tools), so when the broker has security it must act
 * as a user who logged in, or it would see everything as User:ANONYMOUS or
 * nothing at all:
 * - "open": no authorizer and a PLAINTEXT listener: one shared client, no
 *   login (the console as it always was);
 * - "login": an authorizer, or no PLAINTEXT listener: each user logs in with
 *   a password mechanism over a SASL listener (SASL_PLAINTEXT preferred, it
 *   needs no certificates; else SASL_SSL trusting the broker's own
 *   certificate chain and trust store);
 * - "unavailable": login is needed but no SASL listener offers a password
 *   mechanism; the reason names what to configure.
 */
import type { ClientOptions } from "../../client/network_client.ts";
import type { SaslMechanismName } from "../../client/sasl.ts";

/** One listener as the console sees it: advertised address (port resolved) and its security settings. */
export interface ListenerFacts {
  name: string;
  securityProtocol: string;
  host: string;
  port: number;
  /** SASL listeners: the mechanisms enabled on it (per-listener override already applied). */
  mechanisms?: readonly string[];
  /** SASL_SSL listeners: PEM certificates a client should trust (the listener's chain and trust store). */
  caPem?: string;
}

export type AccessPlan =
  | { kind: "open"; client: ClientOptions }
  | { kind: "login"; client: ClientOptions; listener: string; mechanisms: SaslMechanismName[] }
  | { kind: "unavailable"; reason: string };

/** What the login form can send: a user name and password (OAUTHBEARER needs a token from elsewhere). */
export const PASSWORD_MECHANISMS: readonly SaslMechanismName[] = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"];

const SASL_EXAMPLE = "e.g. listeners=...,SASL_PLAINTEXT://127.0.0.1:9094 with " +
  "listener.security.protocol.map=...,SASL_PLAINTEXT:SASL_PLAINTEXT and sasl.enabled.mechanisms=SCRAM-SHA-256";

/** Decides how the console connects; `authorizer` is authorizer.class.name ("" for none). */
export function planAccess(authorizer: string, listeners: readonly ListenerFacts[]): AccessPlan {
  const plain = listeners.find((l) => l.securityProtocol === "PLAINTEXT");
  if (authorizer === "" && plain) return { kind: "open", client: { bootstrapServers: [address(plain)] } };
  const why = authorizer !== ""
    ? `the broker checks ACLs (authorizer.class.name=${authorizer}), so console users log in as themselves`
    : "the broker has no PLAINTEXT listener, so console users log in";
  const sasl = ["SASL_PLAINTEXT", "SASL_SSL"]
    .flatMap((protocol) => listeners.filter((l) => l.securityProtocol === protocol));
  if (sasl.length === 0) {
    return {
      kind: "unavailable",
      reason: `${why}, which needs a SASL listener (SASL_PLAINTEXT or SASL_SSL) and this broker has only ` +
        `${describe(listeners)}: add one (${SASL_EXAMPLE})`,
    };
  }
  for (const l of sasl) {
    // Offered in the order the listener enables them: the first is the form's default.
    const mechanisms = (l.mechanisms ?? []).filter((m): m is SaslMechanismName =>
      (PASSWORD_MECHANISMS as readonly string[]).includes(m)
    );
    if (mechanisms.length === 0) continue;
    const client: ClientOptions = { bootstrapServers: [address(l)] };
    if (l.securityProtocol === "SASL_SSL") client.tls = { ca: l.caPem };
    return { kind: "login", client, listener: l.name, mechanisms };
  }
  return {
    kind: "unavailable",
    reason: `${why} with a user name and password, and no SASL listener enables PLAIN or SCRAM ` +
      `(${sasl.map((l) => `${l.name}: ${(l.mechanisms ?? []).join(", ") || "none"}`).join("; ")}): add ` +
      `SCRAM-SHA-256 or PLAIN to sasl.enabled.mechanisms (or listener.name.<listener>.sasl.enabled.mechanisms)`,
  };
}

/**
 * host:port to connect to: the advertised host (a TLS certificate names it), except that a wildcard, which
 * only appears when nothing better was known, means this machine.
 */
function address(l: ListenerFacts): string {
  const host = l.host === "0.0.0.0" || l.host === "" ? "127.0.0.1" : l.host;
  return `${host.includes(":") ? `[${host}]` : host}:${l.port}`;
}

function describe(listeners: readonly ListenerFacts[]): string {
  return listeners.map((l) => `${l.name} (${l.securityProtocol})`).join(", ");
}
