/**
 * The key table's web console keys, spread into CONFIG_KEYS in keys.ts. The
 * console lives on the metrics HTTP server (tsbroker.metrics.listener), so
 * it binds where that binds: localhost unless the operator says otherwise.
 */
import type { KeySpec } from "./key_spec.ts";

export const CONSOLE_KEYS = {
  "tsbroker.console.enable": {
    type: "boolean",
    default: true,
    origin: "tsbroker",
    doc:
      "Serve the web console under /console/ on the metrics HTTP server (tsbroker.metrics.listener): topics, records, consumer groups and the broker's configuration, read through the broker's own Kafka listener. When the broker has security (an authorizer, or no PLAINTEXT listener) the console asks for a Kafka user's login (PLAIN or SCRAM over a SASL listener) and shows what that user's ACLs allow.",
  },
  "tsbroker.console.allow.changes": {
    type: "boolean",
    default: false,
    origin: "tsbroker",
    doc:
      "Let the web console create and delete topics. When false the console is read-only and its POST/DELETE endpoints answer 403.",
  },
  "tsbroker.console.allowed.hosts": {
    type: "list",
    default: [],
    origin: "tsbroker",
    format: "host or host:port, or * for any",
    doc:
      "Host names the web console answers besides the metrics listener's own address, localhost, 127.0.0.1 and [::1] (each with the listener's port). A request whose Host header names another host gets 403, and a changing request (POST/DELETE/PUT) also needs an Origin or Referer of an allowed host: this stops DNS rebinding and cross-site requests. Add the name the console is reached by (e.g. console.example.com, or host:port through a proxy); a name without a port matches any port.",
  },
} as const satisfies Record<string, KeySpec>;
