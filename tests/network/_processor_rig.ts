/**
 * A Processor with nothing real around it, for unit tests through its
 * sans-IO seams: fake sockets (TcpConnection) that record what is written,
 * fake handler ports that collect dispatched requests and answer only when
 * told (synchronously), and a fake clock whose timers run only when the test
 * advances time. The memory pool, unsent budget, request-queue counter,
 * connection quotas and metrics are the real shared-memory ones, so a test
 * can assert that every byte and slot comes back.
 */
import assert from "node:assert/strict";
import type { TcpConnection } from "../../src/runtime/types.ts";
import type { Clock, TimerHandle } from "../../src/network/clock.ts";
import { type HandlerPort, Processor, type ProcessorOptions } from "../../src/network/processor.ts";
import { ConnectionQuotas, createQuotaBuffer } from "../../src/network/connection_quotas.ts";
import { createMemoryPoolBuffer, MemoryPool } from "../../src/network/memory_pool.ts";
import { UnsentBudget } from "../../src/network/unsent_budget.ts";
import { type RequestEnvelope, RequestQueueCounter, type ResponseEnvelope } from "../../src/network/request_channel.ts";
import { type ApiStats, createMetricsBuffer, MetricsReader, P, ProcessorMetrics } from "../../src/metrics/layout.ts";
import { buildSupportedVersions } from "../../src/network/supported_versions.ts";
import { Logger } from "../../src/util/logger.ts";

export const MiB = 1024 * 1024;

/** Timers that fire only inside `advance`, in due order, at their due time. */
export class FakeClock implements Clock {
  time = 1_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; every: number; run: () => void }>();

  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): TimerHandle {
    this.timers.set(this.nextId, { at: this.time + Math.max(0, ms), every: 0, run });
    return this.nextId++;
  }
  setInterval(run: () => void, ms: number): TimerHandle {
    this.timers.set(this.nextId, { at: this.time + Math.max(1, ms), every: Math.max(1, ms), run });
    return this.nextId++;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }
  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }

  /** Move time forward by `ms`, running each timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let next = this.due(end); next !== null; next = this.due(end)) {
      const [id, timer] = next;
      this.time = timer.at;
      if (timer.every > 0) timer.at += timer.every;
      else this.timers.delete(id);
      timer.run();
    }
    this.time = end;
  }

  /** `advance` in steps of `step` ms, letting promises (shutdown's wait) run between them. */
  async advanceAsync(ms: number, step = 1): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      this.advance(Math.min(step, ms - done));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  private due(end: number): [number, { at: number; every: number; run: () => void }] | null {
    let best: [number, { at: number; every: number; run: () => void }] | null = null;
    for (const entry of this.timers) {
      if (entry[1].at <= end && (best === null || entry[1].at < best[1].at)) best = entry;
    }
    return best;
  }
}

let nextPort = 40_000;

export class FakeSocket implements TcpConnection {
  remotePort = nextPort++;
  bufferedAmount = 0;
  paused = false;
  ended = false;
  destroyed = false;
  /** Copies of every chunk written, in order. */
  readonly writes: Uint8Array[] = [];
  /** When false the client does not read: written bytes stay in bufferedAmount. */
  reading = true;
  constructor(readonly remoteAddress = "127.0.0.1") {}
  write(data: Uint8Array): void {
    assert.ok(!this.ended && !this.destroyed, "written after close");
    this.writes.push(data.slice());
    if (!this.reading) this.bufferedAmount += data.byteLength;
  }
  pauseReading(): void {
    this.paused = true;
  }
  resumeReading(): void {
    this.paused = false;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  get closed(): boolean {
    return this.ended || this.destroyed;
  }
  /** Correlation ids of the responses written, in order (each response written whole by one or more writes). */
  correlationIds(): number[] {
    const all = concat(this.writes);
    const ids: number[] = [];
    for (let at = 0; at + 8 <= all.byteLength;) {
      const view = new DataView(all.buffer, all.byteOffset + at);
      ids.push(view.getInt32(4));
      at += 4 + view.getInt32(0);
    }
    return ids;
  }
}

/**
 * A handler Worker's port: collects requests; `answer`, `release`, `none`
 * and `close` post back as the real handler does (it gives the request's
 * pool bytes back once handled, and takes its queue slot when it receives
 * it, unless `holdQueue` is set).
 */
export class FakeHandler implements HandlerPort {
  onmessage: ((event: MessageEvent) => void) | null = null;
  readonly inbox: RequestEnvelope[] = [];
  holdQueue = false;
  private held = 0;
  private readonly handled = new Set<RequestEnvelope>();

  constructor(private readonly pool: MemoryPool, private readonly queue: RequestQueueCounter) {}

  postMessage(message: RequestEnvelope, transfer: Transferable[]): void {
    assert.deepEqual(transfer, [message.frame], "the frame is transferred");
    this.inbox.push(message);
    if (this.holdQueue) this.held++;
    else this.queue.dequeued();
  }

  /** Take the requests held in the queue (as a busy handler finally does). */
  dequeueHeld(): void {
    for (; this.held > 0; this.held--) this.queue.dequeued();
  }

  /** Answer with a response carrying the request's correlation id and `extra` bytes of body. */
  answer(request: RequestEnvelope, extra = 0): void {
    this.finish(request);
    const bytes = new Uint8Array(8 + extra);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, 4 + extra);
    view.setInt32(4, new DataView(request.frame).getInt32(4));
    this.respond({
      conn: request.conn,
      seq: request.seq,
      action: "send",
      frame: bytes.buffer,
      length: 8 + extra,
      error: 0,
    });
  }

  /** Its effects are done, its answer follows: the connection's next request may go. */
  release(request: RequestEnvelope): void {
    this.respond({ conn: request.conn, seq: request.seq, action: "release", frame: null, length: 0, error: 0 });
  }

  /** No answer (acks=0). */
  none(request: RequestEnvelope): void {
    this.finish(request);
    this.respond({ conn: request.conn, seq: request.seq, action: "none", frame: null, length: 0, error: 0 });
  }

  close(request: RequestEnvelope, reason: string): void {
    this.finish(request);
    this.respond({ conn: request.conn, seq: request.seq, action: "close", frame: null, length: 0, error: 1, reason });
  }

  private finish(request: RequestEnvelope): void {
    assert.ok(!this.handled.has(request), "answered twice");
    this.handled.add(request);
    this.pool.release(request.frame.byteLength);
  }

  /** Post any response, as built by the test. */
  respond(response: ResponseEnvelope): void {
    this.onmessage!({ data: response } as MessageEvent);
  }
}

/** The versions the fake broker serves (independent of the handler registry). */
export const SERVED = [
  { apiKey: 0, minVersion: 3, maxVersion: 12 }, // Produce
  { apiKey: 1, minVersion: 4, maxVersion: 17 }, // Fetch
  { apiKey: 3, minVersion: 0, maxVersion: 12 }, // Metadata
  { apiKey: 17, minVersion: 0, maxVersion: 1 }, // SaslHandshake
  { apiKey: 18, minVersion: 0, maxVersion: 4 }, // ApiVersions
  { apiKey: 36, minVersion: 0, maxVersion: 2 }, // SaslAuthenticate
];

export interface RigOptions extends Partial<Omit<ProcessorOptions, "pool" | "unsent" | "queue" | "handlers">> {
  poolBytes?: number;
  unsentBytes?: number;
  fetchMaxBytes?: number;
  queueCapacity?: number;
  handlerCount?: number;
}

export class Rig {
  readonly clock = new FakeClock();
  readonly lines: string[] = [];
  readonly pool: MemoryPool;
  readonly unsentPool: MemoryPool;
  readonly queue: RequestQueueCounter;
  readonly quotas: ConnectionQuotas;
  private readonly metricsBuffer = createMetricsBuffer(1);
  readonly metrics = new ProcessorMetrics(this.metricsBuffer, 0);
  readonly handlers: FakeHandler[];
  readonly processor: Processor;

  constructor(options: RigOptions = {}) {
    const log = new Logger("processor-test");
    log.warn = (m: string) => void this.lines.push(m);
    log.info = (m: string) => void this.lines.push(m);
    this.pool = new MemoryPool(createMemoryPoolBuffer(options.poolBytes ?? 64 * MiB));
    this.unsentPool = new MemoryPool(createMemoryPoolBuffer(options.unsentBytes ?? 64 * MiB));
    this.queue = new RequestQueueCounter(RequestQueueCounter.createBuffer(), options.queueCapacity ?? 500);
    this.quotas = new ConnectionQuotas(createQuotaBuffer(), {
      maxConnections: 1000,
      maxConnectionsPerIp: 1000,
      perIpOverrides: new Map(),
    });
    this.handlers = Array.from({ length: options.handlerCount ?? 1 }, () => new FakeHandler(this.pool, this.queue));
    this.processor = new Processor({
      index: 0,
      listenerIndex: 0,
      listenerName: "PLAINTEXT",
      maxRequestBytes: 100 * MiB,
      idleTimeoutMs: 600_000,
      requestReadTimeoutMs: 30_000,
      writeStallMs: 10_000,
      supported: buildSupportedVersions(SERVED),
      quotas: this.quotas,
      metrics: this.metrics,
      log,
      clock: this.clock,
      ...options,
      handlers: this.handlers,
      pool: this.pool,
      unsent: new UnsentBudget(this.unsentPool, options.fetchMaxBytes ?? 55 * MiB),
      queue: this.queue,
    });
  }

  get handler(): FakeHandler {
    return this.handlers[0];
  }

  /** Every request dispatched so far, over all handlers, in dispatch order per handler. */
  get requests(): RequestEnvelope[] {
    return this.handlers.flatMap((h) => h.inbox);
  }

  /** Requests, errors and latency recorded for `apiKey`. */
  api(apiKey: number): ApiStats {
    return new MetricsReader(this.metricsBuffer, 1).api(apiKey);
  }

  open(socket = new FakeSocket()): FakeSocket {
    assert.ok(this.processor.open(socket), "accepted");
    return socket;
  }

  /** Nothing held: pool, unsent budget, queue slots, connection counts. */
  assertNothingHeld(): void {
    assert.equal(this.pool.used, 0, "request pool bytes");
    assert.equal(this.unsentPool.used, 0, "unsent budget bytes");
    assert.equal(this.queue.size, 0, "request queue slots");
    assert.equal(this.quotas.total, 0, "connection quota");
    assert.equal(this.metrics.cells[P.connections], 0, "connections gauge");
    assert.equal(this.processor.connectionCount, 0);
  }

  async stop(): Promise<void> {
    const done = this.processor.shutdown(0);
    await this.clock.advanceAsync(10);
    await done;
    assert.equal(this.clock.pending, 0, "shutdown leaves no timer behind");
  }
}

/** A size-prefixed request: header v1 (null client id), then `body` bytes of zeros. */
export function request(apiKey: number, version: number, correlationId: number, body = 0): Uint8Array {
  const bytes = new Uint8Array(4 + 10 + body);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 10 + body);
  view.setInt16(4, apiKey);
  view.setInt16(6, version);
  view.setInt32(8, correlationId);
  view.setInt16(12, -1);
  return bytes;
}

export const metadata = (correlationId: number, body = 0) => request(3, 12, correlationId, body);
export const apiVersions = (correlationId: number) => request(18, 0, correlationId);

/** A size-prefixed Fetch v4 (header v1, null client id) asking for `maxBytes`. */
export function fetchV4(correlationId: number, maxBytes: number): Uint8Array {
  const bytes = request(1, 4, correlationId, 16);
  const view = new DataView(bytes.buffer);
  view.setInt32(14, -1); // replica id
  view.setInt32(18, 500); // max wait
  view.setInt32(22, 1); // min bytes
  view.setInt32(26, maxBytes);
  return bytes;
}

/** The max_bytes a dispatched Fetch v4 carries. */
export const fetchMaxBytes = (r: RequestEnvelope) => new DataView(r.frame).getInt32(22);

export function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.byteLength), 0);
  return all;
}

/** The correlation id of a dispatched request. */
export const correlationOf = (r: RequestEnvelope) => new DataView(r.frame).getInt32(4);
