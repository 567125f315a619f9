/**
 * A network processor: Kafka's `SocketServer.Processor`, one per Worker.
 *
 * It owns its connections from accept to close: counts them against the
 * shared quotas (the Acceptor's job in Kafka), cuts the byte stream into
 * size-prefixed frames (frame_reader.ts: each reserved from the shared memory
 * pool and copied once into its own ArrayBuffer, which is then transferred to
 * a handler), checks each request's API key and version, dispatches it, and
 * writes the answers back. A connection's own state, muting and the order of
 * its answers live in client_connection.ts.
 *
 * Back-pressure: reading pauses when a connection has too many frames
 * waiting or the memory pool is empty (retried every 2 ms), and dispatch
 * waits while its unsent output is large, the request queue
 * (`queued.max.requests`) is full or, for a Fetch, the broker-wide unsent
 * budget is spent (unsent_budget.ts); each resumes as its cause clears.
 *
 * Admission control, so that no client can starve the others: the periodic
 * sweep (connection_sweep.ts) closes idle connections, requests that started
 * but did not complete within `tsbroker.request.read.timeout.ms`, and, when
 * the unsent budget runs low, connections whose output has not moved for
 * `tsbroker.connections.max.write.stall.ms`. Lines a client can provoke at
 * will are rate-limited.
 *
 * SASL listeners: each frame first passes the connection's SASL gate
 * (sasl_gate.ts), which answers the handshake and authentication here.
 *
 * Time and timers come from a Clock and handlers are reached through
 * HandlerPorts (processor_options.ts), so unit tests drive all of this with
 * fakes (tests/network/processor_*_test.ts).
 */
import type { ConnectionEvents, TcpConnection } from "../runtime/types.ts";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { BusyMeter } from "./busy_meter.ts";
import { ClientConnection, MAX_QUEUED_FRAMES } from "./client_connection.ts";
import { judge, sweepIntervalMs } from "./connection_sweep.ts";
import type { FeedResult } from "./frame_reader.ts";
import { FETCH_API_KEY } from "./unsent_budget.ts";
import { produceOwner } from "./produce_owner.ts";
import type { RequestEnvelope, ResponseEnvelope } from "./request_channel.ts";
import { P } from "../metrics/layout.ts";
import { isSupported } from "./supported_versions.ts";
import type { HandlerPort, ProcessorOptions } from "./processor_options.ts";
import { type GateActions, SaslGate } from "./sasl_gate.ts";
import { AcceptThrottle, sharedNow } from "./accept_throttle.ts";

export type { HandlerPort, ProcessorOptions };

const API_VERSIONS_KEY = 18;
const PRODUCE_API_KEY = 0;
/** Back-off after a failed accept (EMFILE/ENFILE), doubling up to the max. */
const ACCEPT_BACKOFF_MIN_MS = 50;
const ACCEPT_BACKOFF_MAX_MS = 1000;
const RETRY_BLOCKED_MS = 2;

export class Processor implements ConnectionEvents {
  private readonly byId = new Map<number, ClientConnection>();
  private readonly bySocket = new Map<TcpConnection, ClientConnection>();
  private readonly blocked = new Set<ClientConnection>();
  private nextId = 1;
  private nextHandler = 0;
  private retryTimer: TimerHandle | null = null;
  private readonly sweepTimer: TimerHandle;
  private readonly idleSampler: TimerHandle;
  private readonly busy: BusyMeter;
  private draining = false;
  private acceptBackoffMs = 0;
  private readonly gate: SaslGate | null;
  private readonly clock: Clock;
  /** Set when a connection creation rate is limited (KIP-612): the acceptor's wait. */
  private readonly acceptWait: AcceptThrottle | null;

  constructor(private readonly o: ProcessorOptions) {
    const clock = this.clock = o.clock ?? systemClock;
    this.busy = new BusyMeter(clock);
    this.gate = o.sasl ? new SaslGate({ ...o, sasl: o.sasl }, clock, this.gateActions()) : null;
    this.acceptWait = o.quotas.rateLimited
      ? new AcceptThrottle({ ...o, clock, now: o.sharedNow ?? sharedNow, admit: (socket) => this.admit(socket) })
      : null;
    for (const port of o.handlers) {
      port.onmessage = (event: MessageEvent) => this.timed(() => this.onResponse(event.data as ResponseEnvelope));
    }
    this.sweepTimer = clock.setInterval(() => this.timed(() => this.sweep()), sweepIntervalMs(o));
    this.idleSampler = clock.setInterval(() => o.metrics.set(P.idleRatio, this.busy.sample()), 1000);
  }

  private gateActions(): GateActions {
    return {
      reject: (conn, why) => this.reject(conn, why),
      forget: (conn) => this.forget(conn),
      pump: (conn) => this.pump(conn),
    };
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  // ---- ConnectionEvents: driven by the runtime adapter ----

  open(socket: TcpConnection): boolean {
    this.acceptBackoffMs = 0;
    if (this.draining) return false;
    return this.acceptWait ? this.acceptWait.offer(socket) : this.admit(socket);
  }

  /** Count a connection against the quotas and take it on; false: close it. */
  private admit(socket: TcpConnection): boolean {
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
    const o = this.o;
    const client = `${ip}:${socket.remotePort}`;
    const conn = new ClientConnection(this.nextId++, socket, ip, client, this.clock.now(), o.pool, o.maxRequestBytes);
    conn.principal = principal;
    this.gate?.attach(conn);
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
        conn.settleUnsent(this.o.unsent, this.clock.now());
        this.pump(conn);
      });
    }
  }

  close(socket: TcpConnection, error?: unknown): void {
    const conn = this.bySocket.get(socket);
    if (!conn) {
      this.acceptWait?.forget(socket);
      return;
    }
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
    if (conn.finished) this.forget(conn);
  }

  /** Act on what the reader said; false if the connection was closed. */
  private afterFeed(conn: ClientConnection, result: FeedResult): boolean {
    if (typeof result === "object") {
      this.reject(conn, result.error);
      return false;
    }
    if (result === "blocked") {
      this.o.metrics.add(P.memoryBlockedEvents);
      conn.pauseReading();
      this.block(conn);
    } else if (conn.reader.ready.length >= MAX_QUEUED_FRAMES) {
      conn.pauseReading();
    }
    return true;
  }

  // ---- dispatch and responses ----

  /** Send the next waiting frame to a handler if nothing holds it back; then resume reading if it may. */
  private pump(conn: ClientConnection): void {
    if (conn.closing || this.draining) return;
    if (conn.canDispatch && !this.dispatchNext(conn)) return;
    conn.resumeReadingIfDrained(this.clock.now());
  }

  /** Dispatch the first waiting frame, past the SASL gate and the version check; false if it did not go to a handler. */
  private dispatchNext(conn: ClientConnection): boolean {
    const frame = conn.reader.ready[0];
    if (this.gate !== null && !this.gate.pass(conn, frame)) return false;
    const apiKey = (frame[0] << 8) | frame[1];
    const apiVersion = ((frame[2] << 24) >> 16) | frame[3];
    if (!isSupported(this.o.supported, apiKey, apiVersion) && apiKey !== API_VERSIONS_KEY) {
      conn.reader.ready.shift();
      this.o.pool.release(frame.byteLength);
      this.reject(
        conn,
        isSupported(this.o.supported, apiKey)
          ? `unsupported version ${apiVersion} of API key ${apiKey}`
          : `unknown API key ${apiKey}`,
      );
      return false;
    }
    const credit = apiKey === FETCH_API_KEY ? this.o.unsent.takeFetchCredit(frame, apiVersion) : 0;
    if (credit < 0) {
      this.o.metrics.add(P.unsentBlockedEvents);
      this.block(conn);
      return false;
    }
    if (!this.o.queue.tryEnqueue()) {
      this.o.unsent.release(credit);
      this.block(conn);
      return false;
    }
    const envelope: RequestEnvelope = {
      conn: conn.id,
      seq: conn.dispatch(apiKey, credit, this.clock.now()),
      frame: frame.buffer as ArrayBuffer,
      listener: this.o.listenerIndex,
      client: conn.client,
      principal: conn.principal,
    };
    this.handlerFor(conn.id, apiKey, frame, apiVersion).postMessage(envelope, [envelope.frame]);
    return true;
  }

  /**
   * Fetches of one connection always go to the same handler, which holds
   * their fetch sessions (each handler keeps its own session cache). A
   * Produce whose partitions share one owner goes straight to that owner
   * (produce_owner.ts), saving the hand-over between handlers. Every other
   * request goes round robin.
   */
  handlerFor(connId: number, apiKey: number, frame?: Uint8Array, apiVersion = 0): HandlerPort {
    const handlers = this.o.handlers;
    if (apiKey === FETCH_API_KEY) return handlers[connId % handlers.length];
    if (apiKey === PRODUCE_API_KEY && frame && this.o.owners) {
      const owner = produceOwner(frame, apiVersion, this.o.owners);
      if (owner >= 0 && owner < handlers.length) return handlers[owner];
    }
    const port = handlers[this.nextHandler];
    this.nextHandler = (this.nextHandler + 1) % handlers.length;
    return port;
  }

  private onResponse(response: ResponseEnvelope): void {
    const conn = this.byId.get(response.conn);
    if (!conn) return; // the client went away while its request was handled
    const entry = conn.heard(response.seq);
    if (!entry) return;
    const now = conn.lastActive = this.clock.now();
    if (response.action === "release") {
      this.pump(conn);
      this.forgetIfFinished(conn);
      return;
    }
    if (response.action === "close") {
      this.o.metrics.recordRequest(entry.apiKey, now - entry.since, response.error);
      this.reject(conn, response.reason ?? "the request could not be handled");
      return;
    }
    entry.response = response;
    // Answers leave in request order: write every answered request at the head.
    for (let done = conn.nextAnswer(); done !== undefined; done = conn.nextAnswer()) {
      const bytes = conn.write(done.response!);
      if (bytes > 0) this.o.metrics.add(P.bytesOut, bytes);
      this.o.unsent.release(done.credit);
      this.o.metrics.recordRequest(done.apiKey, now - done.since, done.response!.error);
      if (done.response!.throttleMs) this.throttle(conn, done.response!.throttleMs, now);
    }
    conn.settleUnsent(this.o.unsent, now);
    if (conn.closing) {
      if (conn.reader.ready.length === 0 && conn.outstanding.length === 0) conn.socket.end();
      return;
    }
    this.pump(conn);
    this.forgetIfFinished(conn);
  }

  /** KIP-219: after an answer over a client quota, nothing more of the connection goes to a handler for that long. */
  private throttle(conn: ClientConnection, ms: number, now: number): void {
    const pending = conn.throttledUntil !== 0;
    conn.throttledUntil = Math.max(conn.throttledUntil, now + ms);
    if (pending) return;
    const check = () =>
      this.timed(() => {
        const left = conn.throttledUntil - this.clock.now();
        if (left > 0) return void this.clock.setTimeout(check, left);
        conn.throttledUntil = 0;
        if (this.byId.get(conn.id) === conn) this.pump(conn);
      });
    this.clock.setTimeout(check, ms);
  }

  // ---- back-pressure ----

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
    // Limited per kind of problem (numbers masked), so a flood of one kind cannot hide another.
    this.drop(conn, P.connectionsClosedBadInput, `bad request: ${why.replace(/-?\d+/g, "N")}`, why);
  }

  /** Close a connection with a warning, limited per `key`, and count it in `cell`. */
  private drop(conn: ClientConnection, cell: number, key: string, why: string): void {
    this.o.metrics.add(cell);
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
    conn.releaseAll(this.o.unsent);
    this.o.quotas.release(conn.ip);
    this.o.metrics.set(P.connections, this.byId.size);
  }

  /** Periodic: settle unsent bytes, then close idle, slow and (when the budget is low) stalled connections. */
  private sweep(): void {
    const now = this.clock.now();
    const low = this.o.unsent.low;
    for (const conn of [...this.byId.values()]) {
      conn.settleUnsent(this.o.unsent, now);
      const verdict = judge(conn, now, this.o, low);
      if (verdict === null) continue;
      if (verdict.kind === "idle") {
        this.o.metrics.add(P.connectionsClosedIdle);
        this.o.log.debug(`Closing idle connection from ${conn.client}`);
        conn.socket.destroy();
        this.forget(conn);
      } else {
        // Too slow: an incomplete request, or output that does not move.
        this.drop(conn, P.connectionsClosedSlow, verdict.key, verdict.why);
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
    this.acceptWait?.close();
    for (const conn of this.byId.values()) conn.pauseReading();
    const deadline = this.clock.now() + timeoutMs;
    while ([...this.byId.values()].some((c) => c.outstanding.length > 0) && this.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 5));
    }
    for (const conn of [...this.byId.values()]) {
      conn.socket.end();
      this.forget(conn);
    }
    this.clock.clearInterval(this.sweepTimer);
    this.clock.clearInterval(this.idleSampler);
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
  }

  /** Run `work`, counting its time as busy for the idle-ratio gauge (NetworkProcessorAvgIdlePercent). */
  private timed(work: () => void): void {
    this.busy.run(work);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
