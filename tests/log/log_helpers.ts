/** Shared helpers for the partition log tests: temp dirs, configs, batches, a capturing logger. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBatch } from "../../src/log/record_batch.ts";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "../../src/log/log_config.ts";
import { type OpenOptions, PartitionLog } from "../../src/log/partition_log.ts";
import { Logger } from "../../src/util/logger.ts";

export const T0 = 1_700_000_000_000n;
export const TOPIC_ID = "AAAAAAAAAAAAAAAAAAAAAQ";

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-log-"));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/** A logger whose info/warn/error lines are kept instead of printed. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger("test");
  logger.info = (m: string) => void lines.push(m);
  logger.warn = (m: string) => void lines.push(`WARN ${m}`);
  logger.error = (m: string) => void lines.push(`ERROR ${m}`);
  logger.debug = () => {};
  return { logger, lines };
}

/** An uncompressed batch of `n` records, record i at baseTimestamp + tsStep*i, values of `valueBytes`. */
export function batch(
  n: number,
  opts: { baseTimestamp?: bigint; tsStep?: number; valueBytes?: number; tag?: number } = {},
) {
  const records = Array.from({ length: n }, (_, i) => ({
    key: null,
    value: new Uint8Array(opts.valueBytes ?? 20).fill((opts.tag ?? 0) + i),
    timestampDelta: i * (opts.tsStep ?? 1),
  }));
  return buildBatch(records, { baseTimestamp: opts.baseTimestamp ?? T0 });
}

export function openLog(
  dir: string,
  cfg: Partial<LogConfig> = {},
  extra: Partial<OpenOptions> = {},
): { log: PartitionLog; lines: string[] } {
  const { logger, lines } = captureLogger();
  const log = PartitionLog.open({
    dir: partitionDir(dir),
    topic: "t",
    partition: 0,
    topicId: TOPIC_ID,
    config: config(cfg),
    recoveryPoint: 0n,
    cleanShutdown: true,
    logger,
    ...extra,
  });
  return { log, lines };
}

export function partitionDir(dir: string): string {
  return path.join(dir, "t-0");
}

/** Splits bytes into whole batches' [baseOffset, lastOffset, bytes]. */
export function batchesOf(bytes: Uint8Array): Array<{ base: bigint; last: bigint; bytes: Uint8Array }> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = [];
  for (let pos = 0; pos < bytes.length;) {
    const size = 12 + v.getInt32(pos + 8);
    const base = v.getBigInt64(pos);
    out.push({ base, last: base + BigInt(v.getInt32(pos + 23)), bytes: bytes.subarray(pos, pos + size) });
    pos += size;
  }
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function isRecords(r: { error: number } | { records: Uint8Array }): Uint8Array {
  if ("error" in r) throw new Error(`expected records, got error ${r.error}`);
  return r.records;
}
