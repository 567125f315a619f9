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
      "Serve the web console under /console/ on the metrics HTTP server (tsbroker.metrics.listener): topics, records, consumer groups and the broker's configuration, read through the broker's own Kafka listener.",
  },
  "tsbroker.console.allow.changes": {
    type: "boolean",
    default: false,
    origin: "tsbroker",
    doc:
      "Let the web console create and delete topics. When false the console is read-only and its POST/DELETE endpoints answer 403.",
  },
} as const satisfies Record<string, KeySpec>;
