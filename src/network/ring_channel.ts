/**
 * A one-way message ring in a SharedArrayBuffer: one writer thread, one
 * reader thread, wake-ups by `Atomics.waitAsync` only when the reader sleeps.
 *
 * A candidate replacement for MessagePort.postMessage between processor and
 * handler Workers (ARCHITECTURE.md, "RequestChannel"): a message is a few
 * 32-bit words (connection, sequence, ...) and a byte payload, copied once
 * into the ring. Each postMessage costs a structured clone, a task in the
 * receiving thread's loop and, for transfer, detaching the buffer; a ring
 * write costs a memcpy and two atomic stores, and a reader that is already
 * draining is not woken at all (`READER_SLEEPING` is checked before
 * notifying), so a busy reader takes many messages per wake-up.
 *
 * Messages too large for the ring (over 16 KiB by default) go over a
 * MessagePort, transferred, those of one task in one postMessage; the ring
 * carries a marker in their place, so the reader still sees every message in
 * the order it was written.
 *
 * When the ring is full, `send` keeps the message in a backlog (given parts as
 * they are, a copy of the rest) and arms a wake-up on the reader freeing
 * space; later sends queue behind it, so order holds.
 *
 * Both ends need something else keeping their event loop alive (a port, a
 * listener): Deno does not count a pending `Atomics.waitAsync` as work.
 */

/** Int32 slots of the control block. Writer-owned and reader-owned slots sit on separate cache lines. */
const HEAD = 0; // bytes ever written (wraps at 2^32); only the writer stores it
const DATA_SEQ = 1; // bumped to wake a sleeping reader
const READER_SLEEPING = 2; // 1 while the reader waits on DATA_SEQ
const READER_WAKES = 3; // how many wake-ups writers sent (statistics)
const CLOSED = 4;
const TAIL = 16; // bytes ever read; only the reader stores it
const SPACE_SEQ = 17; // bumped to wake a writer waiting for space
const WRITER_WAITING = 18; // 1 while the writer waits on SPACE_SEQ
const CONTROL_BYTES = 128;

/** Record kinds. */
const INLINE = 1;
const OUT_OF_BAND = 2;
const PAD = 3;

/** Record header: size, kind, payload length, then the message's words. */
const FIXED_HEADER_INTS = 3;

/** How many 32-bit words each message carries (connection, sequence, ...). */
export const RING_WORDS = 6;
const HEADER_BYTES = align8((FIXED_HEADER_INTS + RING_WORDS) * 4);

/** Messages handled in one turn before the reader lets its thread's other tasks run. */
const READ_BUDGET = 512;

const NO_PARTS: readonly Uint8Array[] = [];

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A message as the reader sees it; `words` and an inline `payload` are valid only during the callback. */
export interface RingMessage {
  words: Int32Array;
  /** The bytes: a view into the ring (copy what must outlive the callback) or, when `owned`, a transferred buffer. */
  payload: Uint8Array;
  /** True for a message that came over the port: `payload` and `more` belong to the reader. */
  owned: boolean;
  /** A large message's further given parts (empty otherwise). */
  more: readonly Uint8Array[];
  /** A large message's parts that were not given, in the ring (valid only during the callback; empty otherwise). */
  rest: Uint8Array;
}

/** Statistics of one ring, read from either end. */
export interface RingStats {
  /** Wake-ups the writer sent to a sleeping reader. */
  readerWakes: number;
}

/**
 * A new ring: `capacity` bytes of data (a power of two, at least 4 KiB) after
 * the control block. Send it to both ends with the port pair they share.
 */
export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (capacity < 4096 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity ${capacity} is not a power of two of at least 4096`);
  }
  return new SharedArrayBuffer(CONTROL_BYTES + capacity);
}

/**
 * The largest message that goes through the ring by default (larger ones go over the port): 16 KiB, or a quarter of
 * a smaller ring. Measured (scripts/bench/channel.ts): copying in and out costs less CPU than a transfer up to 16 KiB
 * in both runtimes, more from 64 KiB on.
 */
export function defaultMaxInline(buffer: SharedArrayBuffer): number {
  return Math.min(16384, (buffer.byteLength - CONTROL_BYTES) / 4);
}

/** What a writer needs from a MessagePort (so tests can count what went over it). */
export interface RingPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

type Backlogged = { words: Int32Array; parts: Uint8Array[]; length: number; given: number };

/** The writing end of a ring. */
export class RingWriter {
  private readonly ctl: Int32Array;
  private readonly ints: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly mask: number;
  private head: number;
  private readonly backlog: Backlogged[] = [];
  private waiting = false;
  /** Messages sent over the port because they were larger than `maxInline`. */
  outOfBand = 0;
  /** Large messages' parts waiting to be posted together when the current task ends. */
  private large: Uint8Array[][] = [];
  private transfers = new Set<ArrayBuffer>();
  private readonly postLargeNow = () => {
    this.port.postMessage(this.large, [...this.transfers]);
    this.large = [];
    this.transfers = new Set();
  };

  constructor(
    buffer: SharedArrayBuffer,
    private readonly port: RingPort,
    readonly maxInline = defaultMaxInline(buffer),
  ) {
    this.ctl = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.ints = new Int32Array(buffer, CONTROL_BYTES);
    this.bytes = new Uint8Array(buffer, CONTROL_BYTES);
    this.mask = this.bytes.byteLength - 1;
    this.head = Atomics.load(this.ctl, HEAD);
    if (maxInline + HEADER_BYTES > this.bytes.byteLength / 2) {
      throw new RangeError(`maxInline ${maxInline} leaves no room to wrap in a ring of ${this.bytes.byteLength}`);
    }
  }

  /** Messages waiting in the backlog because the ring was full. */
  get backlogged(): number {
    return this.backlog.length;
  }

  /**
   * Send `words` (at most RING_WORDS) and the concatenation of `parts`. The
   * first `give` parts (true: all) are handed over: when the message is too
   * large for the ring, their buffers are transferred (whole) instead of
   * copied, and the other parts, which should be small, ride in the ring. Parts
   * not given may be reused as soon as this returns.
   */
  send(words: ArrayLike<number>, parts: readonly Uint8Array[], give: boolean | number = false): void {
    const given = give === true ? parts.length : give === false ? 0 : give;
    let length = 0;
    for (const part of parts) length += part.byteLength;
    if (this.backlog.length === 0 && this.tryWrite(words, parts, length, given)) return;
    // The backlog keeps given parts as they are and a copy of the rest.
    const kept = parts.slice(0, given);
    if (given < parts.length) kept.push(concat(parts.slice(given), length - byteLength(kept)));
    this.backlog.push({ words: Int32Array.from(words), parts: kept, length, given });
    this.waitForSpace();
  }

  /** Wake the reader for good: it stops once it has read what was written. */
  close(): void {
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.add(this.ctl, DATA_SEQ, 1);
    Atomics.notify(this.ctl, DATA_SEQ);
  }

  stats(): RingStats {
    return { readerWakes: Atomics.load(this.ctl, READER_WAKES) };
  }

  private tryWrite(words: ArrayLike<number>, parts: readonly Uint8Array[], length: number, given: number): boolean {
    const large = length > this.maxInline;
    // A large message's given parts go over the port; what was not given (if any was) rides in the record.
    const handOver = large && given > 0 && parts.slice(0, given).every((part) => part.buffer instanceof ArrayBuffer) &&
      byteLength(parts.slice(given)) <= this.maxInline;
    const inline = large ? (handOver ? parts.slice(given) : NO_PARTS) : parts;
    const inlineLength = large ? byteLength(inline) : length;
    const size = align8(HEADER_BYTES + inlineLength);
    const capacity = this.bytes.byteLength;
    let head = this.head;
    let index = head & this.mask;
    // A record never wraps, so the reader always gets one contiguous view; the end of the ring is padded instead.
    const padding = capacity - index < size ? capacity - index : 0;
    const used = (head - Atomics.load(this.ctl, TAIL)) | 0;
    if (used + padding + size > capacity) return false;
    if (padding > 0) {
      this.ints[index >> 2] = padding;
      this.ints[(index >> 2) + 1] = PAD;
      head = (head + padding) | 0;
      index = 0;
    }
    const at = index >> 2;
    this.ints[at] = size;
    this.ints[at + 1] = large ? OUT_OF_BAND : INLINE;
    this.ints[at + 2] = inlineLength;
    for (let i = 0; i < RING_WORDS; i++) this.ints[at + FIXED_HEADER_INTS + i] = i < words.length ? words[i] : 0;
    let offset = index + HEADER_BYTES;
    for (const part of inline) {
      this.bytes.set(part, offset);
      offset += part.byteLength;
    }
    this.head = (head + size) | 0;
    Atomics.store(this.ctl, HEAD, this.head);
    if (large) {
      // Posted after the marker is published: a reader that reaches the marker first waits for the bytes, and their
      // arrival is its wake-up, so the ring sends none.
      this.queueLarge(handOver ? parts.slice(0, given) : [concat(parts, length)]);
      return true;
    }
    // Only a sleeping reader needs a wake-up; the exchange makes sure one writer sends it once.
    if (
      Atomics.load(this.ctl, READER_SLEEPING) === 1 && Atomics.compareExchange(this.ctl, READER_SLEEPING, 1, 0) === 1
    ) {
      Atomics.add(this.ctl, READER_WAKES, 1);
      Atomics.add(this.ctl, DATA_SEQ, 1);
      Atomics.notify(this.ctl, DATA_SEQ, 1);
    }
    return true;
  }

  /**
   * A large message's parts go over the port, their buffers transferred (each part keeps its offset and length). The
   * large messages of one task share one postMessage: measured, posting 16 1 MiB frames as one message costs a third
   * less CPU per frame than 16 messages in both runtimes.
   */
  private queueLarge(parts: Uint8Array[]): void {
    this.outOfBand++;
    for (const part of parts) this.transfers.add(part.buffer as ArrayBuffer);
    if (this.large.length === 0) queueMicrotask(this.postLargeNow);
    this.large.push(parts);
  }

  private waitForSpace(): void {
    if (this.waiting) return;
    this.waiting = true;
    const wait = () => {
      // The sequence is read before the flag is raised: a reader that takes the flag down bumps the sequence after
      // this read, so the wait below returns at once instead of missing that wake-up (the flush may fill the ring
      // again after the reader freed it).
      const seq = Atomics.load(this.ctl, SPACE_SEQ);
      Atomics.store(this.ctl, WRITER_WAITING, 1);
      if (this.flushBacklog() || Atomics.load(this.ctl, CLOSED) === 1) {
        Atomics.store(this.ctl, WRITER_WAITING, 0);
        this.waiting = false;
        return;
      }
      const result = Atomics.waitAsync(this.ctl, SPACE_SEQ, seq);
      if (result.async) result.value.then(wait);
      else queueMicrotask(wait);
    };
    wait();
  }

  /** Write what the backlog holds while it fits; true when it is empty. */
  private flushBacklog(): boolean {
    while (this.backlog.length > 0) {
      const next = this.backlog[0];
      if (!this.tryWrite(next.words, next.parts, next.length, next.given)) return false;
      this.backlog.shift();
    }
    return true;
  }
}

/** The reading end of a ring: calls `onMessage` for each message, in the order they were sent. */
export class RingReader {
  private readonly ctl: Int32Array;
  private readonly ints: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly mask: number;
  private tail: number;
  private readonly arrived: Uint8Array[][] = [];
  private readonly message: RingMessage;
  /** A drain is queued (microtask or timer). */
  private scheduled = false;
  /** A waitAsync on DATA_SEQ is pending; there is never more than one, so no wake-up is spent on a stale waiter. */
  private waiting = false;
  private stopped = false;
  private readonly drainNow = () => {
    this.scheduled = false;
    this.drain();
  };
  private readonly woken = () => {
    this.waiting = false;
    this.drain();
  };

  constructor(buffer: SharedArrayBuffer, port: RingPort, private readonly onMessage: (message: RingMessage) => void) {
    this.ctl = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.ints = new Int32Array(buffer, CONTROL_BYTES);
    this.bytes = new Uint8Array(buffer, CONTROL_BYTES);
    this.mask = this.bytes.byteLength - 1;
    this.tail = Atomics.load(this.ctl, TAIL);
    this.message = {
      words: new Int32Array(RING_WORDS),
      payload: this.bytes.subarray(0, 0),
      owned: false,
      more: NO_PARTS,
      rest: this.bytes.subarray(0, 0),
    };
    // The writer does not wake us for a large message: its arrival on the port is the wake-up.
    port.onmessage = (event: MessageEvent) => {
      for (const parts of event.data as Uint8Array[][]) this.arrived.push(parts);
      this.schedule();
    };
    this.schedule();
  }

  stats(): RingStats {
    return { readerWakes: Atomics.load(this.ctl, READER_WAKES) };
  }

  /** Stop reading (the writer's `close` also stops the reader once it has read everything). */
  stop(): void {
    this.stopped = true;
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.add(this.ctl, DATA_SEQ, 1);
    Atomics.notify(this.ctl, DATA_SEQ);
    Atomics.add(this.ctl, SPACE_SEQ, 1);
    Atomics.notify(this.ctl, SPACE_SEQ);
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(this.drainNow);
  }

  /** Read what is there, then sleep until a writer wakes us (or a large message's bytes arrive). */
  private drain(): void {
    if (this.scheduled) return; // a queued drain will do it
    // Awake: writers need not notify until we announce the next sleep.
    Atomics.store(this.ctl, READER_SLEEPING, 0);
    for (;;) {
      if (this.stopped) return;
      const outcome = this.readSome();
      if (outcome === "budget") {
        // Let the thread's other tasks (timers, sockets, promise continuations) run before reading on.
        this.scheduled = true;
        setTimeout(this.drainNow, 0);
        return;
      }
      if (outcome === "waiting-for-port" || Atomics.load(this.ctl, CLOSED) === 1) return;
      // Sequence first, then the flag (as for the writer's wait for space): a writer that takes the flag down bumps
      // the sequence after this read. The ring is checked after announcing the sleep: a writer that published before
      // it saw no sleeper, so we must see its data.
      const seq = Atomics.load(this.ctl, DATA_SEQ);
      Atomics.store(this.ctl, READER_SLEEPING, 1);
      if (Atomics.load(this.ctl, HEAD) !== this.tail) {
        Atomics.store(this.ctl, READER_SLEEPING, 0);
        continue;
      }
      // A waiter still pending is woken by the next bump of DATA_SEQ (or was already bumped and resolves soon).
      if (this.waiting) return;
      const result = Atomics.waitAsync(this.ctl, DATA_SEQ, seq);
      if (!result.async) {
        Atomics.store(this.ctl, READER_SLEEPING, 0);
        continue;
      }
      this.waiting = true;
      result.value.then(this.woken);
      return;
    }
  }

  private readSome(): "empty" | "budget" | "waiting-for-port" {
    const head = Atomics.load(this.ctl, HEAD);
    let read = 0;
    while (this.tail !== head) {
      const index = this.tail & this.mask;
      const at = index >> 2;
      const size = this.ints[at];
      const kind = this.ints[at + 1];
      if (kind !== PAD) {
        if (kind === OUT_OF_BAND && this.arrived.length === 0) return "waiting-for-port";
        const message = this.message;
        for (let i = 0; i < RING_WORDS; i++) message.words[i] = this.ints[at + FIXED_HEADER_INTS + i];
        const start = index + HEADER_BYTES;
        const inline = this.bytes.subarray(start, start + this.ints[at + 2]);
        if (kind === OUT_OF_BAND) {
          const parts = this.arrived.shift()!;
          message.payload = parts[0];
          message.more = parts.length > 1 ? parts.slice(1) : NO_PARTS;
          message.rest = inline;
          message.owned = true;
        } else {
          message.payload = inline;
          message.more = NO_PARTS;
          message.rest = inline.subarray(0, 0);
          message.owned = false;
        }
        try {
          this.onMessage(message);
        } catch (e) {
          // One failing message must not stop the reader: report it outside this loop and read on.
          queueMicrotask(() => {
            throw e;
          });
        }
        this.consumed(size);
        if (++read >= READ_BUDGET) return "budget";
      } else {
        this.consumed(size);
      }
    }
    return "empty";
  }

  /** Give the record's bytes back to the writer, waking it if it waits for space. */
  private consumed(size: number): void {
    this.tail = (this.tail + size) | 0;
    Atomics.store(this.ctl, TAIL, this.tail);
    if (Atomics.load(this.ctl, WRITER_WAITING) === 1 && Atomics.compareExchange(this.ctl, WRITER_WAITING, 1, 0) === 1) {
      Atomics.add(this.ctl, SPACE_SEQ, 1);
      Atomics.notify(this.ctl, SPACE_SEQ, 1);
    }
  }
}

function byteLength(parts: readonly Uint8Array[]): number {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  return length;
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
