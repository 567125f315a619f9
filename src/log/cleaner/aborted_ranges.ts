/**
 * Which transactional batches a cleaning drops as aborted (Kafka's Cleaner with its
 * CleanedTransactionMetadata): a producer's batches between the first offset of an aborted
 * transaction and its ABORT marker, as the log's aborted-transaction indexes (`.txnindex`) list them.
 * Their records never count as a key's latest value, so an aborted write cannot hide the committed
 * one it would have replaced, and they are removed when their segment is rewritten.
 */
import type { AbortedTxn } from "../txn_index.ts";

export class AbortedRanges {
  private readonly byProducer = new Map<bigint, Array<[bigint, bigint]>>();

  constructor(aborted: Iterable<AbortedTxn>) {
    for (const txn of aborted) {
      const ranges = this.byProducer.get(txn.producerId);
      if (ranges) ranges.push([txn.firstOffset, txn.lastOffset]);
      else this.byProducer.set(txn.producerId, [[txn.firstOffset, txn.lastOffset]]);
    }
  }

  get size(): number {
    return this.byProducer.size;
  }

  /** Whether a transactional data batch of `producerId` at `baseOffset` belongs to an aborted transaction. */
  covers(producerId: bigint, baseOffset: bigint): boolean {
    const ranges = this.byProducer.get(producerId);
    if (ranges === undefined) return false;
    for (const [first, last] of ranges) if (baseOffset >= first && baseOffset <= last) return true;
    return false;
  }
}
