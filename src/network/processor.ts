/**
 * A network processor: Kafka's `SocketServer.Processor`, one per Worker.
 *
 * It owns its connections from accept to close: counts them against the
 * shared quotas (the Acceptor's job in Kafka), cuts the byte stream into
 * size-prefixed frames (each reserved from the shared memory pool and copied
 * once into its own ArrayBuffer, which is then transferred to a handler),
 * and writes responses back.
 *
 * Ordering: like Kafka, a connection is "muted" while one of its requests is
 * with a handler; further frames wait in the connection's queue, so requests
 * take effect and responses leave in request order even when clients
 * pipeline. One exception keeps that order while saving a wait: a handler
 * may *release* a request whose effects are complete but whose answer waits
 * (a durable acks=all produce waiting for fdatasync). The connection's next
 * request is then dispatched at once, and responses are still written in
 * request order (each carries its per-connection sequence number), so
 * successive produces of one producer share group commits instead of paying
 * one sync each. Reading pauses when a
 * connection has too many frames waiting, when the memory pool is empty, or
 * when its unsent output is large; it resumes as those clear.
 */
import type { ConnectionEvents, TcpConnection } from "../runtime/types.ts";
import type { Logger } from "../util/logger.ts";
import type { ConnectionQuotas } from "./connection_quotas.ts";
import type { MemoryPool } from "./memory_pool.ts";
import type { RequestEnvelope, RequestQueueCounter, ResponseEnvelope } from "./request_channel.ts";
import { P, type ProcessorMetrics } from "../metrics/layout.ts";
import { isSupported, type SupportedVersions } from "./supported_versions.ts";

/** The smallest valid request: api key, api version, correlation id. */
const MIN_REQUEST_BYTES = 8;
const API_VERSIONS_KEY = 18;
/** Frames a muted connection may hold before reading from it pauses. */
const MAX_QUEUED_FRAMES = 16;
/** Unsent response bytes above which no further request is dispatched. */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;
const RETRY_BLOCKED_MS = 2;

export interface ProcessorOptions {
  /** Global processor index (metrics region). */
  index: number;
  listenerIndex: number;
  listenerName: string;
  maxRequestBytes: number;
  idleTimeoutMs: number;
  supported: SupportedVersions;
  /** One port per handler Worker. */
  handlers: MessagePort[];
  quotas: ConnectionQuotas;
  pool: MemoryPool;
  queue: RequestQueueCounter;
  metrics: ProcessorMetrics;
  log: Logger;
}

class ClientConnection {
  principal = "User:ANONYMOUS";
  /** The 4-byte size prefix being read. */
  readonly sizeBytes = new Uint8Array(4);
  sizeFilled = 0;
  /** The frame being filled, and how much of it is. */
  frame: Uint8Array | null = null;
  frameFilled = 0;
  /** Size of a frame the pool could not yet give memory for (0: none). */
  pendingSize = 0;
  /** Bytes received while waiting for memory, fed again once it comes. */
  stash: Uint8Array | null = null;
  /** Complete frames waiting for the connection to be unmuted. */
  readonly ready: Uint8Array[] = [];
  /** Dispatched requests without a written response, oldest first. */
  readonly outstanding: Outstanding[] = [];
  /** The newest dispatched request still mutes the connection (not yet released or answered). */
  muted = false;
  nextSeq = 0;
  readingPaused = false;
  closing = false;
  lastActive: number;

  constructor(
    readonly id: number,
    readonly socket: TcpConnection,
    readonly ip: string,
    readonly client: string,
    now: number,
  ) {
    this.lastActive = now;
  }
}

const FETCH_API_KEY = 1;
/** Released requests a connection may have waiting for their answers before dispatch stops. */
const MAX_OUTSTANDING = 16;

/** A dispatched request: its answer, once it came, waits here until those before it are written. */
interface Outstanding {
  seq: number;
  apiKey: number;
  since: number;
  response: ResponseEnvelope | null;
}

export class Processor implements ConnectionEvents {
  private readonly byId = new Map<number, ClientConnection>();
  private readonly bySocket = new Map<TcpConnection, ClientConnection>();
  private readonly blocked = new Set<ClientConnection>();
  private nextId = 1;
  private nextHandler = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setInterval> | null = null;
  private idleSampler: ReturnType<typeof setInterval> | null = null;
  private busyMs = 0;
  private draining = false;

  constructor(private readonly o: ProcessorOptions) {
    for (const port of o.handlers) {
      port.onmessage = (event: MessageEvent) => this.timed(() => this.onResponse(event.data as ResponseEnvelope));
    }
    const sweepEvery = Math.max(10, Math.min(1000, Math.floor(o.idleTimeoutMs / 4)));
    this.idleTimer = setInterval(() => this.closeIdle(), sweepEvery);
    this.idleSampler = this.sampleIdleRatio();
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  // ---- ConnectionEvents: driven by the runtime adapter ----

  open(socket: TcpConnection): boolean {
    if (this.draining) return false;
    const ip = socket.remoteAddress;
    const verdict = this.o.quotas.tryAcquire(ip);
    if (verdict !== "ok") {
      this.o.metrics.add(P.connectionsRejected);
      this.o.log.info(`Rejected connection from ${ip}: ${verdict} reached`);
      return false;
    }
    const conn = new ClientConnection(this.nextId++, socket, ip, `${ip}:${socket.remotePort}`, performance.now());
    this.byId.set(conn.id, conn);
    this.bySocket.set(socket, conn);
    this.o.metrics.add(P.connectionsAccepted);
    this.o.metrics.set(P.connections, this.byId.size);
    return true;
  }

  data(socket: TcpConnection, chunk: Uint8Array): void {
    const conn = this.bySocket.get(socket);
    if (!conn || conn.closing) return;
    this.timed(() => {
      conn.lastActive = performance.now();
      this.o.metrics.add(P.bytesIn, chunk.byteLength);
      if (conn.pendingSize > 0) {
        conn.stash = concat(conn.stash, chunk);
        return;
      }
      this.feed(conn, chunk);
      this.pump(conn);
    });
  }

  drain(socket: TcpConnection): void {
    const conn = this.bySocket.get(socket);
    if (conn) this.timed(() => this.pump(conn));
  }

  close(socket: TcpConnection, error?: unknown): void {
    const conn = this.bySocket.get(socket);
    if (!conn) return;
    if (error && this.o.log.debugEnabled) this.o.log.debug(`Connection ${conn.client} closed: ${String(error)}`);
    this.forget(conn);
  }

  // ---- framing ----

  /** Cut `chunk` into frames; stops early (stashing the rest) when the pool is dry. */
  private feed(conn: ClientConnection, chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.byteLength) {
      if (conn.frame === null) {
        const take = Math.min(4 - conn.sizeFilled, chunk.byteLength - offset);
        conn.sizeBytes.set(chunk.subarray(offset, offset + take), conn.sizeFilled);
        conn.sizeFilled += take;
        offset += take;
        if (conn.sizeFilled < 4) return;
        conn.sizeFilled = 0;
        const b = conn.sizeBytes;
        const size = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
        if (size < MIN_REQUEST_BYTES || size > this.o.maxRequestBytes) {
          const why = size > this.o.maxRequestBytes || size < 0
            ? `request size ${size >>> 0} exceeds socket.request.max.bytes (${this.o.maxRequestBytes})`
            : `request of ${size} bytes is too short to hold a request header`;
          this.reject(conn, why);
          return;
        }
        if (!this.startFrame(conn, size)) {
          conn.stash = chunk.slice(offset);
          return;
        }
      }
      const frame = conn.frame!;
      const take = Math.min(frame.byteLength - conn.frameFilled, chunk.byteLength - offset);
      frame.set(chunk.subarray(offset, offset + take), conn.frameFilled);
      conn.frameFilled += take;
      offset += take;
      if (conn.frameFilled === frame.byteLength) {
        conn.ready.push(frame);
        conn.frame = null;
        conn.frameFilled = 0;
      }
    }
    if (conn.ready.length >= MAX_QUEUED_FRAMES) this.pauseReading(conn);
  }

  /** Reserve memory for a frame of `size`; on failure park the connection. */
  private startFrame(conn: ClientConnection, size: number): boolean {
    if (!this.o.pool.tryReserve(size)) {
      conn.pendingSize = size;
      this.o.metrics.add(P.memoryBlockedEvents);
      this.pauseReading(conn);
      this.block(conn);
      return false;
    }
    conn.pendingSize = 0;
    conn.frame = new Uint8Array(size);
    conn.frameFilled = 0;
    return true;
  }

  // ---- dispatch and responses ----

  /** Send the next waiting frame to a handler, if the connection is unmuted. */
  private pump(conn: ClientConnection): void {
    if (conn.closing || this.draining) return;
    if (
      !conn.muted && conn.outstanding.length < MAX_OUTSTANDING && conn.ready.length > 0 &&
      conn.socket.bufferedAmount <= MAX_UNSENT_BYTES
    ) {
      if (!this.o.queue.tryEnqueue()) {
        this.block(conn);
        return;
      }
      const frame = conn.ready.shift()!;
      const apiKey = (frame[0] << 8) | frame[1];
      const apiVersion = ((frame[2] << 24) >> 16) | frame[3];
      if (!isSupported(this.o.supported, apiKey, apiVersion) && apiKey !== API_VERSIONS_KEY) {
        this.o.queue.dequeued();
        this.o.pool.release(frame.byteLength);
        this.reject(
          conn,
          isSupported(this.o.supported, apiKey)
            ? `unsupported version ${apiVersion} of API key ${apiKey}`
            : `unknown API key ${apiKey}`,
        );
        return;
      }
      conn.muted = true;
      const seq = conn.nextSeq++;
      conn.outstanding.push({ seq, apiKey, since: performance.now(), response: null });
      const envelope: RequestEnvelope = {
        conn: conn.id,
        seq,
        frame: frame.buffer as ArrayBuffer,
        listener: this.o.listenerIndex,
        client: conn.client,
        principal: conn.principal,
      };
      this.handlerFor(conn.id, apiKey).postMessage(envelope, [envelope.frame]);
    }
    if (conn.readingPaused && conn.pendingSize === 0 && conn.ready.length < MAX_QUEUED_FRAMES / 2) {
      conn.readingPaused = false;
      conn.socket.resumeReading();
    }
  }

  /**
   * Fetches of one connection always go to the same handler, which holds
   * their fetch sessions (each handler keeps its own session cache); every
   * other request goes round robin.
   */
  handlerFor(connId: number, apiKey: number): MessagePort {
    const handlers = this.o.handlers;
    if (apiKey === FETCH_API_KEY) return handlers[connId % handlers.length];
    const port = handlers[this.nextHandler];
    this.nextHandler = (this.nextHandler + 1) % handlers.length;
    return port;
  }

  private onResponse(response: ResponseEnvelope): void {
    const conn = this.byId.get(response.conn);
    if (!conn) return; // the client went away while its request was handled
    const entry = conn.outstanding.find((o) => o.seq === response.seq);
    if (!entry) return;
    conn.lastActive = performance.now();
    const newest = conn.outstanding[conn.outstanding.length - 1] === entry;
    if (response.action === "release") {
      if (newest) conn.muted = false;
      this.pump(conn);
      return;
    }
    if (response.action === "close") {
      this.o.metrics.recordRequest(entry.apiKey, conn.lastActive - entry.since, response.error);
      this.reject(conn, response.reason ?? "the request could not be handled");
      return;
    }
    if (newest) conn.muted = false;
    entry.response = response;
    // Answers leave in request order: write every answered request at the head.
    while (conn.outstanding.length > 0 && conn.outstanding[0].response !== null) {
      const done = conn.outstanding.shift()!;
      this.write(conn, done.response!);
      this.o.metrics.recordRequest(done.apiKey, conn.lastActive - done.since, done.response!.error);
    }
    if (conn.closing) {
      if (conn.ready.length === 0 && conn.outstanding.length === 0) conn.socket.end();
      return;
    }
    this.pump(conn);
  }

  private write(conn: ClientConnection, response: ResponseEnvelope): void {
    if (response.action !== "send" || !response.frame) return;
    conn.socket.write(new Uint8Array(response.frame, 0, response.length));
    let bytes = response.length;
    for (const chunk of response.more ?? []) {
      conn.socket.write(new Uint8Array(chunk.buffer, chunk.offset, chunk.length));
      bytes += chunk.length;
    }
    this.o.metrics.add(P.bytesOut, bytes);
  }

  // ---- back-pressure ----

  private pauseReading(conn: ClientConnection): void {
    if (conn.readingPaused) return;
    conn.readingPaused = true;
    conn.socket.pauseReading();
  }

  private block(conn: ClientConnection): void {
    this.blocked.add(conn);
    if (this.retryTimer === null) {
      this.retryTimer = setTimeout(() => this.timed(() => this.retryBlocked()), RETRY_BLOCKED_MS);
    }
  }

  private retryBlocked(): void {
    this.retryTimer = null;
    const waiting = [...this.blocked];
    this.blocked.clear();
    for (const conn of waiting) {
      if (conn.closing) continue;
      if (conn.pendingSize > 0) {
        if (!this.startFrame(conn, conn.pendingSize)) continue;
        const stash = conn.stash;
        conn.stash = null;
        if (stash) this.feed(conn, stash);
        if (conn.pendingSize > 0) continue;
      }
      this.pump(conn);
    }
  }

  // ---- closing ----

  /** Close a connection because of what it sent; log why. */
  private reject(conn: ClientConnection, why: string): void {
    this.o.metrics.add(P.connectionsClosedBadInput);
    this.o.log.warn(`Closing connection from ${conn.client} on listener ${this.o.listenerName}: ${why}`);
    conn.socket.destroy();
    this.forget(conn);
  }

  private forget(conn: ClientConnection): void {
    if (!this.byId.delete(conn.id)) return;
    this.bySocket.delete(conn.socket);
    this.blocked.delete(conn);
    conn.closing = true;
    let held = 0;
    for (const frame of conn.ready) held += frame.byteLength;
    if (conn.frame) held += conn.frame.byteLength;
    conn.ready.length = 0;
    conn.frame = null;
    if (held > 0) this.o.pool.release(held);
    this.o.quotas.release(conn.ip);
    this.o.metrics.set(P.connections, this.byId.size);
  }

  private closeIdle(): void {
    const cutoff = performance.now() - this.o.idleTimeoutMs;
    for (const conn of this.byId.values()) {
      if (conn.outstanding.length === 0 && conn.lastActive < cutoff) {
        this.o.metrics.add(P.connectionsClosedIdle);
        this.o.log.debug(`Closing idle connection from ${conn.client}`);
        conn.socket.destroy();
        this.forget(conn);
      }
    }
  }

  /**
   * Graceful shutdown: stop reading, let in-flight requests answer, then
   * close every connection. Resolves when done or when `timeoutMs` passes.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const conn of this.byId.values()) this.pauseReading(conn);
    const deadline = performance.now() + timeoutMs;
    while ([...this.byId.values()].some((c) => c.outstanding.length > 0) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const conn of [...this.byId.values()]) {
      conn.socket.end();
      this.forget(conn);
    }
    if (this.idleTimer !== null) clearInterval(this.idleTimer);
    if (this.idleSampler !== null) clearInterval(this.idleSampler);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
  }

  // ---- NetworkProcessorAvgIdlePercent ----

  /** Run `work`, counting its time as busy for the idle-ratio gauge. */
  private timed(work: () => void): void {
    const start = performance.now();
    try {
      work();
    } finally {
      this.busyMs += performance.now() - start;
    }
  }

  private sampleIdleRatio(): ReturnType<typeof setInterval> {
    let last = performance.now();
    return setInterval(() => {
      const now = performance.now();
      const ratio = 1 - this.busyMs / Math.max(1, now - last);
      this.o.metrics.set(P.idleRatio, Math.max(0, Math.min(1, ratio)));
      this.busyMs = 0;
      last = now;
    }, 1000);
  }
}

function concat(head: Uint8Array | null, tail: Uint8Array): Uint8Array {
  if (!head) return tail.slice();
  const joined = new Uint8Array(head.byteLength + tail.byteLength);
  joined.set(head);
  joined.set(tail, head.byteLength);
  return joined;
}
