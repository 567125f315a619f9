/**
 * Byte rates per quota (Kafka's Rate over a SampledStat, as its quota
 * sensors measure them), kept in one buffer that every handler Worker maps:
 * with the buffer a SharedArrayBuffer, a client's bytes count broker-wide
 * whichever handler its requests reach.
 *
 * Layout (BigInt64 words): SLOTS slots, each [key hash, then per window
 * (window number, bytes)]. A rate key takes the slot its 52-bit hash probes to
 * first (linear probing, claimed with compareExchange); a full table lets the
 * key go unmeasured rather than share another key's count. Windows are aligned
 * to multiples of the window size (Kafka starts a sample at its first record;
 * the rate differs only in where the 1 s boundaries fall). A window is reset by
 * whoever first records into it after it expired; bytes added by another
 * Worker between that reset's two steps may be lost, a few requests' worth per
 * window at most.
 *
 * The rate, as Kafka's: the bytes of the windows younger than `windows` sizes,
 * over the time since the oldest of them began plus one size for each full
 * window short of `windows - 1` (so a new client's first bytes are spread over
 * 10 s, as in Kafka: a burst of about 10 s worth passes before throttling).
 */

import type { BrokerConfig } from "../../config/keys.ts";

const SLOTS = 1024;

export interface RateTableOptions {
  /** quota.window.num (Kafka: 11). */
  windows: number;
  /** quota.window.size.seconds in ms (Kafka: 1000). */
  windowMs: number;
}

export const DEFAULT_RATE_OPTIONS: RateTableOptions = { windows: 11, windowMs: 1000 };

/** The windows a broker's config sets (`quota.window.num`, `quota.window.size.seconds`). */
export function rateOptionsOf(config: BrokerConfig): RateTableOptions {
  return { windows: config["quota.window.num"], windowMs: config["quota.window.size.seconds"] * 1000 };
}

export function createRateTableBuffer(options: RateTableOptions = DEFAULT_RATE_OPTIONS): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * (1 + 2 * options.windows) * 8);
}

export class RateTable {
  private readonly words: BigInt64Array;
  private readonly stride: number;
  /** Slots this Worker has found, to skip hashing and probing on every request. */
  private readonly known = new Map<string, number>();

  constructor(buffer: SharedArrayBuffer | ArrayBuffer, readonly options: RateTableOptions = DEFAULT_RATE_OPTIONS) {
    this.words = new BigInt64Array(buffer);
    this.stride = 1 + 2 * options.windows;
    if (this.words.length < SLOTS * this.stride) throw new Error("rate table buffer too small for its windows");
  }

  /** Adds `bytes` at `nowMs` to the rate of `key`; returns the rate after (per second), or null if unmeasured. */
  record(key: string, bytes: number, nowMs: number): number | null {
    const slot = this.slotOf(key);
    if (slot < 0) return null;
    const { windows, windowMs } = this.options;
    const window = Math.floor(nowMs / windowMs);
    const at = slot + 1 + 2 * (window % windows);
    const current = Atomics.load(this.words, at);
    if (current !== BigInt(window)) {
      if (Atomics.compareExchange(this.words, at, current, BigInt(window)) === current) {
        Atomics.store(this.words, at + 1, 0n);
      }
    }
    Atomics.add(this.words, at + 1, BigInt(Math.round(bytes)));
    return this.rateAt(slot, nowMs);
  }

  /**
   * Kafka's throttle time after recording: how long the client must wait for its rate to come back to
   * `limit` ((rate − limit) / limit × the window span), at most the whole window span; 0 within the quota.
   */
  throttleMs(key: string, bytes: number, limit: number, nowMs: number): number {
    const slot = this.slotOf(key);
    if (slot < 0) return 0;
    this.record(key, bytes, nowMs);
    const { total, spanMs } = this.measure(slot, nowMs);
    const rate = total / (spanMs / 1000);
    if (rate <= limit) return 0;
    const maxMs = this.options.windows * this.options.windowMs;
    return Math.min(Math.round((rate - limit) / limit * spanMs), maxMs);
  }

  /** The rate of `key` at `nowMs` (per second), 0 when nothing is recorded. */
  rate(key: string, nowMs: number): number {
    const slot = this.slotOf(key);
    return slot < 0 ? 0 : this.rateAt(slot, nowMs);
  }

  /** Kafka's Rate.windowSize at `nowMs` for `key`: the span its rate divides by (ms). */
  windowSizeMs(key: string, nowMs: number): number {
    const slot = this.slotOf(key);
    return slot < 0 ? (this.options.windows - 1) * this.options.windowMs : this.measure(slot, nowMs).spanMs;
  }

  private rateAt(slot: number, nowMs: number): number {
    const { total, spanMs } = this.measure(slot, nowMs);
    return total / (spanMs / 1000);
  }

  private measure(slot: number, nowMs: number): { total: number; spanMs: number } {
    const { windows, windowMs } = this.options;
    const window = Math.floor(nowMs / windowMs);
    let total = 0;
    let oldest = window;
    for (let i = 0; i < windows; i++) {
      const at = slot + 1 + 2 * i;
      const w = Number(Atomics.load(this.words, at));
      if (w <= window - windows || w > window) continue;
      total += Number(Atomics.load(this.words, at + 1));
      if (w < oldest) oldest = w;
    }
    let spanMs = nowMs - oldest * windowMs;
    const fullWindows = Math.floor(spanMs / windowMs);
    if (fullWindows < windows - 1) spanMs += (windows - 1 - fullWindows) * windowMs;
    return { total, spanMs: Math.max(spanMs, 1) };
  }

  /** The word index of `key`'s slot, claimed if new; -1 when the table is full. */
  private slotOf(key: string): number {
    const known = this.known.get(key);
    if (known !== undefined) return known;
    const slot = this.findSlot(key);
    if (slot >= 0) {
      if (this.known.size > 10_000) this.known.clear();
      this.known.set(key, slot);
    }
    return slot;
  }

  private findSlot(key: string): number {
    const hash = hash52(key);
    const start = Number(hash % BigInt(SLOTS));
    for (let probe = 0; probe < SLOTS; probe++) {
      const slot = ((start + probe) % SLOTS) * this.stride;
      const seen = Atomics.load(this.words, slot);
      if (seen === hash) return slot;
      if (seen === 0n && Atomics.compareExchange(this.words, slot, 0n, hash) === 0n) return slot;
      if (Atomics.load(this.words, slot) === hash) return slot;
    }
    return -1;
  }
}

/** FNV-1a over UTF-16 units, 52 bits, never 0 (0 marks a free slot). */
function hash52(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < key.length; i++) {
    h ^= BigInt(key.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  const out = h & 0xfffffffffffffn;
  return out === 0n ? 1n : out;
}
