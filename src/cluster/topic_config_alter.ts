/**
 * How AlterConfigs and IncrementalAlterConfigs turn a topic's current
 * overrides into new ones, as Kafka's controller does
 * (ConfigurationControlManager): the legacy API replaces the whole set; the
 * incremental one applies SET, DELETE, APPEND and SUBTRACT per key, where
 * APPEND and SUBTRACT work on list configs only and start from the default
 * when the topic has no override. Only the keys whose value changes are
 * validated (Kafka validates the whole set, but the unchanged values passed
 * when they were set); this lets __consumer_offsets, whose
 * cleanup.policy=compact is set by tsbroker itself, still be altered.
 */
import type { BrokerConfig } from "../config/keys.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { TOPIC_CONFIGS, type TopicConfigError, validateTopicConfigs } from "./topic_config.ts";

/** Kafka's AlterConfigOp.OpType ids. */
export const ConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ["SET", "DELETE", "APPEND", "SUBTRACT"];

export interface ConfigChange {
  name: string;
  op: number;
  value: string | null;
}

/** What the controller applies to one topic: a whole new set (AlterConfigs) or changes (IncrementalAlterConfigs). */
export type TopicConfigAlteration =
  | { kind: "replace"; configs: Record<string, string> }
  | { kind: "incremental"; changes: ConfigChange[] };

/** The topic's new overrides, or the first problem as Kafka reports it. */
export type AlterResult = { configs: Record<string, string> } | { error: TopicConfigError };

export function alterTopicConfigs(
  cfg: BrokerConfig,
  current: Readonly<Record<string, string>>,
  alteration: TopicConfigAlteration,
): AlterResult {
  const next = alteration.kind === "replace"
    ? { configs: { ...alteration.configs } }
    : applyChanges(cfg, current, alteration.changes);
  if ("error" in next) return next;
  const changed: Record<string, string> = {};
  for (const [name, value] of Object.entries(next.configs)) {
    if (current[name] !== value) changed[name] = value;
  }
  const error = validateTopicConfigs(changed);
  return error ? { error } : next;
}

function applyChanges(
  cfg: BrokerConfig,
  current: Readonly<Record<string, string>>,
  changes: ConfigChange[],
): AlterResult {
  // No prototype: a key named __proto__ stays a key (and is refused as unknown).
  const next: Record<string, string> = Object.assign(Object.create(null), current);
  for (const { name, op, value } of changes) {
    switch (op) {
      case ConfigOp.SET:
        next[name] = value as string;
        break;
      case ConfigOp.DELETE:
        delete next[name];
        break;
      case ConfigOp.APPEND:
      case ConfigOp.SUBTRACT: {
        if (!Object.hasOwn(TOPIC_CONFIGS, name) || TOPIC_CONFIGS[name].type !== "list") {
          return {
            error: {
              errorCode: ErrorCode.INVALID_CONFIG,
              message: `Can't ${OP_NAMES[op]} to key ${name} because its type is not LIST.`,
            },
          };
        }
        // Kafka splits on "," without trimming, and starts from the default when there is no override.
        const base = next[name] ?? TOPIC_CONFIGS[name].defaultValue(cfg);
        const parts = base.split(",").filter((p) => p !== "");
        for (const item of (value as string).split(",")) {
          if (op === ConfigOp.APPEND) {
            if (!parts.includes(item)) parts.push(item);
          } else {
            const at = parts.indexOf(item);
            if (at >= 0) parts.splice(at, 1);
          }
        }
        next[name] = parts.join(",");
        break;
      }
      default:
        return { error: { errorCode: ErrorCode.INVALID_REQUEST, message: `Unknown operations type ${op}` } };
    }
  }
  return { configs: next };
}
