/**
 * How AlterConfigs and IncrementalAlterConfigs change dynamic broker configs
 * and broker loggers, as Kafka 4.4 answers (asked of the reference broker):
 *
 * BROKER ("" = cluster-wide default, "<node.id>" = this broker): the legacy
 * API replaces the resource's whole set; the incremental one applies SET,
 * DELETE (of anything, set or not, known or not), APPEND and SUBTRACT (list
 * keys only, starting from the resource's own value or the key's default;
 * on others INVALID_CONFIG "Config value append is not allowed for config
 * key: k"). The keys set are then checked (config/dynamic_keys.ts): keys that
 * cannot change while running, per-broker keys on "", values — each
 * INVALID_REQUEST with Kafka's message.
 *
 * BROKER_LOGGER (IncrementalAlterConfigs only): SET a logger's level, DELETE
 * its own level so it follows root again. Every change of the resource is
 * checked before any applies: APPEND/SUBTRACT are INVALID_REQUEST "APPEND
 * operation is not allowed for the BROKER_LOGGER resource", DELETE of root
 * INVALID_REQUEST "Removing the log level of the root logger is not
 * allowed", an unknown logger INVALID_CONFIG "Logger x does not exist!", a
 * level other than Kafka's (case matters; Kafka 4.4 refuses OFF)
 * INVALID_CONFIG "Cannot set the log level of x to y as it is not a
 * supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO,
 * TRACE, WARN".
 */
import { type BrokerConfig, type ConfigKey, isConfigKey, keySpec } from "../config/keys.ts";
import { dynamicChangeProblem } from "../config/dynamic_keys.ts";
import { renderValue } from "../config/describe.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { isKafkaLogLevel, KAFKA_LOG_LEVELS, ROOT_LOGGER } from "../util/logger.ts";
import { ConfigOp, type TopicConfigAlteration } from "./topic_config_alter.ts";

const OP_NAMES = ["SET", "DELETE", "APPEND", "SUBTRACT"];

export interface ConfigProblem {
  errorCode: number;
  message: string;
}

/** A resource's new dynamic configs, or the first problem as Kafka reports it. */
export type BrokerAlterResult = { configs: Record<string, string> } | { error: ConfigProblem };

export function alterBrokerConfigs(
  cfg: BrokerConfig,
  current: Readonly<Record<string, string>>,
  alteration: TopicConfigAlteration,
  clusterDefault: boolean,
): BrokerAlterResult {
  // No prototype: a name such as __proto__ stays a name.
  const next: Record<string, string> = Object.create(null);
  const set: Array<[string, string]> = [];
  if (alteration.kind === "replace") {
    for (const [name, value] of Object.entries(alteration.configs)) {
      next[name] = value;
      set.push([name, value]);
    }
  } else {
    Object.assign(next, current);
    for (const { name, op, value } of alteration.changes) {
      if (op === ConfigOp.DELETE) {
        delete next[name];
        continue;
      }
      if (op === ConfigOp.SET) next[name] = value as string;
      else if (op === ConfigOp.APPEND || op === ConfigOp.SUBTRACT) {
        if (!isConfigKey(name) || keySpec(name).type !== "list") {
          return invalidConfig(`Config value ${OP_NAMES[op].toLowerCase()} is not allowed for config key: ${name}`);
        }
        next[name] = listChange(cfg, name, next[name], value as string, op === ConfigOp.APPEND);
      } else return invalidRequest(`Unknown operations type ${op}`);
      set.push([name, next[name]]);
    }
  }
  const problem = dynamicChangeProblem(set, clusterDefault);
  return problem !== null ? invalidRequest(problem) : { configs: { ...next } };
}

/** Kafka splits on "," and starts from the key's default when the resource has no value of its own. */
function listChange(cfg: BrokerConfig, key: ConfigKey, own: string | undefined, value: string, add: boolean): string {
  const spec = keySpec(key);
  const base = own ?? renderValue(spec, spec.default) ?? renderValue(spec, cfg[key]) ?? "";
  const parts = base.split(",").filter((p) => p !== "");
  for (const item of value.split(",")) {
    const at = parts.indexOf(item);
    if (add && at < 0) parts.push(item);
    if (!add && at >= 0) parts.splice(at, 1);
  }
  return parts.join(",");
}

export interface LoggerChange {
  name: string;
  op: number;
  value: string | null;
}

/** The loggers' new levels (root always present), or the first problem as Kafka reports it. */
export type LoggerAlterResult = { levels: Record<string, string> } | { error: ConfigProblem };

export function alterLoggerLevels(
  current: Readonly<Record<string, string>>,
  knownLoggers: ReadonlySet<string>,
  changes: readonly LoggerChange[],
): LoggerAlterResult {
  for (const { name, op, value } of changes) {
    if (op === ConfigOp.APPEND || op === ConfigOp.SUBTRACT) {
      return invalidRequest(`${OP_NAMES[op]} operation is not allowed for the BROKER_LOGGER resource`);
    }
    if (op === ConfigOp.DELETE) {
      if (name === ROOT_LOGGER) return invalidRequest("Removing the log level of the root logger is not allowed");
    } else if (op !== ConfigOp.SET) return invalidRequest(`Unknown operations type ${op}`);
    if (name !== ROOT_LOGGER && !knownLoggers.has(name)) return invalidConfig(`Logger ${name} does not exist!`);
    if (op === ConfigOp.SET && !isKafkaLogLevel(value ?? "")) {
      return invalidConfig(
        `Cannot set the log level of ${name} to ${value} as it is not a supported log level. ` +
          `Valid log levels are ${KAFKA_LOG_LEVELS.join(", ")}`,
      );
    }
  }
  const levels: Record<string, string> = { ...current };
  for (const { name, op, value } of changes) {
    if (op === ConfigOp.SET) levels[name] = value as string;
    else delete levels[name];
  }
  return { levels };
}

function invalidConfig(message: string): { error: ConfigProblem } {
  return { error: { errorCode: ErrorCode.INVALID_CONFIG, message } };
}

function invalidRequest(message: string): { error: ConfigProblem } {
  return { error: { errorCode: ErrorCode.INVALID_REQUEST, message } };
}
