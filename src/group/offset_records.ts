/**
 * The records of the internal `__consumer_offsets` log, byte for byte in
 * Kafka 3.9's formats (group-coordinator's OffsetCommitKey/Value,
 * GroupMetadataKey/Value, ConsumerGroupMetadataKey/Value), so that Kafka's
 * own tools (kafka-dump-log's offsets decoder, a Kafka broker taking over a
 * data directory) can read what we write, and we can read what they wrote.
 *
 * A record's key is an int16 "key version" (Kafka: the record type) and the
 * key's fields; its value is an int16 value version and the value's fields;
 * a null value is a tombstone. Key versions: 0 and 1 = OffsetCommitKey
 * (group, topic, partition), 2 = GroupMetadataKey (classic group),
 * 3 = ConsumerGroupMetadataKey (KIP-848 group); 4–8 (KIP-848 members,
 * assignments) and anything newer are not ours and are skipped.
 *
 * What we write is what Kafka 3.9 writes: offset keys v1; OffsetCommitValue
 * v3 (offset, leaderEpoch, metadata, commitTimestamp), or v1 (offset,
 * metadata, commitTimestamp, expireTimestamp) when the commit carried a
 * retention time; GroupMetadataValue v3; ConsumerGroupMetadataValue v0,
 * which is flexible (tagged fields). What we read: OffsetCommitValue v0–v4
 * (v0 and v2 share a layout; v4 is the first flexible one),
 * GroupMetadataValue v0–v4 (v1 adds rebalanceTimeout, v2
 * currentStateTimestamp, v3 groupInstanceId, v4 flexible). As Kafka's
 * generated readers do (KIP-915), a value version above the newest known one
 * is read with the newest known layout: later versions may only add tagged
 * fields.
 */
import {
  BATCH_HEADER_BYTES,
  buildBatch,
  type BuildRecord,
  computeBatchCrc,
  MAGIC_OFFSET,
  MAGIC_V2,
  NO_SEQUENCE,
  readBatchHeader,
  RECORDS_OFFSET,
  splitBatches,
} from "../log/record_batch.ts";
import { readMarker } from "../log/control_record.ts";
import { decompress } from "../log/codecs/codec.ts";
import { Reader } from "../protocol/io/reader.ts";
import { Writer } from "../protocol/io/writer.ts";
import type {
  ClassicGroupValue,
  ClassicMemberValue,
  ConsumerGroupValue,
  GroupRecord,
  OffsetCommitValue,
} from "./types.ts";

/** Key versions (Kafka's record types) of the records this broker reads and writes. */
export const KeyVersion = { OffsetCommitV0: 0, OffsetCommit: 1, GroupMetadata: 2, ConsumerGroupMetadata: 3 } as const;

/** Newest value versions Kafka 3.9 defines. */
const OFFSET_VALUE_MAX = 4;
const GROUP_VALUE_MAX = 4;
/** First flexible version of OffsetCommitValue and GroupMetadataValue. */
const FIRST_FLEXIBLE = 4;

// ---------------------------------------------------------------------------
// Encoding

/** The record's key bytes, with the key version Kafka 3.9 writes. */
export function encodeGroupRecordKey(record: GroupRecord): Uint8Array {
  const w = new Writer(32 + record.groupId.length * 3);
  switch (record.kind) {
    case "offset":
      w.writeInt16(KeyVersion.OffsetCommit);
      w.writeString(record.groupId);
      w.writeString(record.topic);
      w.writeInt32(record.partition);
      break;
    case "classic":
      w.writeInt16(KeyVersion.GroupMetadata);
      w.writeString(record.groupId);
      break;
    case "consumer":
      w.writeInt16(KeyVersion.ConsumerGroupMetadata);
      w.writeString(record.groupId);
      break;
  }
  return w.finish().slice();
}

/** The record's value bytes (null for a tombstone), in the version Kafka 3.9 writes. */
export function encodeGroupRecordValue(record: GroupRecord): Uint8Array | null {
  if (record.value === null) return null;
  const w = new Writer(128);
  switch (record.kind) {
    case "offset":
      writeOffsetValue(w, record.value);
      break;
    case "classic":
      writeClassicValue(w, record.value);
      break;
    case "consumer":
      w.writeInt16(0);
      w.writeInt32(record.value.epoch);
      w.writeEmptyTaggedFields();
      break;
  }
  return w.finish().slice();
}

function writeOffsetValue(w: Writer, v: OffsetCommitValue): void {
  // Kafka keeps v1 for commits with an explicit expiry: v3 has no field for it.
  if (v.expireTimestamp !== -1n) {
    w.writeInt16(1);
    w.writeInt64(v.offset);
    w.writeString(v.metadata);
    w.writeInt64(v.commitTimestamp);
    w.writeInt64(v.expireTimestamp);
    return;
  }
  w.writeInt16(3);
  w.writeInt64(v.offset);
  w.writeInt32(v.leaderEpoch);
  w.writeString(v.metadata);
  w.writeInt64(v.commitTimestamp);
}

function writeClassicValue(w: Writer, v: ClassicGroupValue): void {
  w.writeInt16(3);
  w.writeString(v.protocolType);
  w.writeInt32(v.generation);
  w.writeNullableString(v.protocol);
  w.writeNullableString(v.leader);
  w.writeInt64(v.currentStateTimestamp);
  w.writeArrayLength(v.members.length);
  for (const m of v.members) {
    w.writeString(m.memberId);
    w.writeNullableString(m.groupInstanceId);
    w.writeString(m.clientId);
    w.writeString(m.clientHost);
    w.writeInt32(m.rebalanceTimeoutMs);
    w.writeInt32(m.sessionTimeoutMs);
    w.writeBytes(m.subscription);
    w.writeBytes(m.assignment);
  }
}

/** The transactional producer a batch of offset commits belongs to (TxnOffsetCommit). */
export interface TxnProducer {
  producerId: bigint;
  producerEpoch: number;
}

/**
 * One uncompressed v2 batch holding `records` (base offset 0), stamped `timestampMs`. Without `txn` it has
 * no producer id; with it, it is a transactional batch of that producer, as Kafka's group coordinator
 * writes a TxnOffsetCommit (its records stay pending until the producer's COMMIT or ABORT), with
 * `baseSequence` (Kafka writes none, -1; see TxnSequences for why this broker gives one).
 */
export function encodeGroupRecordsBatch(
  records: GroupRecord[],
  timestampMs: number,
  txn?: TxnProducer,
  baseSequence = NO_SEQUENCE,
): Uint8Array {
  if (records.length === 0) throw new RangeError("a batch needs at least one record");
  const built: BuildRecord[] = records.map((r) => ({ key: encodeGroupRecordKey(r), value: encodeGroupRecordValue(r) }));
  if (!txn) return buildBatch(built, { baseTimestamp: BigInt(timestampMs) });
  return buildBatch(built, {
    baseTimestamp: BigInt(timestampMs),
    producerId: txn.producerId,
    producerEpoch: txn.producerEpoch,
    baseSequence,
    isTransactional: true,
  });
}

// ---------------------------------------------------------------------------
// Decoding

/**
 * One record from its key and value bytes. Returns null for a key version
 * that is not ours (Kafka's KIP-848 member and assignment records, newer
 * types); throws (ProtocolDecodeError, RangeError) on malformed bytes.
 */
export function decodeGroupRecord(key: Uint8Array, value: Uint8Array | null): GroupRecord | null {
  const r = new Reader(key);
  const keyVersion = r.readInt16();
  switch (keyVersion) {
    case KeyVersion.OffsetCommitV0:
    case KeyVersion.OffsetCommit: {
      const groupId = r.readString();
      const topic = r.readString();
      const partition = r.readInt32();
      return { kind: "offset", groupId, topic, partition, value: value === null ? null : readOffsetValue(value) };
    }
    case KeyVersion.GroupMetadata: {
      const groupId = r.readString();
      return { kind: "classic", groupId, value: value === null ? null : readClassicValue(value) };
    }
    case KeyVersion.ConsumerGroupMetadata: {
      const groupId = r.readString();
      return { kind: "consumer", groupId, value: value === null ? null : readConsumerValue(value) };
    }
    default:
      return null;
  }
}

function valueVersion(r: Reader, what: string): number {
  const version = r.readInt16();
  if (version < 0) throw new RangeError(`${what}: negative value version ${version}`);
  return version;
}

function readOffsetValue(bytes: Uint8Array): OffsetCommitValue {
  const r = new Reader(bytes);
  const version = Math.min(valueVersion(r, "OffsetCommitValue"), OFFSET_VALUE_MAX);
  const flexible = version >= FIRST_FLEXIBLE;
  const offset = r.readInt64();
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = flexible ? r.readCompactString() : r.readString();
  const commitTimestamp = r.readInt64();
  const expireTimestamp = version === 1 ? r.readInt64() : -1n;
  if (flexible) r.skipTaggedFields();
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

function readClassicValue(bytes: Uint8Array): ClassicGroupValue {
  const r = new Reader(bytes);
  const version = Math.min(valueVersion(r, "GroupMetadataValue"), GROUP_VALUE_MAX);
  const flexible = version >= FIRST_FLEXIBLE;
  const str = () => flexible ? r.readCompactString() : r.readString();
  const nullableStr = () => flexible ? r.readCompactNullableString() : r.readNullableString();
  const protocolType = str();
  const generation = r.readInt32();
  const protocol = nullableStr();
  const leader = nullableStr();
  const currentStateTimestamp = version >= 2 ? r.readInt64() : -1n;
  const count = flexible ? r.readCompactArrayLength() : r.readArrayLength();
  const members: ClassicMemberValue[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nullableStr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalanceTimeout = version >= 1 ? r.readInt32() : -1;
    const sessionTimeoutMs = r.readInt32();
    const subscription = flexible ? r.readCompactBytes() : r.readBytes();
    const assignment = flexible ? r.readCompactBytes() : r.readBytes();
    if (flexible) r.skipTaggedFields();
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      // v0 has no rebalance timeout; Kafka's loader then uses the session timeout.
      rebalanceTimeoutMs: rebalanceTimeout === -1 ? sessionTimeoutMs : rebalanceTimeout,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  if (flexible) r.skipTaggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

function readConsumerValue(bytes: Uint8Array): ConsumerGroupValue {
  const r = new Reader(bytes);
  valueVersion(r, "ConsumerGroupMetadataValue"); // v0 is the only one; all are flexible
  const epoch = r.readInt32();
  r.skipTaggedFields();
  return { epoch };
}

/**
 * What replaying the log meets, in log order: a record with its offset, and the producer whose transaction
 * it belongs to (null outside a transaction); or a transaction's end (a COMMIT or ABORT marker).
 */
export type GroupLogEntry =
  | { type: "record"; record: GroupRecord; offset: bigint; txn: TxnProducer | null }
  | { type: "marker"; producerId: bigint; commit: boolean; offset: bigint }
  /** Before a transactional batch's records: its producer and the sequence after its last record. */
  | { type: "txnBatch"; txn: TxnProducer; nextSequence: number; offset: bigint };

/**
 * Every record of the whole batches in `batches`, in log order (see decodeGroupLog). Markers are left out.
 */
export function decodeGroupRecords(batches: Uint8Array): { records: GroupRecord[]; skipped: number } {
  const { entries, skipped } = decodeGroupLog(batches);
  const records: GroupRecord[] = [];
  for (const e of entries) if (e.type === "record") records.push(e.record);
  return { records, skipped };
}

/**
 * The records and transaction markers of the whole batches in `batches`, in log order. Nothing here throws
 * on bad data: a record whose key version is not ours, whose bytes do not decode, or that has a null key is
 * skipped and counted; so are control batches other than COMMIT/ABORT markers, batches with a bad crc,
 * legacy (magic 0/1) message sets and batches in a codec we cannot read (zstd), each counted as its record
 * count (1 when unknown). A truncated tail counts as 1. Batches are decompressed with gzip, snappy or lz4
 * as their attributes say.
 */
export function decodeGroupLog(batches: Uint8Array): { entries: GroupLogEntry[]; skipped: number } {
  const entries: GroupLogEntry[] = [];
  const split = splitBatches(batches);
  let skipped = split.error ? 1 : 0;
  for (const { start, end } of split.batches) {
    const batch = batches.subarray(start, end);
    if (batch.length < BATCH_HEADER_BYTES || batch[MAGIC_OFFSET] !== MAGIC_V2) {
      skipped++;
      continue;
    }
    const header = readBatchHeader(batch);
    const count = Math.max(header.recordsCount, 1);
    if (computeBatchCrc(batch, 0, batch.length) !== header.crc) {
      skipped += count;
      continue;
    }
    if (header.isControl) {
      const marker = readMarker(batch);
      if (marker === null) skipped += count;
      else {
        entries.push({
          type: "marker",
          producerId: header.producerId,
          commit: marker.commit,
          offset: header.baseOffset,
        });
      }
      continue;
    }
    const body = recordsOf(batch, header.compression);
    if (body === null) {
      skipped += count;
      continue;
    }
    const txn = header.isTransactional ? { producerId: header.producerId, producerEpoch: header.producerEpoch } : null;
    if (txn && header.baseSequence >= 0) {
      const nextSequence = (header.baseSequence + header.lastOffsetDelta + 1) % 0x80000000;
      entries.push({ type: "txnBatch", txn, nextSequence, offset: header.baseOffset });
    }
    const read: Array<{ record: GroupRecord; offsetDelta: number }> = [];
    skipped += readRecords(body, header.recordsCount, read);
    for (const { record, offsetDelta } of read) {
      entries.push({ type: "record", record, offset: header.baseOffset + BigInt(offsetDelta), txn });
    }
  }
  return { entries, skipped };
}

/** The batch's record bytes, decompressed; null when the codec is unknown or the data does not decompress. */
function recordsOf(batch: Uint8Array, compression: number): Uint8Array | null {
  try {
    return decompress(compression, batch.subarray(RECORDS_OFFSET));
  } catch {
    return null;
  }
}

/**
 * Reads `count` v2 records from `body` into `out`; returns how many were
 * skipped. A record whose length is readable but whose contents are not is
 * stepped over; a broken length ends the walk, the rest counting as skipped.
 */
function readRecords(
  body: Uint8Array,
  count: number,
  out: Array<{ record: GroupRecord; offsetDelta: number }>,
): number {
  let skipped = 0;
  const r = new Reader(body);
  for (let i = 0; i < count; i++) {
    let length: number;
    try {
      length = r.readVarint();
    } catch {
      return skipped + count - i;
    }
    if (length < 0 || length > r.remaining()) return skipped + count - i;
    const next = r.pos + length;
    try {
      const read = decodeRecordBody(new Reader(body, r.pos, next));
      if (read === null) skipped++;
      else out.push(read);
    } catch {
      skipped++;
    }
    r.pos = next;
  }
  return skipped;
}

/** One record's fields after its length: attributes, timestampDelta, offsetDelta, key, value (headers ignored). */
function decodeRecordBody(r: Reader): { record: GroupRecord; offsetDelta: number } | null {
  r.readInt8(); // attributes, unused in v2
  r.readVarlong(); // timestampDelta
  const offsetDelta = r.readVarint();
  const keyLength = r.readVarint();
  if (keyLength < 0) return null; // every record of this log has a key
  const key = r.readRaw(keyLength);
  const valueLength = r.readVarint();
  const value = valueLength < 0 ? null : r.readRaw(valueLength);
  const record = decodeGroupRecord(key, value);
  return record === null ? null : { record, offsetDelta };
}

// ---------------------------------------------------------------------------
// Size accounting

/** UTF-8 byte length of `s` (lone surrogates count 3, as TextEncoder writes U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const strSize = (s: string | null) => 2 + (s === null ? 0 : utf8Length(s));

/**
 * About how many bytes the record takes in a batch (key and value exactly,
 * plus a typical per-record overhead of varints), for compaction accounting.
 */
export function groupRecordBytes(record: GroupRecord): number {
  const RECORD_OVERHEAD = 8; // length, attributes, deltas, key/value lengths, header count
  let key = 2 + strSize(record.groupId);
  let value = 0;
  switch (record.kind) {
    case "offset": {
      key += strSize(record.topic) + 4;
      const v = record.value;
      if (v) value = 2 + 8 + 4 + strSize(v.metadata) + 8; // v1 swaps leaderEpoch (4) for expireTimestamp (8)
      if (v && v.expireTimestamp !== -1n) value += 4;
      break;
    }
    case "classic": {
      const v = record.value;
      if (!v) break;
      value = 2 + strSize(v.protocolType) + 4 + strSize(v.protocol) + strSize(v.leader) + 8 + 4;
      for (const m of v.members) {
        value += strSize(m.memberId) + strSize(m.groupInstanceId) + strSize(m.clientId) + strSize(m.clientHost) +
          4 + 4 + 4 + m.subscription.length + 4 + m.assignment.length;
      }
      break;
    }
    case "consumer":
      if (record.value) value = 2 + 4 + 1;
      break;
  }
  return RECORD_OVERHEAD + key + value;
}
