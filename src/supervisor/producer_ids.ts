/**
 * Producer ids for InitProducerId: each handler takes blocks of ids from
 * the controller (handler/services/producer_id_blocks.ts), which persists the
 * end of every block it hands out, as Kafka's ProducerIdManager does.
 * ProducerIdStore is that persisted end, kept in two files and rebuilt from
 * the data on disk when both are lost.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeSnapshot, listSnapshots } from "../log/producer_snapshot.ts";
import { PRODUCER_ID_OFFSET } from "../log/record_batch.ts";
import { scanBatches } from "../log/segment_scan.ts";
import { errorCode, errorMessage, writeFileAtomic } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";

/** The controller's file: the end of the last block handed out. */
export const PRODUCER_IDS_FILE = "__tsbroker_producer_ids";
/** A second copy, written after the first: one lost or damaged file never restarts ids from 0. */
const BACKUP_SUFFIX = ".backup";
/**
 * How far ids skip ahead when neither file can be read and the floor comes from the data on disk:
 * ids handed out but never written (producers that did not produce yet, the unused rest of each
 * handler's block) are not on disk, and must not be handed out again.
 */
export const PRODUCER_ID_SAFETY_MARGIN = 1_000_000n;

/**
 * Where the controller keeps the next producer id. Reading never stops start-up with a message that
 * names no file: a damaged or missing file is replaced by the backup copy, or else by a floor derived
 * from the producer ids in the partitions' snapshots and newest segments, plus a safety margin (WARN,
 * naming the file and the new value). Ids never repeat.
 */
export class ProducerIdStore {
  private constructor(
    private readonly file: string,
    /** The next id to hand out. */
    readonly next: bigint,
  ) {}

  static open(logDir: string, log: Logger, blockSize: number): ProducerIdStore {
    const file = path.join(logDir, PRODUCER_IDS_FILE);
    const primary = readIdFile(file);
    const backup = readIdFile(file + BACKUP_SUFFIX);
    if (typeof primary === "bigint") {
      const next = typeof backup === "bigint" && backup > primary ? backup : primary;
      return new ProducerIdStore(file, next);
    }
    const onDisk = maxProducerIdOnDisk(logDir);
    if (primary === null && backup === null && onDisk === null && !hasPartitionDirs(logDir)) {
      return new ProducerIdStore(file, 0n); // a new log dir: nothing was ever handed out
    }
    let floor = typeof backup === "bigint" ? backup : 0n;
    if (onDisk !== null && onDisk + 1n > floor) floor = onDisk + 1n;
    const block = BigInt(blockSize);
    const next = ((floor + block - 1n) / block) * block + PRODUCER_ID_SAFETY_MARGIN;
    const why = primary === null ? "is missing" : `cannot be read (${primary.error})`;
    log.warn(
      `Producer id file ${file} ${why}; ` +
        (typeof backup === "bigint" ? `its backup says ${backup}, ` : "no usable backup, ") +
        `the largest producer id in the partitions is ${onDisk ?? "none"}: producer ids continue at ${next} ` +
        `(skipping ${PRODUCER_ID_SAFETY_MARGIN} for ids handed out but never written)`,
    );
    const store = new ProducerIdStore(file, next);
    store.persist(next);
    return store;
  }

  /** Persists `next` (the end of the block being handed out) to the file, then to its backup. */
  persist(next: bigint): void {
    writeFileAtomic(this.file, `${next}\n`);
    writeFileAtomic(this.file + BACKUP_SUFFIX, `${next}\n`);
  }
}

/** The id in a producer-id file; null when missing; { error } when it is not a non-negative integer. */
function readIdFile(file: string): bigint | null | { error: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if (errorCode(e) === "ENOENT") return null;
    return { error: errorMessage(e) };
  }
  const trimmed = text.trim();
  if (!/^\d{1,19}$/.test(trimmed)) return { error: `content ${JSON.stringify(trimmed.slice(0, 40))} is not an id` };
  return BigInt(trimmed);
}

function hasPartitionDirs(logDir: string): boolean {
  return partitionDirs(logDir).length > 0;
}

function partitionDirs(logDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(logDir);
  } catch {
    return [];
  }
  return names.filter((n) => /-\d+$/.test(n)).map((n) => path.join(logDir, n)).filter((d) => {
    try {
      return fs.statSync(d).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * The largest producer id written to any partition: from each partition's newest valid snapshot and the
 * batch headers of its newest segment (written after that snapshot). Unreadable files are skipped.
 */
export function maxProducerIdOnDisk(logDir: string): bigint | null {
  let max: bigint | null = null;
  const see = (id: bigint) => {
    if (id >= 0n && (max === null || id > max)) max = id;
  };
  for (const dir of partitionDirs(logDir)) {
    for (const { file } of listSnapshots(dir).reverse()) {
      try {
        for (const entry of decodeSnapshot(fs.readFileSync(file))) see(entry.producerId);
        break;
      } catch { /* a damaged snapshot: try the one before */ }
    }
    const logs = fs.readdirSync(dir).filter((n) => /^\d{20}\.log$/.test(n)).sort();
    for (const name of logs.slice(-2)) {
      try {
        const fd = fs.openSync(path.join(dir, name), "r");
        try {
          const size = fs.fstatSync(fd).size;
          scanBatches(fd, 0, size, { verify: false, segmentBase: BigInt(name.slice(0, 20)) }, (buf, at) => {
            see(new DataView(buf.buffer, buf.byteOffset).getBigInt64(at + PRODUCER_ID_OFFSET));
          });
        } finally {
          fs.closeSync(fd);
        }
      } catch { /* unreadable: the margin covers it */ }
    }
  }
  return max;
}
