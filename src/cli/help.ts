/** Text printed by `tsbroker --help`. */
import { describeConfigTable } from "../config/render.ts";
import { VERSION } from "../version.ts";

export function helpText(): string {
  return `tsbroker ${VERSION} — a Kafka-compatible broker for Deno and Bun

Usage:
  tsbroker [--config <file>] [--override <key>=<value>]...
  tsbroker --help | --version

Flags:
  -c, --config <file>          TOML config file with Kafka-style keys (default: built-in defaults only)
  -o, --override <key>=<value> Set one key after the file is read; repeatable, later ones win
  -h, --help                   Show this help and exit
  -V, --version                Print the version and exit

Examples:
  tsbroker --config broker.toml
  tsbroker -c broker.toml -o num.partitions=3 -o listeners=PLAINTEXT://0.0.0.0:9092
  tsbroker --override log.dirs=/var/lib/tsbroker --override tsbroker.log.level=debug

Precedence: built-in defaults < config file < --override.
Full reference: docs/configuration.md

Configuration keys:

${describeConfigTable()}`;
}
