/**
 * The broker-wide budget of unsent response bytes
 * (`tsbroker.queued.max.response.bytes`), shared by every processor through
 * a SharedArrayBuffer pool like the request memory pool.
 *
 * Kafka sends fetched data with sendfile, so a client that stops reading
 * costs it nothing but a socket; here fetched data is read into memory, so
 * 40 clients that fetch 55 MiB each and never read held 2.2 GB. Three rules
 * bound that:
 * - A Fetch takes credit when dispatched, before its data is read: its
 *   max_bytes, capped at fetch.max.bytes and at a share (1/8) of what is
 *   left, but at least 1 MiB. When the cap is below what the client asked
 *   for, the request's max_bytes is lowered in the frame itself (Kafka's
 *   max_bytes is a soft limit clients already cope with: they simply fetch
 *   again). With nothing left, the Fetch waits.
 * - Once written, a response's credit is replaced by what the socket
 *   actually holds unsent, and given back as the client reads.
 * - The processor pauses a connection with more than 4 MiB unsent and, when
 *   the budget runs low, closes connections whose unsent bytes have not
 *   moved for `tsbroker.connections.max.write.stall.ms`.
 */
import type { MemoryPool } from "./memory_pool.ts";

/** Smallest Fetch credit: below this, responses get too small to be worth a round trip. */
export const MIN_FETCH_CREDIT = 1024 * 1024;
/** A Fetch takes at most this fraction of what is left, so many fetchers share a tight budget. */
const SHARE_DIVISOR = 8;
/** The budget counts as low (stalled writers get closed) below this fraction of it. */
const LOW_DIVISOR = 8;
const FETCH_API_KEY = 1;

export class UnsentBudget {
  constructor(readonly pool: MemoryPool, private readonly fetchMaxBytes: number) {}

  get low(): boolean {
    return this.pool.available < this.pool.capacity / LOW_DIVISOR;
  }

  /**
   * Credit for dispatching the Fetch in `frame` (api version `version`), or
   * -1 when the budget is spent and the Fetch must wait. May lower the
   * frame's max_bytes to the credit.
   */
  takeFetchCredit(frame: Uint8Array, version: number): number {
    const available = this.pool.available;
    if (available <= 0) return -1;
    const at = fetchMaxBytesOffset(frame, version);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const asked = at >= 0 ? view.getInt32(at) : this.fetchMaxBytes;
    const wanted = Math.max(1, Math.min(asked, this.fetchMaxBytes));
    const share = Math.max(MIN_FETCH_CREDIT, Math.floor(available / SHARE_DIVISOR));
    const credit = Math.min(wanted, share);
    if (!this.pool.tryReserve(credit)) return -1;
    if (at >= 0 && credit < asked) view.setInt32(at, credit);
    return credit;
  }

  release(bytes: number): void {
    if (bytes !== 0) this.pool.release(bytes);
  }

  /** Count `bytes` more (may overdraw: they are already in memory). */
  charge(bytes: number): void {
    if (bytes !== 0) this.pool.reserve(bytes);
  }
}

/**
 * Where a Fetch request's max_bytes sits in its frame (no size prefix), or
 * -1 if the frame is not a Fetch this can read. Header v1 (Fetch v4–v11) or
 * v2 (v12+: tagged fields after the client id); the body starts with
 * replica_id (only before v15), max_wait_ms, min_bytes, max_bytes.
 */
export function fetchMaxBytesOffset(frame: Uint8Array, version: number): number {
  if (frame.byteLength < 10 || ((frame[0] << 8) | frame[1]) !== FETCH_API_KEY || version < 3) return -1;
  const clientIdLength = (frame[8] << 24 >> 16) | frame[9];
  let pos = 10 + Math.max(0, clientIdLength);
  if (version >= 12) {
    let tags: number;
    [tags, pos] = readUnsignedVarint(frame, pos);
    for (let i = 0; i < tags && pos >= 0; i++) {
      let size: number;
      [, pos] = readUnsignedVarint(frame, pos);
      if (pos < 0) break;
      [size, pos] = readUnsignedVarint(frame, pos);
      if (pos >= 0) pos += size;
    }
    if (pos < 0) return -1;
  }
  pos += version >= 15 ? 8 : 12;
  return pos + 4 <= frame.byteLength ? pos : -1;
}

/** [value, next position], or [0, -1] past the end or after 5 bytes. */
function readUnsignedVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.byteLength) return [0, -1];
    const b = bytes[pos++];
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value >>> 0, pos];
  }
  return [0, -1];
}

export { FETCH_API_KEY };
