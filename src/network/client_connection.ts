/**
 * One client connection as its processor holds it: the frames read and
 * waiting, the requests dispatched and not yet answered, and the order in
 * which their answers leave.
 *
 * Ordering: like Kafka, a connection is "muted" while one of its requests is
 * with a handler; further frames wait in its reader's queue, so requests
 * take effect and responses leave in request order even when clients
 * pipeline. One exception keeps that order while saving a wait: a handler
 * may *release* a request whose effects are complete but whose answer waits
 * (a durable acks=all produce waiting for fdatasync). The connection's next
 * request is then dispatched at once, and answers are still written in
 * request order (each carries its per-connection sequence number), so
 * successive produces of one producer share group commits instead of paying
 * one sync each; at most MAX_OUTSTANDING requests wait for their answers.
 *
 * Reading pauses when the connection has MAX_QUEUED_FRAMES frames waiting
 * (or the memory pool is empty) and resumes below half of that; nothing is
 * dispatched while its unsent output is over MAX_UNSENT_BYTES.
 */
import type { TcpConnection } from "../runtime/types.ts";
import type { MemoryPool } from "./memory_pool.ts";
import type { ResponseEnvelope } from "./request_channel.ts";
import type { UnsentBudget } from "./unsent_budget.ts";
import type { SaslSession } from "./sasl/session.ts";
import { FrameReader } from "./frame_reader.ts";

/** Frames a muted connection may hold before reading from it pauses. */
export const MAX_QUEUED_FRAMES = 16;
/** Released requests a connection may have waiting for their answers before dispatch stops. */
export const MAX_OUTSTANDING = 16;
/** Unsent response bytes of one connection above which none of its requests is dispatched (per-connection bound). */
export const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

/** A dispatched request: its answer, once it came, waits here until those before it are written. */
export interface Outstanding {
  seq: number;
  apiKey: number;
  since: number;
  response: ResponseEnvelope | null;
  /** Unsent-budget credit taken at dispatch (Fetch), given back once the response is written. */
  credit: number;
}

export class ClientConnection {
  principal = "User:ANONYMOUS";
  readonly reader: FrameReader;
  /** Authentication on a SASL listener; null on PLAINTEXT. */
  sasl: SaslSession | null = null;
  /** The frame the session last judged: a frame dispatch had to retry is not judged twice. */
  judged: Uint8Array | null = null;
  /** Dispatched requests without a written response, oldest first. */
  readonly outstanding: Outstanding[] = [];
  /** The newest dispatched request still mutes the connection (not yet released or answered). */
  muted = false;
  nextSeq = 0;
  readingPaused = false;
  closing = false;
  /** The client closed its side with complete requests still to handle; they are handled, their answers dropped. */
  peerGone = false;
  lastActive: number;
  /** Unsent bytes this connection has charged to the unsent budget (its socket's bufferedAmount when last looked at). */
  charged = 0;
  /** When its unsent output last moved (or was empty). */
  lastProgress: number;
  /**
   * Client-quota throttling (KIP-219): until this time (clock ms) nothing more of the connection is dispatched,
   * and once MAX_QUEUED_FRAMES wait its reading pauses, as Kafka mutes the channel; 0 when not throttled.
   */
  throttledUntil = 0;

  constructor(
    readonly id: number,
    readonly socket: TcpConnection,
    readonly ip: string,
    readonly client: string,
    now: number,
    pool: MemoryPool,
    maxRequestBytes: number,
  ) {
    this.lastActive = now;
    this.lastProgress = now;
    this.reader = new FrameReader(pool, maxRequestBytes);
  }

  /** A frame waits and nothing holds it back: not muted, room for another answer, output not piled up. */
  get canDispatch(): boolean {
    return !this.muted && this.throttledUntil === 0 && this.outstanding.length < MAX_OUTSTANDING &&
      this.reader.ready.length > 0 &&
      (this.peerGone || this.socket.bufferedAmount <= MAX_UNSENT_BYTES);
  }

  /** True once the client is gone and nothing of its requests is left to handle. */
  get finished(): boolean {
    return this.peerGone && this.reader.ready.length === 0 && this.outstanding.length === 0;
  }

  /** Its first waiting frame goes to a handler: the connection is muted until that request is released or answered. */
  dispatch(apiKey: number, credit: number, now: number): number {
    this.reader.ready.shift();
    this.muted = true;
    const seq = this.nextSeq++;
    this.outstanding.push({ seq, apiKey, since: now, response: null, credit });
    return seq;
  }

  /** A handler released or answered `seq`; undefined if it is not outstanding. Unmutes if it was the newest. */
  heard(seq: number): Outstanding | undefined {
    const entry = this.outstanding.find((o) => o.seq === seq);
    if (entry !== undefined && this.outstanding[this.outstanding.length - 1] === entry) this.muted = false;
    return entry;
  }

  /** The oldest outstanding request if its answer is in (answers leave in request order), removed. */
  nextAnswer(): Outstanding | undefined {
    const head = this.outstanding[0];
    if (head === undefined || head.response === null) return undefined;
    return this.outstanding.shift();
  }

  /** Write a response; the bytes written (0 for no answer, or a client already gone). */
  write(response: ResponseEnvelope): number {
    if (response.action !== "send" || !response.frame || this.peerGone) return 0;
    this.socket.write(new Uint8Array(response.frame, 0, response.length));
    let bytes = response.length;
    for (const chunk of response.more ?? []) {
      this.socket.write(new Uint8Array(chunk.buffer, chunk.offset, chunk.length));
      bytes += chunk.length;
    }
    return bytes;
  }

  /**
   * Bring the connection's charge to the unsent budget in line with what its
   * socket still holds, and note whether its output moved.
   */
  settleUnsent(unsent: UnsentBudget, now: number): void {
    const held = this.closing || this.peerGone ? 0 : this.socket.bufferedAmount;
    if (held < this.charged || held === 0 || this.charged === 0) this.lastProgress = now;
    if (held > this.charged) unsent.charge(held - this.charged);
    else unsent.release(this.charged - held);
    this.charged = held;
  }

  pauseReading(): void {
    if (this.readingPaused) return;
    this.readingPaused = true;
    this.socket.pauseReading();
  }

  /** Resume reading once the pool gave memory and the waiting frames are down to half the bound. */
  resumeReadingIfDrained(now: number): void {
    if (this.readingPaused && !this.reader.blocked && this.reader.ready.length < MAX_QUEUED_FRAMES / 2) {
      this.readingPaused = false;
      // Time the broker itself stopped reading must not count against the client's request.
      this.reader.restartClock(now);
      this.socket.resumeReading();
    }
  }

  /** The connection is closing: give back its pool bytes, unsent credit and charge. */
  releaseAll(unsent: UnsentBudget): void {
    this.closing = true;
    this.reader.releaseAll();
    let credit = this.charged;
    for (const entry of this.outstanding) {
      credit += entry.credit;
      entry.credit = 0;
    }
    unsent.release(credit);
    this.charged = 0;
  }
}
