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
import type { ProduceOutcome, TxnMarkerItem } from "./partition_ops.ts";
import { partitionKey } from "./partition_owner.ts";
import { type AppendHost, awaitSyncs } from "./partition_appends.ts";

export async function writeTxnMarkers(host: AppendHost, items: readonly TxnMarkerItem[]): Promise<ProduceOutcome[]> {
  const now = host.now();
  const syncs: Array<Promise<void> | undefined> = [];
  const outcomes = items.map((item, i): ProduceOutcome => {
    const key = partitionKey(item.topicId, item.partition);
    const local = host.serving(key);
    if (!local) return host.missing(key);
    const outcome = local.writeTxnMarker(item, now);
    if (!host.appended(key, local, outcome)) return outcome;
    host.onMarker(item);
    if (host.durable) syncs[i] = host.groupSync(local);
    return outcome;
  });
  await awaitSyncs(syncs, outcomes);
  return outcomes;
}
