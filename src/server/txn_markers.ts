/**
 * The "writeTxnMarkers" partition op at a partition's owner (Kafka's
 * handleWriteTxnMarkersRequest → ReplicaManager.appendRecords of control
 * batches): each marker goes through LocalPartition.writeTxnMarker, which
 * checks the producer and coordinator epochs, writes the COMMIT or ABORT
 * batch and closes the producer's transaction there. The answer waits for
 * the write to be durable in durable mode, as an acks=all produce does: a
 * coordinator completes the transaction only on markers that will survive a
 * crash. A marker on a `__consumer_offsets` partition is also handed to the
 * group coordinator, whose pending transactional offsets it commits or drops.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { failed, type LocalPartition } from "./local_partition.ts";
import type { ProduceOutcome, TxnMarkerItem } from "./partition_ops.ts";
import { partitionKey } from "./partition_owner.ts";

/** What the marker writer needs of the ReplicaManager. */
export interface MarkerHost {
  serving(key: string): LocalPartition | undefined;
  /** The answer for a partition not served here (offline, unknown, shutting down). */
  missing(key: string): ProduceOutcome;
  /** After a write attempt: storage faults, leader epochs, waiting fetches; true when written. */
  appended(key: string, local: LocalPartition, outcome: ProduceOutcome): boolean;
  /** The group commit covering the partition's writes so far; null when not in durable mode. */
  sync(local: LocalPartition): Promise<void> | null;
  now(): number;
  /** A marker was written (for the group coordinator's `__consumer_offsets` partitions). */
  onMarker(item: TxnMarkerItem): void;
}

export async function writeTxnMarkers(host: MarkerHost, items: readonly TxnMarkerItem[]): Promise<ProduceOutcome[]> {
  const now = host.now();
  const syncs: Array<Promise<void> | null> = [];
  const outcomes = items.map((item, i): ProduceOutcome => {
    const key = partitionKey(item.topicId, item.partition);
    const local = host.serving(key);
    if (!local) return host.missing(key);
    const outcome = local.writeTxnMarker(item, now);
    if (!host.appended(key, local, outcome)) return outcome;
    host.onMarker(item);
    syncs[i] = host.sync(local);
    return outcome;
  });
  await Promise.all(syncs.map((sync, i) =>
    sync?.catch((e) => {
      outcomes[i] = failed(ErrorCode.KAFKA_STORAGE_ERROR, `sync failed: ${e instanceof Error ? e.message : e}`);
    })
  ));
  return outcomes;
}
