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
 *
 * Admission control, so that no client can starve the others: request
 * memory is taken as bytes arrive (frame_reader.ts); a request that has
 * started but not completed within `tsbroker.request.read.timeout.ms` closes
 * its connection; unsent responses count against a broker-wide budget
 * (unsent_budget.ts), and when it runs low, connections whose output has not
 * moved for `tsbroker.connections.max.write.stall.ms` are closed. Lines a
 * client can provoke at will are rate-limited.
 *
 * SASL listeners: each frame first goes to the connection's SaslSession
 * (sasl/session.ts), which the processor runs itself, as Kafka's network
 * thread does: until authenticated, SaslHandshake and SaslAuthenticate are
 * answered here, ApiVersions goes to the handlers and anything else closes
 * the connection (frames are limited to `sasl.server.max.receive.size`);
 * afterwards it handles re-authentication and expired sessions (KIP-368).
 */
import type { ConnectionEvents, TcpConnection } from "../runtime/types.ts";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import type { Logger } from "../util/logger.ts";
import type { ConnectionQuotas } from "./connection_quotas.ts";
import type { MemoryPool } from "./memory_pool.ts";
import { FrameReader } from "./frame_reader.ts";
import { FETCH_API_KEY, type UnsentBudget } from "./unsent_budget.ts";
import type { RequestEnvelope, RequestQueueCounter, ResponseEnvelope } from "./request_channel.ts";
import { P, type ProcessorMetrics } from "../metrics/layout.ts";
import { isSupported, type SupportedVersions } from "./supported_versions.ts";
import type { GateVerdict, SaslListenerSettings } from "./sasl/authenticator.ts";
import { SaslSession } from "./sasl/session.ts";
import type { ScramLookup } from "./sasl/scram.ts";

const API_VERSIONS_KEY = 18;
/** Frames a muted connection may hold before reading from it pauses. */
const MAX_QUEUED_FRAMES = 16;
/** Unsent response bytes of one connection above which none of its requests is dispatched (per-connection bound). */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;
/** Back-off after a failed accept (EMFILE/ENFILE), doubling up to the max. */
const ACCEPT_BACKOFF_MIN_MS = 50;
const ACCEPT_BACKOFF_MAX_MS = 1000;
const RETRY_BLOCKED_MS = 2;

export interface ProcessorOptions {
  /** Global processor index (metrics region). */
  index: number;
  listenerIndex: number;
  listenerName: string;
  maxRequestBytes: number;
  idleTimeoutMs: number;
  /** A request started but not complete after this long closes its connection. */
  requestReadTimeoutMs: number;
  /** With the unsent budget low, a connection whose output has not moved for this long is closed. */
  writeStallMs: number;
  supported: SupportedVersions;
  /** One port per handler Worker. */
  handlers: HandlerPort[];
  quotas: ConnectionQuotas;
  pool: MemoryPool;
  unsent: UnsentBudget;
  queue: RequestQueueCounter;
  metrics: ProcessorMetrics;
  log: Logger;
  /** Set on SASL listeners: connections must authenticate first. */
  sasl?: SaslListenerSettings | null;
  /** SCRAM credentials (kept current by the Worker). */
  scram?: ScramLookup;
  /** Time and timers (the runtime's unless a test gives its own). */
  clock?: Clock;
  /** SSL listeners: the principal of a connection from its client certificate; null refuses it. */
  principalOf?: (socket: TcpConnection) => string | null;
}

/** What the processor uses of a handler Worker's MessagePort (unit tests give a fake). */
export interface HandlerPort {
  postMessage(message: RequestEnvelope, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

class ClientConnection {
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
}

/** Released requests a connection may have waiting for their answers before dispatch stops. */
const MAX_OUTSTANDING = 16;

/** A dispatched request: its answer, once it came, waits here until those before it are written. */
interface Outstanding {
  seq: number;
  apiKey: number;
  since: number;
  response: ResponseEnvelope | null;
  /** Unsent-budget credit taken at dispatch (Fetch), given back once the response is written. */
  credit: number;
}

export class Processor implements ConnectionEvents {
  private readonly byId = new Map<number, ClientConnection>();
  private readonly bySocket = new Map<TcpConnection, ClientConnection>();
  private readonly blocked = new Set<ClientConnection>();
  private nextId = 1;
  private nextHandler = 0;
  private retryTimer: TimerHandle | null = null;
  private sweepTimer: TimerHandle | null = null;
  private idleSampler: TimerHandle | null = null;
  private busyMs = 0;
  private draining = false;
  private acceptBackoffMs = 0;
  private plainUsers: Map<string, string> | null = null;
  private readonly clock: Clock;

  constructor(private readonly o: ProcessorOptions) {
    this.clock = o.clock ?? systemClock;
    for (const port of o.handlers) {
      port.onmessage = (event: MessageEvent) => this.timed(() => this.onResponse(event.data as ResponseEnvelope));
    }
    // The sweep closes idle, slow and stalled connections and settles unsent bytes; run it
    // often enough for the shortest of those bounds (and for a budget freed by readers).
    const shortest = Math.min(o.idleTimeoutMs, o.requestReadTimeoutMs, o.writeStallMs);
    const sweepEvery = Math.max(10, Math.min(250, Math.floor(shortest / 4)));
    this.sweepTimer = this.clock.setInterval(() => this.timed(() => this.sweep()), sweepEvery);
    this.idleSampler = this.sampleIdleRatio();
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  // ---- ConnectionEvents: driven by the runtime adapter ----

  open(socket: TcpConnection): boolean {
    this.acceptBackoffMs = 0;
    if (this.draining) return false;
    const principal = this.o.principalOf ? this.o.principalOf(socket) : "User:ANONYMOUS";
    if (principal === null) return false;
    const ip = socket.remoteAddress;
    const verdict = this.o.quotas.tryAcquire(ip);
    if (verdict !== "ok") {
      this.o.metrics.add(P.connectionsRejected);
      this.o.log.limited("info", `rejected: ${verdict}`, `Rejected connection from ${ip}: ${verdict} reached`);
      return false;
    }
    const now = this.clock.now();
    const o = this.o;
    const conn = new ClientConnection(
      this.nextId++,
      socket,
      ip,
      `${ip}:${socket.remotePort}`,
      now,
      o.pool,
      o.maxRequestBytes,
    );
    conn.principal = principal;
    if (o.sasl) {
      conn.sasl = new SaslSession(
        o.sasl,
        this.plainUsers ??= new Map(o.sasl.plainUsers),
        o.scram ?? (() => undefined),
        (version) => isSupported(o.supported, API_VERSIONS_KEY, version),
      );
      conn.reader.setLimit(Math.min(o.sasl.maxReceiveBytes, o.maxRequestBytes), "sasl.server.max.receive.size", 1);
    }
    this.byId.set(conn.id, conn);
    this.bySocket.set(socket, conn);
    this.o.metrics.add(P.connectionsAccepted);
    this.o.metrics.set(P.connections, this.byId.size);
    return true;
  }

  /**
   * Accepting failed (at the descriptor limit: EMFILE/ENFILE). Existing
   * connections keep being served; the adapter waits the returned
   * milliseconds before accepting again (doubling while failures repeat),
   * since the pending connection would fail again at once.
   */
  acceptFailed(error: unknown): number {
    this.acceptBackoffMs = Math.min(ACCEPT_BACKOFF_MAX_MS, Math.max(ACCEPT_BACKOFF_MIN_MS, this.acceptBackoffMs * 2));
    this.o.metrics.add(P.acceptErrors);
    this.o.log.limited(
      "warn",
      "accept failed",
      `Accepting a connection on listener ${this.o.listenerName} failed (${errorText(error)}); ` +
        `${this.byId.size} connections open, retrying in ${this.acceptBackoffMs} ms`,
    );
    return this.acceptBackoffMs;
  }

  data(socket: TcpConnection, chunk: Uint8Array): void {
    const conn = this.bySocket.get(socket);
    if (!conn || conn.closing) return;
    this.timed(() => {
      conn.lastActive = this.clock.now();
      this.o.metrics.add(P.bytesIn, chunk.byteLength);
      if (!this.afterFeed(conn, conn.reader.feed(chunk, conn.lastActive))) return;
      this.pump(conn);
    });
  }

  drain(socket: TcpConnection): void {
    const conn = this.bySocket.get(socket);
    if (conn) {
      this.timed(() => {
        this.settleUnsent(conn, this.clock.now());
        this.pump(conn);
      });
    }
  }

  close(socket: TcpConnection, error?: unknown): void {
    const conn = this.bySocket.get(socket);
    if (!conn) return;
    if (error && this.o.log.debugEnabled) this.o.log.debug(`Connection ${conn.client} closed: ${String(error)}`);
    // Requests that arrived in full before the client closed are still
    // handled, as Kafka's selector does with its staged receives: an acks=0
    // producer closes right after its last Produce and expects it stored.
    if (!conn.peerGone && !conn.closing && (conn.reader.ready.length > 0 || conn.outstanding.length > 0)) {
      conn.peerGone = true;
      this.timed(() => this.pump(conn));
      this.forgetIfFinished(conn);
      return;
    }
    this.forget(conn);
  }

  private forgetIfFinished(conn: ClientConnection): void {
    if (conn.peerGone && conn.reader.ready.length === 0 && conn.outstanding.length === 0) this.forget(conn);
  }

  // ---- framing ----

  /** Act on what the reader said; false if the connection was closed. */
  private afterFeed(conn: ClientConnection, result: ReturnType<FrameReader["feed"]>): boolean {
    if (typeof result === "object") {
      this.reject(conn, result.error);
      return false;
    }
    if (result === "blocked") {
      this.o.metrics.add(P.memoryBlockedEvents);
      this.pauseReading(conn);
      this.block(conn);
    } else if (conn.reader.ready.length >= MAX_QUEUED_FRAMES) {
      this.pauseReading(conn);
    }
    return true;
  }

  // ---- dispatch and responses ----

  /** Send the next waiting frame to a handler, if the connection is unmuted. */
  private pump(conn: ClientConnection): void {
    if (conn.closing || this.draining) return;
    const ready = conn.reader.ready;
    if (
      !conn.muted && conn.outstanding.length < MAX_OUTSTANDING && ready.length > 0 &&
      (conn.peerGone || conn.socket.bufferedAmount <= MAX_UNSENT_BYTES)
    ) {
      const frame = ready[0];
      if (conn.sasl && conn.judged !== frame) {
        // An answer written here must not overtake a released request's answer still to come.
        const key = (frame[0] << 8) | frame[1];
        if (conn.outstanding.length > 0 && (!conn.sasl.authenticated || key === 17 || key === 36)) return;
        conn.judged = frame;
        if (this.authenticate(conn, conn.sasl.onFrame(frame, this.clock.now()))) return;
      }
      const apiKey = (frame[0] << 8) | frame[1];
      const apiVersion = ((frame[2] << 24) >> 16) | frame[3];
      if (!isSupported(this.o.supported, apiKey, apiVersion) && apiKey !== API_VERSIONS_KEY) {
        ready.shift();
        this.o.pool.release(frame.byteLength);
        this.reject(
          conn,
          isSupported(this.o.supported, apiKey)
            ? `unsupported version ${apiVersion} of API key ${apiKey}`
            : `unknown API key ${apiKey}`,
        );
        return;
      }
      const credit = apiKey === FETCH_API_KEY ? this.o.unsent.takeFetchCredit(frame, apiVersion) : 0;
      if (credit < 0) {
        this.o.metrics.add(P.unsentBlockedEvents);
        this.block(conn);
        return;
      }
      if (!this.o.queue.tryEnqueue()) {
        this.o.unsent.release(credit);
        this.block(conn);
        return;
      }
      ready.shift();
      conn.muted = true;
      const seq = conn.nextSeq++;
      conn.outstanding.push({ seq, apiKey, since: this.clock.now(), response: null, credit });
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
    if (conn.readingPaused && !conn.reader.blocked && ready.length < MAX_QUEUED_FRAMES / 2) {
      conn.readingPaused = false;
      conn.reader.restartClock(this.clock.now());
      conn.socket.resumeReading();
    }
  }

  /** Act on the SASL session's verdict on the first waiting frame; false when it goes to the handlers as usual. */
  private authenticate(conn: ClientConnection, verdict: GateVerdict): boolean {
    const auth = conn.sasl!;
    if (verdict.kind === "dispatch") return false;
    const frame = conn.reader.ready.shift()!;
    this.o.pool.release(frame.byteLength);
    if (verdict.kind === "close") {
      this.reject(conn, auth.failure);
      return true;
    }
    this.o.metrics.recordRequest(verdict.apiKey, 0, verdict.error);
    this.o.metrics.add(P.bytesOut, verdict.bytes.byteLength);
    if (verdict.close) {
      // Kafka logs failed authentications at INFO, and holds back the answer and the close to slow down guessing.
      const line = `Failed authentication with ${conn.client} (${auth.failure})`;
      this.o.log.limited("info", "failed authentication", line);
      this.forget(conn);
      conn.socket.pauseReading();
      const socket = conn.socket, gone = conn.peerGone;
      this.clock.setTimeout(() => {
        if (!gone) socket.write(verdict.bytes);
        socket.end();
      }, this.o.sasl?.failedAuthDelayMs ?? 0);
      return true;
    }
    if (!conn.peerGone) conn.socket.write(verdict.bytes);
    if (auth.authenticated) {
      conn.principal = auth.principal!;
      conn.reader.setLimit(this.o.maxRequestBytes, "socket.request.max.bytes");
    }
    this.pump(conn);
    return true;
  }

  /**
   * Fetches of one connection always go to the same handler, which holds
   * their fetch sessions (each handler keeps its own session cache); every
   * other request goes round robin.
   */
  handlerFor(connId: number, apiKey: number): HandlerPort {
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
    conn.lastActive = this.clock.now();
    const newest = conn.outstanding[conn.outstanding.length - 1] === entry;
    if (response.action === "release") {
      if (newest) conn.muted = false;
      this.pump(conn);
      this.forgetIfFinished(conn);
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
      this.o.unsent.release(done.credit);
      this.o.metrics.recordRequest(done.apiKey, conn.lastActive - done.since, done.response!.error);
    }
    this.settleUnsent(conn, conn.lastActive);
    if (conn.closing) {
      if (conn.reader.ready.length === 0 && conn.outstanding.length === 0) conn.socket.end();
      return;
    }
    this.pump(conn);
    this.forgetIfFinished(conn);
  }

  private write(conn: ClientConnection, response: ResponseEnvelope): void {
    if (response.action !== "send" || !response.frame || conn.peerGone) return;
    conn.socket.write(new Uint8Array(response.frame, 0, response.length));
    let bytes = response.length;
    for (const chunk of response.more ?? []) {
      conn.socket.write(new Uint8Array(chunk.buffer, chunk.offset, chunk.length));
      bytes += chunk.length;
    }
    this.o.metrics.add(P.bytesOut, bytes);
  }

  /**
   * Bring the connection's charge to the unsent budget in line with what its
   * socket still holds, and note whether its output moved.
   */
  private settleUnsent(conn: ClientConnection, now: number): void {
    const unsent = conn.closing || conn.peerGone ? 0 : conn.socket.bufferedAmount;
    if (unsent < conn.charged || unsent === 0 || conn.charged === 0) conn.lastProgress = now;
    if (unsent > conn.charged) this.o.unsent.charge(unsent - conn.charged);
    else this.o.unsent.release(conn.charged - unsent);
    conn.charged = unsent;
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
      this.retryTimer = this.clock.setTimeout(() => this.timed(() => this.retryBlocked()), RETRY_BLOCKED_MS);
    }
  }

  private retryBlocked(): void {
    this.retryTimer = null;
    const waiting = [...this.blocked];
    this.blocked.clear();
    for (const conn of waiting) {
      if (conn.closing) continue;
      if (conn.reader.blocked && !this.afterFeed(conn, conn.reader.retry(this.clock.now()))) continue;
      // Pumped even while the pool is still dry: complete frames waiting here hold pool
      // memory that only handling them gives back (pump resumes reading only once unblocked).
      this.pump(conn);
    }
  }

  // ---- closing ----

  /** Close a connection because of what it sent; log why (rate-limited: a client can send bad frames at will). */
  private reject(conn: ClientConnection, why: string): void {
    this.o.metrics.add(P.connectionsClosedBadInput);
    // Limited per kind of problem (numbers masked), so a flood of one kind cannot hide another.
    this.o.log.limited(
      "warn",
      `bad request: ${why.replace(/-?\d+/g, "N")}`,
      `Closing connection from ${conn.client} on listener ${this.o.listenerName}: ${why}`,
    );
    conn.socket.destroy();
    this.forget(conn);
  }

  /** Close a connection that is too slow (an incomplete request, output that does not move). */
  private dropSlow(conn: ClientConnection, key: string, why: string): void {
    this.o.metrics.add(P.connectionsClosedSlow);
    this.o.log.limited(
      "warn",
      key,
      `Closing connection from ${conn.client} on listener ${this.o.listenerName}: ${why}`,
    );
    conn.socket.destroy();
    this.forget(conn);
  }

  private forget(conn: ClientConnection): void {
    if (!this.byId.delete(conn.id)) return;
    this.bySocket.delete(conn.socket);
    this.blocked.delete(conn);
    conn.closing = true;
    conn.reader.releaseAll();
    let credit = 0;
    for (const entry of conn.outstanding) credit += entry.credit;
    for (const entry of conn.outstanding) entry.credit = 0;
    this.o.unsent.release(credit + conn.charged);
    conn.charged = 0;
    this.o.quotas.release(conn.ip);
    this.o.metrics.set(P.connections, this.byId.size);
  }

  /** Periodic: settle unsent bytes, then close idle, slow and (when the budget is low) stalled connections. */
  private sweep(): void {
    const now = this.clock.now();
    const idleCutoff = now - this.o.idleTimeoutMs;
    const low = this.o.unsent.low;
    for (const conn of [...this.byId.values()]) {
      this.settleUnsent(conn, now);
      const started = conn.reader.startedAt;
      if (conn.outstanding.length === 0 && conn.lastActive < idleCutoff) {
        this.o.metrics.add(P.connectionsClosedIdle);
        this.o.log.debug(`Closing idle connection from ${conn.client}`);
        conn.socket.destroy();
        this.forget(conn);
      } else if (!conn.readingPaused && started >= 0 && now - started > this.o.requestReadTimeoutMs) {
        this.dropSlow(
          conn,
          "incomplete request",
          `request incomplete after ${Math.round(now - started)} ms (${conn.reader.partialBytes} bytes received; ` +
            `tsbroker.request.read.timeout.ms=${this.o.requestReadTimeoutMs})`,
        );
      } else if (low && conn.charged > 0 && now - conn.lastProgress > this.o.writeStallMs) {
        this.dropSlow(
          conn,
          "write stall",
          `${conn.charged} response bytes unsent and not read for ${Math.round(now - conn.lastProgress)} ms ` +
            `while the unsent-response budget is low (tsbroker.connections.max.write.stall.ms=${this.o.writeStallMs})`,
        );
      }
    }
    this.o.log.flushSuppressed();
  }

  /**
   * Graceful shutdown: stop reading, let in-flight requests answer, then
   * close every connection. Resolves when done or when `timeoutMs` passes.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const conn of this.byId.values()) this.pauseReading(conn);
    const deadline = this.clock.now() + timeoutMs;
    while ([...this.byId.values()].some((c) => c.outstanding.length > 0) && this.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 5));
    }
    for (const conn of [...this.byId.values()]) {
      conn.socket.end();
      this.forget(conn);
    }
    if (this.sweepTimer !== null) this.clock.clearInterval(this.sweepTimer);
    if (this.idleSampler !== null) this.clock.clearInterval(this.idleSampler);
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
  }

  // ---- NetworkProcessorAvgIdlePercent ----

  /** Run `work`, counting its time as busy for the idle-ratio gauge. */
  private timed(work: () => void): void {
    const start = this.clock.now();
    try {
      work();
    } finally {
      this.busyMs += this.clock.now() - start;
    }
  }

  private sampleIdleRatio(): TimerHandle {
    let last = this.clock.now();
    return this.clock.setInterval(() => {
      const now = this.clock.now();
      const ratio = 1 - this.busyMs / Math.max(1, now - last);
      this.o.metrics.set(P.idleRatio, Math.max(0, Math.min(1, ratio)));
      this.busyMs = 0;
      last = now;
    }, 1000);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
