/** A LocalPartition over a real PartitionLog and producer state, for the transaction and cleaner tests. */
import * as fs from "node:fs";
import { PartitionLog } from "../../src/log/partition_log.ts";
import { ProducerStateManager } from "../../src/log/producer_state.ts";
import type { LogConfig } from "../../src/log/log_config.ts";
import { LocalPartition } from "../../src/replica/local_partition.ts";
import { loadConfig } from "../../src/config/load.ts";
import { resolveAppendPolicy } from "../../src/cluster/topic_config.ts";
import { captureLogger, config, partitionDir, T0, TOPIC_ID } from "./log_helpers.ts";

export const NOW = Number(T0);

export interface Opened {
  part: LocalPartition;
  log: PartitionLog;
}

/**
 * Opens partition t-0 under `dir`. Its batches are taken as a verified producer's would be (verifyTxns off):
 * the tests of KIP-890's guard turn it on.
 */
export function openTxnPartition(dir: string, cfg: Partial<LogConfig> = {}, cleanShutdown = true): Opened {
  const { logger } = captureLogger();
  const pdir = partitionDir(dir);
  fs.mkdirSync(pdir, { recursive: true });
  const producers = new ProducerStateManager(pdir, { logger, now: () => NOW });
  const logConfig = config(cfg);
  const log = PartitionLog.open({
    dir: pdir,
    topic: "t",
    partition: 0,
    topicId: TOPIC_ID,
    config: logConfig,
    recoveryPoint: 0n,
    cleanShutdown,
    logger,
    now: () => NOW,
    producerState: producers,
  });
  const image = { name: "t", topicId: TOPIC_ID, partitions: 1, internal: false, configs: {} };
  const policy = resolveAppendPolicy(loadConfig({ overrides: [`log.dirs=${dir}`] }), {});
  const part = new LocalPartition(image, 0, pdir, log, producers, logConfig, policy);
  part.verifyTxns = false;
  return { part, log };
}
