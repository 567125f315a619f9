/**
 * Cuts one connection's byte stream into size-prefixed request frames,
 * taking memory from the shared pool (`queued.max.request.bytes`) only as
 * the bytes arrive.
 *
 * The 4-byte size prefix is only a promise: reserving it up front let three
 * connections that each sent "100 MiB" and nothing more hold the whole pool
 * and stall every other client. Here a frame's bytes are kept as copied
 * pieces, each reserved when it arrives, until at least half of the frame is
 * in; only then is the frame's own buffer allocated (and the rest of its size
 * reserved) and the pieces copied into it. A connection therefore holds at
 * most twice what it actually sent (plus one read), and large frames cost at
 * most half a frame of extra copying; a frame that arrives in one read is
 * copied once, as before. Once complete, a frame holds exactly its size in
 * the pool, which the handler releases after handling it.
 */
import type { MemoryPool } from "./memory_pool.ts";

/** The smallest valid request: api key, api version, correlation id. */
export const MIN_REQUEST_BYTES = 8;

export type FeedResult = "ok" | "blocked" | { error: string };

export class FrameReader {
  /** Complete frames, oldest first; each holds its size in the pool. */
  readonly ready: Uint8Array[] = [];
  /** Bytes received while the pool was dry, fed again by `retry`. */
  private stash: Uint8Array | null = null;
  private readonly sizeBytes = new Uint8Array(4);
  private sizeFilled = 0;
  /** Declared size of the frame being read; 0 while reading a size prefix. */
  private size = 0;
  private received = 0;
  /** Pool bytes held by the frame being read. */
  private reserved = 0;
  private pieces: Uint8Array[] = [];
  private frame: Uint8Array | null = null;
  /** When the current request's first byte came (-1: between requests). */
  startedAt = -1;

  /** The key that sets the size limit, named when a frame exceeds it. */
  private limitKey = "socket.request.max.bytes";
  private minFrameBytes = MIN_REQUEST_BYTES;

  constructor(private readonly pool: MemoryPool, private maxRequestBytes: number) {}

  /**
   * Change the size limits for frames not yet started: SASL's smaller limit until authenticated, and a
   * smaller minimum, since the unframed tokens of a v0 handshake need not hold a request header.
   */
  setLimit(maxRequestBytes: number, key: string, minFrameBytes = MIN_REQUEST_BYTES): void {
    this.maxRequestBytes = maxRequestBytes;
    this.limitKey = key;
    this.minFrameBytes = minFrameBytes;
  }

  /** True while the pool refused memory and bytes wait in the stash. */
  get blocked(): boolean {
    return this.stash !== null;
  }

  /** Bytes received but not yet part of a complete frame (stash excluded). */
  get partialBytes(): number {
    return this.received;
  }

  /** Consume `chunk` (valid only during the call). "blocked": the pool is dry; pause reading and `retry` later. */
  feed(chunk: Uint8Array, now: number): FeedResult {
    if (this.stash !== null) {
      this.stash = concat(this.stash, chunk);
      return "blocked";
    }
    return this.consume(chunk, now, false);
  }

  /** Feed the stash again once the pool may have memory. */
  retry(now: number): FeedResult {
    const stash = this.stash;
    if (stash === null) return "ok";
    this.stash = null;
    return this.consume(stash, now, true);
  }

  /** The request clock restarts: time the broker itself stopped reading must not count against the client. */
  restartClock(now: number): void {
    if (this.startedAt >= 0) this.startedAt = now;
  }

  /** Give back every pool byte this connection holds (it is closing). */
  releaseAll(): void {
    let held = this.reserved;
    for (const frame of this.ready) held += frame.byteLength;
    if (held > 0) this.pool.release(held);
    this.ready.length = 0;
    this.reserved = 0;
    this.pieces = [];
    this.frame = null;
    this.stash = null;
  }

  private consume(chunk: Uint8Array, now: number, owned: boolean): FeedResult {
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (this.size === 0) {
        if (this.sizeFilled === 0) this.startedAt = now;
        const take = Math.min(4 - this.sizeFilled, chunk.byteLength - offset);
        this.sizeBytes.set(chunk.subarray(offset, offset + take), this.sizeFilled);
        this.sizeFilled += take;
        offset += take;
        if (this.sizeFilled < 4) return "ok";
        this.sizeFilled = 0;
        const b = this.sizeBytes;
        const size = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
        if (size < this.minFrameBytes || size > this.maxRequestBytes) {
          return {
            error: size > this.maxRequestBytes || size < 0
              ? `request size ${size >>> 0} exceeds ${this.limitKey} (${this.maxRequestBytes})`
              : `request of ${size} bytes is too short to hold a request header`,
          };
        }
        this.size = size;
      }
      const take = Math.min(this.size - this.received, chunk.byteLength - offset);
      if (!this.store(chunk, offset, take, owned)) {
        this.stash = owned && offset === 0 ? chunk : chunk.slice(offset);
        return "blocked";
      }
      offset += take;
      if (this.received === this.size) this.complete();
    }
    return "ok";
  }

  /** Keep `take` bytes of the frame; false when the pool has nothing to give. */
  private store(chunk: Uint8Array, offset: number, take: number, owned: boolean): boolean {
    if (this.frame === null && (this.received + take) * 2 >= this.size) {
      if (!this.pool.tryReserve(this.size - this.reserved)) return false;
      this.reserved = this.size;
      const frame = new Uint8Array(this.size);
      let at = 0;
      for (const piece of this.pieces) {
        frame.set(piece, at);
        at += piece.byteLength;
      }
      this.pieces = [];
      this.frame = frame;
    }
    if (this.frame !== null) {
      this.frame.set(chunk.subarray(offset, offset + take), this.received);
    } else {
      if (!this.pool.tryReserve(take)) return false;
      this.reserved += take;
      const piece = chunk.subarray(offset, offset + take);
      this.pieces.push(owned ? piece : piece.slice());
    }
    this.received += take;
    return true;
  }

  private complete(): void {
    this.ready.push(this.frame!);
    this.frame = null;
    this.size = 0;
    this.received = 0;
    this.reserved = 0;
    this.startedAt = -1;
  }
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.byteLength + tail.byteLength);
  joined.set(head);
  joined.set(tail, head.byteLength);
  return joined;
}
