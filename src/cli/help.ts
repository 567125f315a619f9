/**
 * Text printed by `tsbroker --help` (an 80-column page: usage, flags, the
 * keys most people set) and `tsbroker --help-config` (every key, as plain
 * wrapped text). Both are derived from the one key table, so neither can
 * drift from what the loader accepts.
 */
import { describeConfigKeys, plainDefault } from "../config/render.ts";
import { type ConfigKey, keySpec } from "../config/keys.ts";
import { VERSION } from "../version.ts";

/** The keys a first-time user is most likely to set, in the order they meet them. */
const COMMON_KEYS: readonly ConfigKey[] = [
  "listeners",
  "advertised.listeners",
  "log.dirs",
  "num.partitions",
  "auto.create.topics.enable",
  "log.retention.hours",
  "tsbroker.fsync.acks.all",
  "tsbroker.metrics.listener",
  "tsbroker.log.level",
];

function commonKeyLines(): string {
  const width = Math.max(...COMMON_KEYS.map((k) => k.length));
  return COMMON_KEYS.map((key) => {
    const line = `  ${key.padEnd(width)}  ${plainDefault(keySpec(key))}`;
    return line.length <= 80 ? line : line.slice(0, 77) + "...";
  }).join("\n");
}

export function helpText(): string {
  return `tsbroker ${VERSION}: a Kafka-compatible broker for Deno and Bun

Usage:
  tsbroker [--config <file>] [--override <key>=<value>]...
  tsbroker --help | --help-config | --version
  tsbroker topic|produce|consume|group|cluster|perf ...   operator tools:
      a client for this or any Kafka broker; each has --help

Flags:
  -c, --config <file>      TOML file of Kafka-style keys (relative to the
                           current directory); without it, built-in defaults
  -o, --override <k>=<v>   Set one key after the file; repeatable, last wins
  -h, --help               Show this help and exit
      --help-config        List every config key with its default and meaning
  -V, --version            Print the version and exit

Common keys (default):
${commonKeyLines()}

Environment: KAFKA_<KEY> and TSBROKER_<KEY> variables set keys too, as in
Kafka's container image (KAFKA_ADVERTISED_LISTENERS=...); see the docs.
Precedence: defaults < config file < environment < --override.

Examples:
  tsbroker --config broker.toml
  tsbroker -o listeners=PLAINTEXT://0.0.0.0:9092 -o num.partitions=3
  tsbroker -o log.dirs=/var/lib/tsbroker -o tsbroker.log.level=debug

Every key: tsbroker --help-config, or docs/configuration.md
`;
}

export function configHelpText(): string {
  return `tsbroker ${VERSION} configuration keys (also in docs/configuration.md)

${describeConfigKeys(80)}`;
}
