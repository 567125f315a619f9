/**
 * The owner's side of the log-dir and leader-epoch ops (log_dir_ops.ts):
 * epoch end offsets from each partition's leader-epoch cache, the replicas
 * this handler holds in each log dir (current logs and the future copies of
 * moves in progress), and the start of a move (AlterReplicaLogDirs), with
 * the swap that ends it. ReplicaManager lends the few things they need
 * through LogDirHost.
 */
import * as path from "node:path";
import { ErrorCode } from "../protocol/errors.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";
import type { LocalPartition } from "./local_partition.ts";
import type { LogDirs } from "./log_dirs.ts";
import type { EpochAnswer, LogDirOp, LogDirOpResults, LogDirReplica } from "./log_dir_ops.ts";
import type { PartitionEpochs } from "./partition_epochs.ts";
import { partitionKey } from "./partition_owner.ts";
import type { MoveJob, ReplicaMover } from "./replica_mover.ts";

export interface LogDirHost {
  dirs: LogDirs;
  epochs: PartitionEpochs;
  mover: ReplicaMover;
  log: Logger;
  /** The open partition, none while closing. */
  serving(key: string): LocalPartition | undefined;
  /** The error for a partition that is not open (offline: KAFKA_STORAGE_ERROR). */
  missingError(key: string): number;
  isOffline(key: string): boolean;
  /** Holds every op of this owner until the returned function is called. */
  hold(): () => void;
  /** Forgets the closed `local` and opens `key` where it now lives (clean: its log was closed cleanly). */
  reopen(key: string, local: LocalPartition, clean: boolean): void;
}

export function executeLogDirOp(host: LogDirHost, op: LogDirOp): LogDirOpResults[LogDirOp["op"]] {
  switch (op.op) {
    case "epochEndOffsets":
      return op.items.map((q): EpochAnswer => {
        const key = partitionKey(q.topicId, q.partition);
        const local = host.serving(key);
        if (!local) return { errorCode: host.missingError(key), leaderEpoch: -1, endOffset: -1n };
        return host.epochs.answer(key, local.log, q);
      });
    case "describeLogDirs":
      return op.items.map((item) => replicasOf(host, partitionKey(item.topicId, item.partition)));
    case "alterLogDir":
      return op.items.map((item) => alter(host, partitionKey(item.topicId, item.partition), item.dir));
  }
}

/** Where the partition's replicas are: its log, and the copy of a move in progress (DescribeLogDirs). */
function replicasOf(host: LogDirHost, key: string): LogDirReplica[] {
  const local = host.serving(key);
  if (!local) return [];
  const replica = (dir: string, sizeBytes: bigint, offsetLag: bigint, isFuture: boolean): LogDirReplica => ({
    dir,
    topic: local.topic,
    partition: local.partition,
    sizeBytes,
    offsetLag,
    isFuture,
  });
  const out = [replica(path.dirname(local.dir), BigInt(local.log.sizeInBytes), 0n, false)];
  const future = host.mover.future(key);
  if (future) {
    // Kafka: how far the future replica's log end is behind the current one's.
    const behind = local.log.logEndOffset - (future.logEndOffset ?? local.log.logStartOffset);
    out.push(replica(future.dir, future.sizeBytes, behind > 0n ? behind : 0n, true));
  }
  return out;
}

/** Kafka's order: the destination dir first (unknown, offline), then the partition. */
function alter(host: LogDirHost, key: string, given: string): number {
  const dest = host.dirs.resolve(given);
  if (dest === null) return ErrorCode.LOG_DIR_NOT_FOUND;
  if (host.dirs.offlineReason(dest) !== null) return ErrorCode.KAFKA_STORAGE_ERROR;
  const local = host.serving(key);
  if (!local) return host.isOffline(key) ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (path.dirname(local.dir) === dest) {
    // Already there: a move elsewhere in progress is called off, as Kafka does.
    host.mover.cancel(key);
    return ErrorCode.NONE;
  }
  try {
    host.mover.start(key, local.name, local.dir, dest);
  } catch (e) {
    host.log.error(`Cannot start moving ${local.name} to ${dest}: ${errorMessage(e)}`);
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }
  return ErrorCode.NONE;
}

/** The end of a move: ops held, source closed, copy completed and committed, log reopened at its new place. */
export async function swapPartition(host: LogDirHost, job: MoveJob): Promise<void> {
  let local = host.serving(job.key);
  if (local?.dir === job.sourceDir) {
    // The source's own unsynced data is synced before the ops are held (closing it syncs only what follows).
    await local.log.flush().catch(() => {});
    local = host.serving(job.key);
  }
  if (!local || local.dir !== job.sourceDir || job.dropped || job.cancelled) {
    // Stopped for shutdown: the copy stays for the next start to resume; otherwise it goes.
    if (!job.dropped && !job.cancelled) job.discard();
    return;
  }
  const release = host.hold();
  const heldFrom = Date.now();
  let clean = false;
  try {
    await local.log.close();
    clean = true;
    job.finishCopy();
    job.commit();
    host.dirs.moved(job.name, job.destLogDir);
    host.epochs.movedIn(job.key);
    host.log.info(
      `Moved ${job.name} to ${job.destLogDir} (${job.copiedBytes} bytes; its owner's requests waited ` +
        `${Date.now() - heldFrom} ms for the swap)`,
    );
  } catch (e) {
    host.log.error(
      `Moving ${job.name} to ${job.destLogDir} failed at the swap (${errorMessage(e)}); ` +
        `it stays in ${path.dirname(job.sourceDir)}`,
    );
    try {
      job.discard();
    } catch { /* the copy is discarded again at the next start */ }
  } finally {
    try {
      // A partition deleted while its log closed stays deleted.
      if (!job.dropped) host.reopen(job.key, local, clean);
    } finally {
      release();
    }
  }
}
