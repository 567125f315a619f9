/**
 * Byte rates per quota (Kafka's Rate over a SampledStat, as its quota
 * sensors measure them), kept in one buffer that every handler Worker maps:
 * with the buffer a SharedArrayBuffer, a client's bytes count broker-wide
 * whichever handler its requests reach.
 *
 * Layout (BigInt64 words): `slots` slots, each [key word, then per window
 * (window number, amount)]. A key word is 0 (never used), TOMBSTONE (freed),
 * a key's 52-bit hash, or that hash with FREEING set while a sweep frees it.
 * A rate key takes the first freed or unused slot of its probe chain (linear
 * probing, claimed with compareExchange); a full table lets the key go
 * unmeasured rather than share another key's count. Windows are aligned to
 * multiples of the window size (Kafka starts a sample at its first record;
 * the rate differs only in where the 1 s boundaries fall). A window is reset by
 * whoever first records into it after it expired; bytes added by another
 * Worker between that reset's two steps may be lost, a few requests' worth per
 * window at most.
 *
 * Slots are given back (Kafka drops a quota sensor once idle): a key none of
 * whose windows is younger than `windows` sizes has nothing left to count. A
 * sweep (two slots per record, the whole table when a key finds no room) marks
 * such a slot FREEING, looks at its windows again, and only then makes it a
 * TOMBSTONE (or puts the key back, if a record came in between). Freed slots
 * stay tombstones, never 0, so the probe chains of keys stored after them stay
 * whole. A Worker that recorded into a slot checks afterwards that the slot is
 * still its key's (waiting out a FREEING mark); if it was freed meanwhile, it
 * takes its amount back out and records again in the key's new slot. Two
 * Workers claiming one new key at once in different slots both keep the first
 * in probe order, so a key is counted in one slot.
 *
 * Token buckets (Kafka's TokenBucket, for controller_mutation_rate) live in the
 * same slots, their key word flagged BUCKET: [lock, last refill ms, tokens as
 * a float64]; each update holds the slot's lock (a few instructions, no await),
 * and a bucket is freed only once refilled to its burst.
 *
 * The rate, as Kafka's: the amounts of the windows younger than `windows`
 * sizes, over the time since the oldest of them began plus one size for each
 * full window short of `windows - 1` (so a new client's first bytes are spread
 * over 10 s, as in Kafka: a burst of about 10 s worth passes before throttling).
 */

import type { BrokerConfig } from "../../config/keys.ts";

const SLOTS = 1024;
const TOMBSTONE = -1n;
const FREEING = 1n << 60n;
const BUCKET = 1n << 56n;
const HASH_MASK = (1n << 52n) - 1n;
/** Two records per sweep step keep the table's idle slots coming back without a cost per request worth naming. */
const SWEEP_PER_RECORD = 2;

export interface RateTableOptions {
  /** quota.window.num (Kafka: 11). */
  windows: number;
  /** quota.window.size.seconds in ms (Kafka: 1000). */
  windowMs: number;
  /** Slots in the table (1024 unless a test wants fewer). */
  slots?: number;
}

export const DEFAULT_RATE_OPTIONS: RateTableOptions = { windows: 11, windowMs: 1000 };

/** The windows a broker's config sets (`quota.window.num`, `quota.window.size.seconds`). */
export function rateOptionsOf(config: BrokerConfig): RateTableOptions {
  return { windows: config["quota.window.num"], windowMs: config["quota.window.size.seconds"] * 1000 };
}

/** Words per slot: the key word and a pair per window, at least two pairs (a bucket's lock, time and tokens). */
function strideOf(options: RateTableOptions): number {
  return 1 + 2 * Math.max(options.windows, 2);
}

export function createRateTableBuffer(options: RateTableOptions = DEFAULT_RATE_OPTIONS): SharedArrayBuffer {
  return new SharedArrayBuffer((options.slots ?? SLOTS) * strideOf(options) * 8);
}

export class RateTable {
  private readonly words: BigInt64Array;
  private readonly floats: Float64Array;
  private readonly stride: number;
  private readonly slots: number;
  /** Slots this Worker has found, to skip hashing and probing on every request (checked on use). */
  private readonly known = new Map<string, { slot: number; word: bigint }>();
  /** Where this Worker's sweep goes on. */
  private cursor = 0;

  constructor(buffer: SharedArrayBuffer | ArrayBuffer, readonly options: RateTableOptions = DEFAULT_RATE_OPTIONS) {
    this.words = new BigInt64Array(buffer);
    this.floats = new Float64Array(buffer);
    this.stride = strideOf(options);
    this.slots = options.slots ?? SLOTS;
    if (this.words.length < this.slots * this.stride) throw new Error("rate table buffer too small for its windows");
  }

  /** Adds `amount` at `nowMs` to the rate of `key`; returns the rate after (per second), or null if unmeasured. */
  record(key: string, amount: number, nowMs: number): number | null {
    this.sweep(SWEEP_PER_RECORD, nowMs);
    const window = Math.floor(nowMs / this.options.windowMs);
    const value = BigInt(Math.round(amount));
    // A slot freed under us costs a retry; twice in a row means the table is churning: leave the amount out.
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = this.slotOf(key, nowMs, 0n);
      if (found === null) return null;
      const at = found.slot + 1 + 2 * (window % this.options.windows);
      const current = Atomics.load(this.words, at);
      if (current !== BigInt(window)) {
        if (Atomics.compareExchange(this.words, at, current, BigInt(window)) === current) {
          Atomics.store(this.words, at + 1, 0n);
        }
      }
      Atomics.add(this.words, at + 1, value);
      if (this.settled(found.slot) === found.word) return this.rateAt(found.slot, nowMs);
      // Freed (and maybe taken) between finding and adding: take the amount back out of whoever has it now.
      if (Atomics.load(this.words, at) === BigInt(window)) Atomics.sub(this.words, at + 1, value);
      this.known.delete(key);
    }
    return null;
  }

  /**
   * Kafka's throttle time after recording: how long the client must wait for its rate to come back to
   * `limit` ((rate − limit) / limit × the window span), at most `maxMs` (the whole window span unless given);
   * 0 within the quota.
   */
  throttleMs(
    key: string,
    amount: number,
    limit: number,
    nowMs: number,
    maxMs = this.options.windows * this.options.windowMs,
  ): number {
    if (this.record(key, amount, nowMs) === null) return 0;
    const found = this.slotOf(key, nowMs, 0n);
    if (found === null) return 0;
    const { total, spanMs } = this.measure(found.slot, nowMs);
    const rate = total / (spanMs / 1000);
    if (rate <= limit) return 0;
    return Math.min(Math.round((rate - limit) / limit * spanMs), maxMs);
  }

  /** The rate of `key` at `nowMs` (per second), 0 when nothing is recorded. */
  rate(key: string, nowMs: number): number {
    const found = this.lookUp(key, 0n);
    return found === null ? 0 : this.rateAt(found.slot, nowMs);
  }

  /** Kafka's Rate.windowSize at `nowMs` for `key`: the span its rate divides by (ms). */
  windowSizeMs(key: string, nowMs: number): number {
    const found = this.lookUp(key, 0n);
    return found === null ? (this.options.windows - 1) * this.options.windowMs : this.measure(found.slot, nowMs).spanMs;
  }

  /**
   * Kafka's TokenBucket for `key` (controller mutations): refills `rate` tokens a second up to a burst of
   * `rate` × the window span, then, if `strict` and the bucket is already below 0, takes nothing and returns
   * the wait until it is back at 0 with `taken` false; otherwise takes `amount` (the bucket may go below 0).
   * `throttleMs` is then the wait for the bucket to be back at 0 (0 when it is not below). An unmeasured key
   * (full table) is never throttled.
   */
  take(
    key: string,
    amount: number,
    rate: number,
    strict: boolean,
    nowMs: number,
  ): { taken: boolean; throttleMs: number } {
    const burst = rate * this.options.windows * this.options.windowMs / 1000;
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = this.slotOf(key, nowMs, BUCKET);
      if (found === null) return { taken: true, throttleMs: 0 };
      const lock = found.slot + 1;
      this.lock(lock);
      try {
        if (Atomics.load(this.words, found.slot) !== found.word) {
          this.known.delete(key);
          continue;
        }
        let tokens = this.refill(found.slot, rate, burst, nowMs);
        const taken = !(strict && tokens < 0);
        if (taken) tokens = Math.min(burst, tokens - amount);
        this.floats[found.slot + 3] = tokens;
        this.floats[found.slot + 4] = rate;
        return { taken, throttleMs: tokens < 0 ? Math.round(-tokens / rate * 1000) : 0 };
      } finally {
        Atomics.store(this.words, lock, 0n);
      }
    }
    return { taken: true, throttleMs: 0 };
  }

  /** Slots in use (neither unused nor freed). */
  usedSlots(): number {
    let n = 0;
    for (let i = 0; i < this.slots; i++) {
      const w = Atomics.load(this.words, i * this.stride);
      if (w !== 0n && w !== TOMBSTONE) n++;
    }
    return n;
  }

  /** A bucket's tokens at `nowMs` (under its lock): a new bucket (time 0) starts full, as Kafka's. */
  private refill(slot: number, rate: number, burst: number, nowMs: number): number {
    const last = Number(this.words[slot + 2]);
    const tokens = last === 0 ? burst : Math.min(burst, this.floats[slot + 3] + rate * (nowMs - last) / 1000);
    this.words[slot + 2] = BigInt(Math.max(nowMs, 1));
    return tokens;
  }

  private lock(at: number): void {
    while (Atomics.compareExchange(this.words, at, 0n, 1n) !== 0n) { /* held for a few instructions */ }
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

  /** Whether a rate slot has nothing left to count at `nowMs`: every window is older than the span. */
  private idle(slot: number, nowMs: number): boolean {
    const window = Math.floor(nowMs / this.options.windowMs);
    for (let i = 0; i < this.options.windows; i++) {
      const w = Number(Atomics.load(this.words, slot + 1 + 2 * i));
      if (w > window - this.options.windows && w <= window) return false;
    }
    return true;
  }

  /** The key word of `slot` once no sweep is halfway through freeing it. */
  private settled(slot: number): bigint {
    for (;;) {
      const word = Atomics.load(this.words, slot);
      if (word === TOMBSTONE || (word & FREEING) === 0n) return word;
    }
  }

  /** Frees idle slots among the next `count` (rate slots: mark, look again, free; buckets: under their lock). */
  private sweep(count: number, nowMs: number): void {
    for (let i = 0; i < count; i++) {
      const slot = this.cursor * this.stride;
      this.cursor = (this.cursor + 1) % this.slots;
      const word = Atomics.load(this.words, slot);
      if (word === 0n || word === TOMBSTONE || (word & FREEING) !== 0n) continue;
      if ((word & BUCKET) !== 0n) {
        this.sweepBucket(slot, word, nowMs);
        continue;
      }
      if (!this.idle(slot, nowMs)) continue;
      if (Atomics.compareExchange(this.words, slot, word, word | FREEING) !== word) continue;
      Atomics.store(this.words, slot, this.idle(slot, nowMs) ? TOMBSTONE : word);
    }
  }

  private sweepBucket(slot: number, word: bigint, nowMs: number): void {
    const burst = this.floats[slot + 4] * this.options.windows * this.options.windowMs / 1000;
    if (!(Atomics.compareExchange(this.words, slot + 1, 0n, 1n) === 0n)) return; // in use: not idle
    const last = Number(this.words[slot + 2]);
    const refilled = this.floats[slot + 3] + this.floats[slot + 4] * (nowMs - last) / 1000;
    if (Atomics.load(this.words, slot) === word && last > 0 && refilled >= burst) {
      // Zeroed, so that as a rate slot again these words read as long-expired windows.
      this.words[slot + 2] = 0n;
      this.words[slot + 3] = 0n;
      this.words[slot + 4] = 0n;
      Atomics.store(this.words, slot, TOMBSTONE);
    }
    Atomics.store(this.words, slot + 1, 0n);
  }

  /** `key`'s slot, claimed if new (and the table swept whole when full); null when there is no room. */
  private slotOf(key: string, nowMs: number, flag: bigint): { slot: number; word: bigint } | null {
    const known = this.lookUp(key, flag);
    if (known !== null) return known;
    const word = hash52(key) | flag;
    let slot = this.claim(word);
    if (slot < 0) {
      this.sweep(this.slots, nowMs);
      slot = this.claim(word);
    }
    if (slot < 0) return null;
    if (flag === BUCKET) {
      // A fresh bucket, full at its first take; the lock word may hold a window number of the slot's past as a
      // rate slot, so it is cleared last: no one takes the lock before the bucket is reset.
      this.words[slot + 2] = 0n;
      Atomics.store(this.words, slot + 1, 0n);
    }
    return this.remember(key, { slot, word });
  }

  /** `key`'s slot if it has one (from this Worker's memory, checked, else its probe chain). */
  private lookUp(key: string, flag: bigint): { slot: number; word: bigint } | null {
    const known = this.known.get(key);
    if (known !== undefined && Atomics.load(this.words, known.slot) === known.word) return known;
    const word = hash52(key) | flag;
    const slot = this.find(word);
    return slot < 0 ? null : this.remember(key, { slot, word });
  }

  private remember(key: string, found: { slot: number; word: bigint }): { slot: number; word: bigint } {
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(key, found);
    return found;
  }

  /** The slot holding `word` in its probe chain (to the first unused slot), or -1. */
  private find(word: bigint): number {
    const start = Number((word & HASH_MASK) % BigInt(this.slots));
    for (let probe = 0; probe < this.slots; probe++) {
      const slot = ((start + probe) % this.slots) * this.stride;
      const seen = this.settled(slot);
      if (seen === word) return slot;
      if (seen === 0n) return -1;
    }
    return -1;
  }

  /**
   * Claims the first freed or unused slot of `word`'s chain (or finds the word there already), then keeps the
   * first copy in probe order if another Worker claimed the same key at once elsewhere. -1: no room.
   */
  private claim(word: bigint): number {
    const start = Number((word & HASH_MASK) % BigInt(this.slots));
    for (let attempt = 0; attempt < 8; attempt++) {
      let free = -1;
      let freeWas = 0n;
      for (let probe = 0; probe < this.slots; probe++) {
        const slot = ((start + probe) % this.slots) * this.stride;
        const seen = this.settled(slot);
        if (seen === word) return slot;
        if (seen === TOMBSTONE && free < 0) [free, freeWas] = [slot, TOMBSTONE];
        if (seen === 0n) {
          if (free < 0) [free, freeWas] = [slot, 0n];
          break;
        }
      }
      if (free < 0) return -1;
      if (Atomics.compareExchange(this.words, free, freeWas, word) !== freeWas) continue;
      const first = this.find(word);
      if (first >= 0 && first !== free) {
        Atomics.store(this.words, free, TOMBSTONE);
        return first;
      }
      return free;
    }
    return -1;
  }
}

/** FNV-1a over UTF-16 units, 52 bits, never 0 (0 marks an unused slot). */
function hash52(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < key.length; i++) {
    h ^= BigInt(key.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  const out = h & HASH_MASK;
  return out === 0n ? 1n : out;
}
