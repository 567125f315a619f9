/**
 * Transaction markers: the control batches a transaction coordinator writes to every partition of a
 * transaction when it ends (Kafka's EndTransactionMarker). A marker batch has the control (bit 5) and
 * transactional (bit 4) attributes, the producer's id and epoch, no sequence, and one record whose key is
 * version int16 (0) · type int16 (0 ABORT, 1 COMMIT) and whose value is version int16 (0) · coordinator
 * epoch int32.
 */
import { buildBatch, NO_SEQUENCE, RECORDS_OFFSET } from "./record_batch.ts";
import { readZigzag } from "./zigzag.ts";

export const ControlType = { Abort: 0, Commit: 1 } as const;

export interface TxnMarker {
  /** True for COMMIT, false for ABORT. */
  commit: boolean;
  coordinatorEpoch: number;
}

/** A marker batch at base offset 0 (the log assigns its offset). */
export function buildMarkerBatch(opts: {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  timestamp: bigint;
}): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setInt16(2, opts.commit ? ControlType.Commit : ControlType.Abort);
  const value = new Uint8Array(6);
  new DataView(value.buffer).setInt32(2, opts.coordinatorEpoch);
  return buildBatch([{ key, value }], {
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: NO_SEQUENCE,
    baseTimestamp: opts.timestamp,
    isTransactional: true,
    isControl: true,
  });
}

/**
 * The marker of a control batch given whole (uncompressed, as markers always are); null when its first
 * record is not a COMMIT or ABORT marker (Kafka's other control types are not transaction ends).
 */
export function readMarker(batch: Uint8Array): TxnMarker | null {
  const end = batch.length;
  let pos = RECORDS_OFFSET;
  try {
    let n: number;
    [, pos] = readZigzag(batch, pos, end); // record length
    pos += 1; // attributes
    [, pos] = readZigzag(batch, pos, end); // timestamp delta
    [, pos] = readZigzag(batch, pos, end); // offset delta
    [n, pos] = readZigzag(batch, pos, end); // key length
    if (!(n >= 4) || pos + n > end) return null;
    const v = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    const type = v.getInt16(pos + 2);
    pos += n;
    [n, pos] = readZigzag(batch, pos, end); // value length
    if (type !== ControlType.Abort && type !== ControlType.Commit) return null;
    const coordinatorEpoch = n >= 6 && pos + n <= end ? v.getInt32(pos + 2) : -1;
    return { commit: type === ControlType.Commit, coordinatorEpoch };
  } catch {
    return null;
  }
}
