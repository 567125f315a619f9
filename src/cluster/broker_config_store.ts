/**
 * The controller's record of dynamic broker configs (Kafka keeps them as
 * ConfigRecords in the metadata log): the cluster-wide defaults (BROKER
 * resource "") and this broker's own (BROKER resource "<node.id>"), each a
 * map of name → value as altered. Kept in
 * `<log dir>/__tsbroker_broker_configs.json`, replaced atomically on every
 * change, read at start, so the values survive restarts and apply before
 * the first partition opens.
 *
 * A file that cannot be read is kept aside (`<file>.corrupt-<time>`) with a
 * WARN and the broker starts with its static configs only: losing dynamic
 * overrides must not stop the broker, and the operator is told which file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { errorMessage, writeFileAtomic } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";

const FILE = "__tsbroker_broker_configs.json";
const FORMAT_VERSION = 1;

export interface StoredBrokerConfigs {
  clusterDefaults: Record<string, string>;
  perBroker: Record<string, string>;
}

export class BrokerConfigStore {
  private constructor(private readonly file: string, private current: StoredBrokerConfigs) {}

  static open(logDir: string, log: Logger): BrokerConfigStore {
    const file = path.join(logDir, FILE);
    let stored: StoredBrokerConfigs = { clusterDefaults: {}, perBroker: {} };
    if (fs.existsSync(file)) {
      try {
        stored = decode(fs.readFileSync(file, "utf8"));
      } catch (e) {
        const aside = `${file}.corrupt-${Date.now()}`;
        fs.renameSync(file, aside);
        log.warn(
          `Dynamic broker configs ${file} cannot be read (${errorMessage(e)}); it was kept as ${aside}. ` +
            `The broker starts with its static configs: set the dynamic ones again (kafka-configs --alter)`,
        );
      }
    }
    return new BrokerConfigStore(file, stored);
  }

  get(): StoredBrokerConfigs {
    return this.current;
  }

  /** Persists both maps; the caller publishes them only after this returned. */
  save(next: StoredBrokerConfigs): void {
    const body = { version: FORMAT_VERSION, clusterDefaults: next.clusterDefaults, perBroker: next.perBroker };
    writeFileAtomic(this.file, JSON.stringify(body, null, 2) + "\n");
    this.current = { clusterDefaults: { ...next.clusterDefaults }, perBroker: { ...next.perBroker } };
  }
}

function decode(text: string): StoredBrokerConfigs {
  const body = JSON.parse(text);
  if (typeof body !== "object" || body === null || body.version !== FORMAT_VERSION) {
    throw new Error(`not a version ${FORMAT_VERSION} broker config file`);
  }
  return { clusterDefaults: stringMap(body.clusterDefaults), perBroker: stringMap(body.perBroker) };
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("a map is missing");
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new Error(`the value of ${k} is not a string`);
    out[k] = v;
  }
  return { ...out };
}
