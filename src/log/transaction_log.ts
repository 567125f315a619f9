/**
 * The log side of transactions: replaying producer state (with transaction markers) from the snapshot point
 * while rebuilding the aborted-transaction indexes from there, and the read_committed view of a read
 * (batches below the last stable offset, and the aborted transactions they overlap).
 *
 * Recovery, as Kafka's LogLoader: the `.txnindex` entries whose marker is at or past the replay start are
 * made exactly those of the ABORT markers the replay meets, so an index cut short by a crash, one holding
 * entries past a truncated tail, or one deleted is rebuilt from the log (and an intact one is left alone).
 */
import { readMarker } from "./control_record.ts";
export type { TxnMarker } from "./control_record.ts";
export type { AbortedTxn } from "./txn_index.ts";
import type { ProducerStateHooks } from "./producer_state.ts";
import {
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  readBatchHeader,
} from "./record_batch.ts";
import type { Segment } from "./segment.ts";
import { segmentIndexFor } from "./segment_read.ts";
import { scanBatches } from "./segment_scan.ts";
import { type AbortedTxn, collectAbortedTransactions } from "./txn_index.ts";

/** Replays every batch from `from` into the producer state; aborts it reports go to their segment's index. */
export function replayWithMarkers(
  segments: readonly Segment[],
  from: bigint,
  hooks: Pick<ProducerStateHooks, "onRecoveredBatch">,
): void {
  for (let i = segmentIndexFor(segments, from); i < segments.length; i++) {
    const seg = segments[i];
    const rebuilt: AbortedTxn[] = [];
    const first = seg.nextOffset <= from ? null : seg.findBatch(from);
    if (first !== null) {
      const options = { verify: false, segmentBase: seg.baseOffset };
      scanBatches(seg.fd, first.position, seg.size, options, (buf, at, position) => {
        const header = readBatchHeader(buf, at);
        // Markers are a few dozen bytes: read whole to learn COMMIT or ABORT and the coordinator epoch.
        const marker = header.isControl ? readMarker(seg.read(position, header.sizeInBytes)) : undefined;
        const aborted = hooks.onRecoveredBatch(header, header.baseOffset, marker);
        if (aborted) rebuilt.push(aborted);
      });
    }
    seg.txnIndex.replaceFrom(from, rebuilt);
  }
}

/** The whole batches of `records` (read from `fetchOffset`) that begin below `maxOffset` (read_committed: the LSO). */
export function batchesBelow(records: Uint8Array, maxOffset: bigint): Uint8Array {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let pos = 0;
  while (pos + LOG_OVERHEAD <= records.length && v.getBigInt64(pos) < maxOffset) {
    pos += LOG_OVERHEAD + v.getInt32(pos + BATCH_LENGTH_OFFSET);
  }
  return pos === records.length ? records : records.subarray(0, pos);
}

/** The offset after the last batch of `records` (whole batches), or null when there are none. */
export function nextOffsetAfter(records: Uint8Array): bigint | null {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let next: bigint | null = null;
  for (let pos = 0; pos + BATCH_HEADER_BYTES <= records.length;) {
    next = v.getBigInt64(pos) + BigInt(v.getInt32(pos + LAST_OFFSET_DELTA_OFFSET)) + 1n;
    pos += LOG_OVERHEAD + v.getInt32(pos + BATCH_LENGTH_OFFSET);
  }
  return next;
}

/** The aborted-transaction indexes of a log's segments (PartitionLog.txnIndexes). */
export class SegmentTxnIndexes {
  constructor(private readonly segments: readonly Segment[]) {}

  /**
   * Kafka's collectAbortedTransactions for a fetch: the aborted transactions overlapping [fetchOffset,
   * upperBound), from the index of the segment holding fetchOffset and those after it.
   */
  collect(fetchOffset: bigint, upperBound: bigint): AbortedTxn[] {
    const segments = this.segments;
    const start = segmentIndexFor(segments, fetchOffset);
    function* indexes() {
      for (let i = start; i < segments.length; i++) yield segments[i].txnIndex;
    }
    return collectAbortedTransactions(indexes(), fetchOffset, upperBound);
  }

  /** An ABORT marker at `txn.lastOffset` was appended: its entry goes to the index of the segment holding it. */
  record(txn: AbortedTxn): void {
    this.segments[segmentIndexFor(this.segments, txn.lastOffset)].txnIndex.append(txn);
  }
}
