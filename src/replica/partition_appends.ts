/**
 * The "produce" and "sync" partition ops at a partition's owner, taken out
 * of ReplicaManager with the marker writer (txn_markers.ts), which shares
 * their host. A produce appends each item through LocalPartition.append;
 * in durable mode (tsbroker.fsync.acks.all) an acks=all produce answers after
 * the group commit covering its append, unless the caller defers that to a
 * following "sync" op (see partition_ops.ts); other appends only trigger the
 * time/count-based flush when due.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import { failed, type LocalPartition } from "./local_partition.ts";
import type { PartitionRef, ProduceItem, ProduceOutcome, SyncOutcome, TxnMarkerItem } from "./partition_ops.ts";
import { partitionKey } from "./partition_owner.ts";

/** What the append paths need of the ReplicaManager. */
export interface AppendHost {
  serving(key: string): LocalPartition | undefined;
  /** The answer for a partition not served here (offline, unknown, shutting down). */
  missing(key: string): ProduceOutcome;
  /** After a write attempt: storage faults, leader epochs, waiting fetches; true when written. */
  appended(key: string, local: LocalPartition, outcome: ProduceOutcome): boolean;
  /** tsbroker.fsync.acks.all: acks=all answers wait for fdatasync. */
  readonly durable: boolean;
  /** The group commit covering the partition's writes so far. */
  groupSync(local: LocalPartition): Promise<void>;
  now(): number;
  readonly log: Logger;
  /** transaction.partition.verification.enable (KIP-890), read per produce: a dynamic broker config may change it. */
  verifyTxns(): boolean;
  /** A transaction marker was written (the group coordinator's hook for `__consumer_offsets`). */
  onMarker(item: TxnMarkerItem): void;
}

export async function appendItems(
  host: AppendHost,
  acks: number,
  items: ProduceItem[],
  deferSync: boolean,
): Promise<ProduceOutcome[]> {
  const now = host.now();
  const syncs: Promise<void>[] = [];
  const verify = host.verifyTxns();
  const outcomes = items.map((item, i): ProduceOutcome => {
    const key = partitionKey(item.topicId, item.partition);
    const local = host.serving(key);
    if (!local) return host.missing(key);
    local.verifyTxns = verify;
    const outcome = local.append(item.records, acks, now, item.txnVerification);
    if (!host.appended(key, local, outcome)) return outcome;
    if (host.durable && acks === -1) {
      // Deferred: the caller's "sync" op, which follows, waits instead.
      if (!deferSync) syncs[i] = host.groupSync(local);
    } else if (local.log.flushDue(now)) {
      local.log.flush().catch((e: unknown) =>
        host.log.error(`flush of ${local.name} failed: ${e instanceof Error ? e.message : e}`)
      );
    }
    return outcome;
  });
  await awaitSyncs(syncs, outcomes);
  return outcomes;
}

/** Waits for `syncs[i]` (where set) and fails outcome i with KAFKA_STORAGE_ERROR when its sync fails. */
export async function awaitSyncs(syncs: ReadonlyArray<Promise<void> | undefined>, outcomes: ProduceOutcome[]) {
  if (syncs.length === 0) return;
  await Promise.all(syncs.map((sync, i) =>
    sync?.catch((e) => {
      outcomes[i] = failed(ErrorCode.KAFKA_STORAGE_ERROR, `sync failed: ${e instanceof Error ? e.message : e}`);
    })
  ));
}

/** Waits for the group commit covering everything appended so far to each partition. */
export function syncPartitions(host: AppendHost, items: PartitionRef[]): Promise<SyncOutcome[]> {
  return Promise.all(items.map((item): Promise<SyncOutcome> => {
    const key = partitionKey(item.topicId, item.partition);
    const local = host.serving(key);
    if (!local) {
      const { errorCode, errorMessage } = host.missing(key);
      return Promise.resolve({ errorCode, errorMessage });
    }
    return host.groupSync(local).then(
      () => ({ errorCode: ErrorCode.NONE, errorMessage: null }),
      (e) => ({
        errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
        errorMessage: `sync failed: ${e instanceof Error ? e.message : e}`,
      }),
    );
  }));
}
