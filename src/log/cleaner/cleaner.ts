/**
 * One cleaning of one compacted log (Kafka's Cleaner.doClean), done in slices so the owner Worker keeps
 * serving appends and fetches in between:
 * 1. Map: read the dirty range's batches and note each key's latest offset; stop before a batch whose
 *    keys might not fit the map (the cleaning then covers the offsets mapped so far).
 * 2. Rewrite: from the log start up to the map's end, segments are grouped (their sizes summing to at
 *    most segment.bytes, indexes and relative offsets within bounds) and each group is written to one
 *    `<base>.log.cleaned` keeping: the latest record of each key, tombstones until the delete horizon of
 *    their batch passed (the cleaning that first keeps one sets it to now + delete.retention.ms),
 *    control batches, and, emptied, the last batch of each producer the log's producer state knows.
 *    Records without a key are dropped, as Kafka's cleaner does, and so are the records of aborted
 *    transactions (aborted_ranges.ts), which the map never counts. A COMMIT or ABORT marker goes once
 *    no record of its transaction is left, after a delete horizon as for tombstones, unless it closes its
 *    producer's last transaction. Offsets and timestamps stay as written.
 *    The range ends before the earliest open transaction (cleanable.ts).
 * 3. Swap: the cleaned segment is fdatasync'ed, renamed `.swap`, the old segments move to `.deleted`
 *    and the cleaned one takes its final name (swap_recovery.ts completes or discards each step after a
 *    crash); then the checkpoint moves to the map's end.
 * A group whose one segment comes out unchanged is not rewritten.
 */
import * as fs from "node:fs";
import type { Logger } from "../../util/logger.ts";
import type { LogConfig } from "../log_config.ts";
import type { PartitionLog } from "../partition_log.ts";
import { CLEANED_SUFFIX, Segment, SWAP_SUFFIX } from "../segment.ts";
import { fsyncDirectory } from "../dir_sync.ts";
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  CONTROL_MASK,
  DELETE_HORIZON_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  TRANSACTIONAL_MASK,
} from "../record_batch.ts";
import { AbortedRanges } from "./aborted_ranges.ts";
import { emptyBatch, keyString, parseRecords, rebuildBatch, recordsSection } from "./batch_filter.ts";
import { KeyOffsetMap } from "./offset_map.ts";
import { cleanableRange } from "./cleanable.ts";
import { readCleanerCheckpoint, writeCleanerCheckpoint } from "./clean_checkpoint.ts";

/** Bytes read between two yields to the event loop. */
export const SLICE_BYTES = 128 * 1024;
const INT32_MAX = 0x7fffffff;

export interface CleanerContext {
  log: PartitionLog;
  /** The partition directory (for the cleaner checkpoint). */
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  logger: Logger;
  now: () => number;
  /** Keys one cleaning may map. */
  mapCapacity: number;
  /** Bytes read between two calls of `pace` (SLICE_BYTES by default). */
  sliceBytes?: number;
  /** Producer id → last offset of its last batch, for the producers the partition's state holds. */
  producerLastOffsets: () => ReadonlyMap<bigint, bigint>;
  /** The first offset of the earliest open transaction, or null (the cleaning stops before it). */
  firstUnstableOffset?: () => bigint | null;
  /** Awaited after each slice with the bytes it read and wrote: yields, and throttles. */
  pace: (bytes: number) => Promise<void>;
  /** True when the cleaning must stop (the log closes, the cleaner stops). */
  stopped: () => boolean;
  /** Hears each file step of a swap (crash tests throw from it). */
  step?: (what: string) => void;
}

export interface CleanStats {
  firstDirty: bigint;
  endOffset: bigint;
  segmentsBefore: number;
  segmentsAfter: number;
  bytesRead: number;
  bytesWritten: number;
  recordsKept: number;
  recordsRemoved: number;
}

class Aborted extends Error {}

/** Walks the whole batches of `seg` from byte `from`, a slice at a time; `fn` gets each batch's bytes. */
async function forEachBatch(
  ctx: CleanerContext,
  seg: Segment,
  from: number,
  fn: (batch: Uint8Array) => boolean | void,
): Promise<number> {
  let pos = from;
  let read = 0;
  while (pos < seg.size) {
    if (ctx.stopped() || seg.isClosed) throw new Aborted();
    let chunk = seg.read(pos, Math.min(ctx.sliceBytes ?? SLICE_BYTES, seg.size - pos));
    const first = LOG_OVERHEAD + new DataView(chunk.buffer).getInt32(BATCH_LENGTH_OFFSET);
    if (first > chunk.length) chunk = seg.read(pos, first);
    const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    let at = 0;
    let stop = false;
    while (at + BATCH_HEADER_BYTES <= chunk.length) {
      const size = LOG_OVERHEAD + v.getInt32(at + BATCH_LENGTH_OFFSET);
      if (size < BATCH_HEADER_BYTES || at + size > chunk.length) break;
      if (fn(chunk.subarray(at, at + size)) === false) {
        stop = true;
        break;
      }
      at += size;
    }
    if (at === 0 && !stop) throw new Error(`${seg.logPath}: no whole batch at byte ${pos}`);
    pos += at;
    read += at;
    await ctx.pace(at);
    if (stop) break;
  }
  return read;
}

/** Step 1: the key map over [firstDirty, firstUncleanable); returns the map and the offset it ends at. */
async function buildMap(
  ctx: CleanerContext,
  segments: readonly Segment[],
  firstDirty: bigint,
  firstUncleanable: bigint,
  aborted: AbortedRanges,
): Promise<{ map: KeyOffsetMap; end: bigint; read: number }> {
  const map = new KeyOffsetMap(ctx.mapCapacity);
  let end = firstDirty;
  let read = 0;
  let full = false;
  for (const seg of segments) {
    if (full || seg.baseOffset >= firstUncleanable) break;
    if (seg.nextOffset <= firstDirty) continue;
    const start = seg.findBatch(firstDirty);
    if (start === null) continue;
    read += await forEachBatch(ctx, seg, start.position, (batch) => {
      const v = new DataView(batch.buffer, batch.byteOffset, batch.length);
      const base = v.getBigInt64(BASE_OFFSET_OFFSET);
      const count = v.getInt32(RECORDS_COUNT_OFFSET);
      if (base >= firstUncleanable || !map.hasRoomFor(count)) {
        if (map.size === 0 && base < firstUncleanable) {
          throw new Error(`a batch of ${count} records does not fit the dedupe map`);
        }
        full = true;
        return false;
      }
      if ((v.getInt16(ATTRIBUTES_OFFSET) & CONTROL_MASK) === 0 && count > 0 && !isAborted(v, aborted)) {
        const section = recordsSection(batch);
        const baseOffset = Number(base);
        for (const r of parseRecords(section, count, 0)) {
          if (r.keyStart >= 0) map.put(keyString(section, r), baseOffset + r.offsetDelta);
        }
      }
      end = base + BigInt(v.getInt32(LAST_OFFSET_DELTA_OFFSET)) + 1n;
    });
  }
  return { map, end, read };
}

/** Segments below `end` in groups that may become one segment each (Kafka's groupSegmentsBySize). */
export function groupSegments(segments: readonly Segment[], end: bigint, config: LogConfig): Segment[][] {
  const maxIndex = Math.floor(config.segmentIndexBytes / 12);
  const groups: Segment[][] = [];
  const todo = segments.filter((s) => s.baseOffset < end);
  for (let i = 0; i < todo.length;) {
    const group = [todo[i]];
    let size = todo[i].size;
    let entries = todo[i].offsetIndex.entries + todo[i].timeIndex.entries + 2;
    for (i++; i < todo.length; i++) {
      const next = todo[i];
      const nextEntries = next.offsetIndex.entries + next.timeIndex.entries + 2;
      if (size + next.size > config.segmentBytes || entries + nextEntries > maxIndex) break;
      if (next.nextOffset - 1n - group[0].baseOffset > BigInt(INT32_MAX)) break;
      group.push(next);
      size += next.size;
      entries += nextEntries;
    }
    groups.push(group);
  }
  return groups;
}

/** A transactional data batch of an aborted transaction. */
function isAborted(v: DataView, aborted: AbortedRanges): boolean {
  if (aborted.size === 0 || (v.getInt16(ATTRIBUTES_OFFSET) & TRANSACTIONAL_MASK) === 0) return false;
  return aborted.covers(v.getBigInt64(PRODUCER_ID_OFFSET), v.getBigInt64(BASE_OFFSET_OFFSET));
}

interface Filter {
  map: KeyOffsetMap;
  aborted: AbortedRanges;
  /** Per producer: whether a record of its current transaction was kept so far (batches in log order). */
  txnKept: Map<bigint, boolean>;
  end: bigint;
  nowMs: number;
  deleteRetentionMs: number;
  lastOfProducer: ReadonlyMap<bigint, bigint>;
  kept: number;
  removed: number;
}

/** What of `batch` a cleaning keeps: itself, a rebuilt batch, or nothing (null). */
export function filterBatch(batch: Uint8Array, f: Filter): Uint8Array | null {
  const v = new DataView(batch.buffer, batch.byteOffset, batch.length);
  const base = v.getBigInt64(BASE_OFFSET_OFFSET);
  const attributes = v.getInt16(ATTRIBUTES_OFFSET);
  const count = v.getInt32(RECORDS_COUNT_OFFSET);
  if (base >= f.end || count === 0) return batch;
  if ((attributes & CONTROL_MASK) !== 0) return filterMarker(batch, v, f);
  const horizon = (attributes & DELETE_HORIZON_MASK) !== 0 ? Number(v.getBigInt64(BASE_TIMESTAMP_OFFSET)) : null;
  const section = recordsSection(batch);
  const records = parseRecords(section, count, Number(v.getBigInt64(BASE_TIMESTAMP_OFFSET)));
  const baseOffset = Number(base);
  const aborted = isAborted(v, f.aborted);
  let tombstones = false;
  const kept = aborted ? [] : records.filter((r) => {
    if (r.keyStart < 0) return false;
    const latest = f.map.get(keyString(section, r));
    if (latest !== undefined && baseOffset + r.offsetDelta < latest) return false;
    if (!r.tombstone) return true;
    if (horizon !== null && f.nowMs >= horizon) return false;
    tombstones = true;
    return true;
  });
  f.kept += kept.length;
  f.removed += count - kept.length;
  if (kept.length > 0 && (attributes & TRANSACTIONAL_MASK) !== 0) {
    f.txnKept.set(v.getBigInt64(PRODUCER_ID_OFFSET), true);
  }
  if (kept.length === 0) {
    const producerId = v.getBigInt64(PRODUCER_ID_OFFSET);
    const last = base + BigInt(v.getInt32(LAST_OFFSET_DELTA_OFFSET));
    return producerId >= 0n && f.lastOfProducer.get(producerId) === last ? emptyBatch(batch) : null;
  }
  const setHorizon = tombstones && horizon === null;
  if (kept.length === count && !setHorizon) return batch;
  return rebuildBatch(batch, section, kept, setHorizon ? f.nowMs + f.deleteRetentionMs : horizon);
}

/**
 * A COMMIT or ABORT marker (Kafka's Cleaner: a marker of a transaction with no record left can go): kept
 * while a record of its transaction is, or while no data batch of its producer follows it (the producer
 * state rebuilt from the log needs it); else the first cleaning sets its delete horizon to now +
 * delete.retention.ms, so a consumer reading past its records still sees it, and a later one removes it.
 */
function filterMarker(batch: Uint8Array, v: DataView, f: Filter): Uint8Array | null {
  const producerId = v.getBigInt64(PRODUCER_ID_OFFSET);
  const hadRecords = f.txnKept.get(producerId) === true;
  f.txnKept.delete(producerId);
  // A marker after its producer's last data batch stays (as does that batch, emptied): replayed without it, the
  // batch would open a transaction that nothing closes. So does one of a producer the state no longer knows.
  const offset = v.getBigInt64(BASE_OFFSET_OFFSET);
  const lastData = f.lastOfProducer.get(producerId);
  if (hadRecords || lastData === undefined || lastData < offset) return batch;
  const baseTimestamp = Number(v.getBigInt64(BASE_TIMESTAMP_OFFSET));
  if ((v.getInt16(ATTRIBUTES_OFFSET) & DELETE_HORIZON_MASK) !== 0) return f.nowMs >= baseTimestamp ? null : batch;
  const section = recordsSection(batch);
  const records = parseRecords(section, v.getInt32(RECORDS_COUNT_OFFSET), baseTimestamp);
  return rebuildBatch(batch, section, records, f.nowMs + f.deleteRetentionMs);
}

/** Step 2 and 3 for one group: returns the bytes read and written, or null when the log moved on. */
async function cleanGroup(ctx: CleanerContext, group: Segment[], f: Filter): Promise<[number, number] | null> {
  const cleaned = Segment.create(ctx.dir, group[0].baseOffset, ctx.config, CLEANED_SUFFIX);
  // Discarded on any failure until it is renamed .swap; after that only if it was never put in place:
  // a failure in the middle of replacing leaves the .swap for recovery to complete (old segments may
  // already be .deleted).
  let keep = false;
  try {
    let read = 0;
    let changed = group.length > 1;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flushPending = () => {
      if (pendingBytes === 0) return;
      const out = new Uint8Array(pendingBytes);
      let at = 0;
      for (const b of pending) out.set(b, (at += b.length) - b.length);
      cleaned.appendBatches(out);
      pending = [];
      pendingBytes = 0;
    };
    for (const seg of group) {
      read += await forEachBatch(ctx, seg, 0, (batch) => {
        const out = filterBatch(batch, f);
        if (out !== batch) changed = true;
        if (out === null) return;
        pending.push(out === batch ? batch.slice() : out);
        pendingBytes += out.length;
      });
      flushPending();
    }
    if (!changed) return [read, 0];
    if (cleaned.size === 0) {
      // Nothing in the group is live: its segments just go (the range becomes a gap), no empty segment and
      // no swap. A crash in between leaves some of them, whose records are all superseded: the same reading.
      return ctx.log.replaceSegments(group, null, ctx.step) ? [read, 0] : null;
    }
    cleaned.onBecomeInactive();
    ctx.step?.("cleaned written");
    await cleaned.sync();
    if (ctx.stopped()) throw new Aborted();
    ctx.step?.("cleaned synced");
    // From here to the end of replaceSegments nothing yields: the group cannot change meanwhile.
    const inactive = ctx.log.inactiveSegments();
    if (!group.every((s) => inactive.includes(s))) return null;
    cleaned.renameSuffix(CLEANED_SUFFIX, SWAP_SUFFIX);
    keep = true;
    ctx.step?.("renamed to swap");
    keep = ctx.log.replaceSegments(group, cleaned, ctx.step);
    if (!keep) return null;
    ctx.step?.("installed");
    await fsyncDirectory(ctx.dir);
    return [read, cleaned.size];
  } finally {
    if (!keep) discard(cleaned);
  }
}

/** Closes and removes a cleaned segment that was not installed. */
function discard(seg: Segment): void {
  seg.close();
  for (const f of [seg.logPath, seg.offsetIndex.file.path, seg.timeIndex.file.path]) fs.rmSync(f, { force: true });
}

/** Cleans the log once if anything is cleanable; null when there was nothing to do or it was cut short. */
export async function cleanLog(ctx: CleanerContext): Promise<CleanStats | null> {
  const { log } = ctx;
  const checkpoint = readCleanerCheckpoint(ctx.dir, ctx.topic, ctx.partition);
  const nowMs = ctx.now();
  const segments = log.inactiveSegments();
  const bases = log.segmentBaseOffsets;
  const activeBase = bases[bases.length - 1];
  const unstable = ctx.firstUnstableOffset?.() ?? null;
  const range = cleanableRange(segments, activeBase, log.logStartOffset, checkpoint, ctx.config, nowMs, unstable);
  if (range.firstDirty >= range.firstUncleanable) return null;
  try {
    // Every aborted transaction from the log start: the rewrite starts there, the map at firstDirty.
    const aborted = new AbortedRanges(log.txnIndexes.collect(log.logStartOffset, range.firstUncleanable));
    const { map, end, read: mapRead } = await buildMap(
      ctx,
      segments,
      range.firstDirty,
      range.firstUncleanable,
      aborted,
    );
    if (end <= range.firstDirty) return null;
    const filter: Filter = {
      map,
      aborted,
      txnKept: new Map(),
      end,
      nowMs,
      deleteRetentionMs: ctx.config.deleteRetentionMs ?? 86_400_000,
      lastOfProducer: ctx.producerLastOffsets(),
      kept: 0,
      removed: 0,
    };
    let bytesRead = mapRead;
    let bytesWritten = 0;
    for (const group of groupSegments(log.inactiveSegments(), end, ctx.config)) {
      const done = await cleanGroup(ctx, group, filter);
      if (done === null) return null;
      bytesRead += done[0];
      bytesWritten += done[1];
    }
    writeCleanerCheckpoint(ctx.dir, ctx.topic, ctx.partition, end);
    return {
      firstDirty: range.firstDirty,
      endOffset: end,
      segmentsBefore: segments.length + 1,
      segmentsAfter: log.segmentCount,
      bytesRead,
      bytesWritten,
      recordsKept: filter.kept,
      recordsRemoved: filter.removed,
    };
  } catch (e) {
    if (e instanceof Aborted) return null;
    throw e;
  }
}
