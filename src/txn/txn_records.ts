/**
 * The records of the internal `__transaction_state` log, byte for byte in
 * Kafka's formats (transaction-coordinator's TransactionLogKey and
 * TransactionLogValue), so that Kafka's own tools can read what we write and
 * we can read a data directory a Kafka broker wrote.
 *
 * Key: int16 key version 0, then the transactional id (int16-length string).
 * Value: int16 value version, then the fields; a null value is a tombstone
 * (the transactional id expired, Kafka's `transactional.id.expiration.ms`).
 *
 * Value v0 (not flexible): producerId int64, producerEpoch int16,
 * transactionTimeoutMs int32, transactionStatus int8 (the state's id),
 * transactionPartitions (nullable array of topic + int32 partition ids),
 * transactionLastUpdateTimestampMs int64, transactionStartTimestampMs int64.
 * Value v1 is the same fields in the flexible encoding (compact strings and
 * arrays, tagged-field sections) plus tagged fields from KIP-890 part 2:
 * tag 0 previousProducerId, tag 1 nextProducerId (both default -1),
 * tag 2 clientTransactionVersion (default 0).
 *
 * What we write is what Kafka 3.9 writes (and Kafka 4 while
 * transaction.version is below 2): value v0, with a null partition array
 * for Empty and an array (possibly empty) for every other state. What we
 * read: v0 and v1; a newer value version is read with v1's layout, since
 * later versions may only add tagged fields (KIP-915). A key version other
 * than 0 is not ours and is skipped.
 */
import { buildBatch, type BuildRecord } from "../log/record_batch.ts";
import { Reader } from "../protocol/io/reader.ts";
import { Writer } from "../protocol/io/writer.ts";

/** Kafka's TransactionState ids, as the transactionStatus int8 carries them. */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

const STATE_NAMES: readonly string[] = [
  "Empty",
  "Ongoing",
  "PrepareCommit",
  "PrepareAbort",
  "CompleteCommit",
  "CompleteAbort",
  "Dead",
  "PrepareEpochFence",
];

/** The state's name as DescribeTransactions and ListTransactions give it. */
export function txnStateName(state: TxnState): string {
  return STATE_NAMES[state];
}

/** The state named `name` (as ListTransactions' state filters name them), or null. */
export function txnStateFromName(name: string): TxnState | null {
  const i = STATE_NAMES.indexOf(name);
  return i < 0 ? null : i as TxnState;
}

/** The partitions of a transaction, grouped by topic as the record stores them. */
export interface TxnTopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** A TransactionLogValue. Timestamps are milliseconds since the epoch (-1: none). */
export interface TxnLogValue {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnState;
  /** null only for Empty, as Kafka writes it. */
  readonly partitions: readonly TxnTopicPartitions[] | null;
  readonly lastUpdateTimestampMs: number;
  readonly startTimestampMs: number;
  /** v1 tagged fields; absent in v0 (-1, -1 and 0 when read). */
  readonly previousProducerId?: bigint;
  readonly nextProducerId?: bigint;
  readonly clientTransactionVersion?: number;
}

/** One `__transaction_state` record: a transactional id's state, or its tombstone (value null). */
export interface TxnRecord {
  readonly transactionalId: string;
  readonly value: TxnLogValue | null;
}

const KEY_VERSION = 0;
/** Newest value version Kafka defines; also its first flexible one. */
const VALUE_MAX = 1;

// ---------------------------------------------------------------------------
// Encoding

export function encodeTxnKey(transactionalId: string): Uint8Array {
  const w = new Writer(8 + transactionalId.length * 3);
  w.writeInt16(KEY_VERSION);
  w.writeString(transactionalId);
  return w.finish().slice();
}

/** The value bytes in `version` (0 unless asked; 1 exists for tests and for a later transaction.version). */
export function encodeTxnValue(value: TxnLogValue | null, version: 0 | 1 = 0): Uint8Array | null {
  if (value === null) return null;
  if (value.state === TxnState.Empty && value.partitions !== null && value.partitions.length > 0) {
    throw new RangeError("an Empty transaction has no partitions");
  }
  const flexible = version >= 1;
  const w = new Writer(64);
  w.writeInt16(version);
  w.writeInt64(value.producerId);
  w.writeInt16(value.producerEpoch);
  w.writeInt32(value.timeoutMs);
  w.writeInt8(value.state);
  const parts = value.partitions;
  if (flexible) w.writeUnsignedVarint(parts === null ? 0 : parts.length + 1);
  else w.writeInt32(parts === null ? -1 : parts.length);
  for (const tp of parts ?? []) {
    if (flexible) w.writeCompactString(tp.topic);
    else w.writeString(tp.topic);
    if (flexible) w.writeCompactArrayLength(tp.partitions.length);
    else w.writeArrayLength(tp.partitions.length);
    for (const p of tp.partitions) w.writeInt32(p);
    if (flexible) w.writeEmptyTaggedFields();
  }
  w.writeInt64(BigInt(value.lastUpdateTimestampMs));
  w.writeInt64(BigInt(value.startTimestampMs));
  if (flexible) writeValueTags(w, value);
  return w.finish().slice();
}

/** v1's tagged fields, each written only when it differs from its default (as Kafka's generated writer does). */
function writeValueTags(w: Writer, v: TxnLogValue): void {
  const prev = v.previousProducerId ?? -1n;
  const next = v.nextProducerId ?? -1n;
  const ctv = v.clientTransactionVersion ?? 0;
  w.writeUnsignedVarint((prev !== -1n ? 1 : 0) + (next !== -1n ? 1 : 0) + (ctv !== 0 ? 1 : 0));
  if (prev !== -1n) {
    const s = w.beginTaggedField(0);
    w.writeInt64(prev);
    w.endTaggedField(s);
  }
  if (next !== -1n) {
    const s = w.beginTaggedField(1);
    w.writeInt64(next);
    w.endTaggedField(s);
  }
  if (ctv !== 0) {
    const s = w.beginTaggedField(2);
    w.writeInt16(ctv);
    w.endTaggedField(s);
  }
}

/** One uncompressed v2 batch holding `records` (base offset 0, no producer id), stamped `timestampMs`. */
export function encodeTxnRecordsBatch(records: readonly TxnRecord[], timestampMs: number): Uint8Array {
  if (records.length === 0) throw new RangeError("a batch needs at least one record");
  const built: BuildRecord[] = records.map((r) => ({
    key: encodeTxnKey(r.transactionalId),
    value: encodeTxnValue(r.value),
  }));
  return buildBatch(built, { baseTimestamp: BigInt(timestampMs) });
}

// ---------------------------------------------------------------------------
// Decoding

/**
 * One record from its key and value bytes; null for a key version that is
 * not ours. Throws (ProtocolDecodeError, RangeError) on malformed bytes.
 */
export function decodeTxnRecord(key: Uint8Array, value: Uint8Array | null): TxnRecord | null {
  const r = new Reader(key);
  if (r.readInt16() !== KEY_VERSION) return null;
  const transactionalId = r.readString();
  return { transactionalId, value: value === null ? null : decodeTxnValue(value) };
}

export function decodeTxnValue(bytes: Uint8Array): TxnLogValue {
  const r = new Reader(bytes);
  const rawVersion = r.readInt16();
  if (rawVersion < 0) throw new RangeError(`TransactionLogValue: negative value version ${rawVersion}`);
  const flexible = Math.min(rawVersion, VALUE_MAX) >= 1;
  const producerId = r.readInt64();
  const producerEpoch = r.readInt16();
  const timeoutMs = r.readInt32();
  const status = r.readInt8();
  if (status < 0 || status >= STATE_NAMES.length) {
    throw new RangeError(`TransactionLogValue: unknown transaction status ${status}`);
  }
  const count = flexible ? r.readCompactNullableArrayLength() : r.readNullableArrayLength();
  let partitions: TxnTopicPartitions[] | null = null;
  if (count >= 0) {
    partitions = [];
    for (let i = 0; i < count; i++) {
      const topic = flexible ? r.readCompactString() : r.readString();
      const n = flexible ? r.readCompactArrayLength() : r.readArrayLength();
      const ids: number[] = [];
      for (let j = 0; j < n; j++) ids.push(r.readInt32());
      if (flexible) r.skipTaggedFields();
      partitions.push({ topic, partitions: ids });
    }
  }
  const lastUpdateTimestampMs = Number(r.readInt64());
  const startTimestampMs = Number(r.readInt64());
  const base = {
    producerId,
    producerEpoch,
    timeoutMs,
    state: status as TxnState,
    partitions,
    lastUpdateTimestampMs,
    startTimestampMs,
  };
  return flexible ? { ...base, ...readValueTags(r) } : base;
}

function readValueTags(
  r: Reader,
): { previousProducerId: bigint; nextProducerId: bigint; clientTransactionVersion: number } {
  const tags = { previousProducerId: -1n, nextProducerId: -1n, clientTransactionVersion: 0 };
  const count = r.readUnsignedVarint("tagged field count");
  for (let i = 0; i < count; i++) {
    const tag = r.readUnsignedVarint("tag");
    const size = r.readUnsignedVarint("tagged field size");
    const end = r.remaining() - size;
    if (tag === 0) tags.previousProducerId = r.readInt64();
    else if (tag === 1) tags.nextProducerId = r.readInt64();
    else if (tag === 2) tags.clientTransactionVersion = r.readInt16();
    else r.skip(size);
    if (r.remaining() !== end) throw new RangeError(`TransactionLogValue: tagged field ${tag} has the wrong size`);
  }
  return tags;
}
