/**
 * One TCP connection to one broker: writes size-prefixed request frames, cuts the response stream into frames
 * and matches each to its request by correlation id (Kafka answers a connection's requests in order, so the
 * oldest waiting request must be the one answered; anything else is a protocol error that closes the
 * connection).
 *
 * Sockets come from `node:net`, which Deno and Bun both provide, rather than from src/runtime/types.ts: that
 * interface is the server side (listeners whose adapters own accept, quotas and reuse-port) and has no
 * outbound connect, and `node:net` keeps the client free of runtime-specific globals without a third
 * adapter pair to maintain. The same client thus runs unchanged in either runtime and in Node.
 *
 * Requests past `maxInFlight` wait in a queue until an answer frees a slot (Kafka's
 * max.in.flight.requests.per.connection). Each request has a timeout; as in Kafka's NetworkClient, a request
 * that times out closes the connection, failing everything in flight on it, since later answers on the same
 * connection could no longer be trusted to line up.
 *
 * With TLS options the socket is a `node:tls` one (also in both runtimes), and `connect` resolves only after
 * the handshake, so a certificate problem fails the connect with its cause (tls_options.ts) instead of
 * surfacing as a closed connection on the first request.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { ErrorCode } from "../protocol/errors.ts";
import { KafkaClientError } from "./errors.ts";
import { certificateError, tlsConnectOptions, type TlsOptions } from "./tls_options.ts";

interface Pending {
  correlationId: number;
  frame: Uint8Array[];
  expectResponse: boolean;
  timeoutMs: number;
  resolve: (body: Uint8Array) => void;
  reject: (e: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** A connected socket speaking Kafka framing. */
export class BrokerConnection {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private inFlight: Pending[] = [];
  private waiting: Pending[] = [];
  private closedError: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Called once when the connection is gone, for whatever reason. */
  onClose: (() => void) | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly maxInFlight: number,
    /** "host:port" when the connection is TLS: with TLS 1.3 a server refuses our certificate after the handshake. */
    tlsAddress?: string,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => this.onData(chunk));
    socket.on("error", (e: Error) =>
      this.fail(
        (tlsAddress && certificateError(tlsAddress, e)) || new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, e.message),
      ));
    socket.on("close", () => this.fail(new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, "connection closed")));
  }

  /**
   * Opens a connection (over TLS when `tlsOptions` is given), failing with NETWORK_EXCEPTION after
   * `timeoutMs`; a TLS handshake refused over a certificate fails at once, not retriable.
   */
  static connect(
    host: string,
    port: number,
    timeoutMs: number,
    maxInFlight: number,
    tlsOptions?: TlsOptions,
  ): Promise<BrokerConnection> {
    return new Promise((resolve, reject) => {
      const address = `${host}:${port}`;
      const socket: net.Socket = tlsOptions
        ? tls.connect(tlsConnectOptions(host, port, tlsOptions))
        : net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, `connect to ${address} timed out`));
      }, timeoutMs);
      socket.once(tlsOptions ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        socket.removeAllListeners("close");
        resolve(new BrokerConnection(socket, Math.max(1, maxInFlight), tlsOptions ? address : undefined));
      });
      socket.once("error", (e: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          (tlsOptions && certificateError(address, e)) ??
            new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, `connect to ${address}: ${e.message}`),
        );
      });
      if (tlsOptions) {
        // A server that drops the connection during the handshake (it required a client certificate, or
        // speaks no TLS on this port) may close without an error event.
        socket.once("close", () => {
          clearTimeout(timer);
          reject(
            new KafkaClientError(
              ErrorCode.NETWORK_EXCEPTION,
              `TLS handshake with ${address} failed: the server closed the connection (is it a TLS listener? ` +
                `does it require a client certificate?)`,
            ),
          );
        });
      }
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Requests sent and not yet answered, plus those queued behind the in-flight limit. */
  get pending(): number {
    return this.inFlight.length + this.waiting.length;
  }

  /**
   * Sends `frame` (size prefix included, in pieces that are written in order: large record batches are
   * passed by reference rather than copied into one buffer) and resolves with the response frame (size
   * prefix removed, starting with the response header). With `expectResponse` false (Produce acks=0) it resolves
   * with an empty array once written.
   */
  send(frame: Uint8Array[], correlationId: number, expectResponse: boolean, timeoutMs: number): Promise<Uint8Array> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const p: Pending = { correlationId, frame, expectResponse, timeoutMs, resolve, reject };
      if (this.inFlight.length >= this.maxInFlight) this.waiting.push(p);
      else this.transmit(p);
    });
  }

  /** Resolves once no request is in flight or queued (at once if none is), or the connection closed. */
  idle(): Promise<void> {
    if (this.pending === 0 || this.closedError) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.fail(new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, "connection closed by the client"));
  }

  private transmit(p: Pending): void {
    if (p.frame.length > 1) this.socket.cork();
    for (const piece of p.frame) this.socket.write(piece);
    if (p.frame.length > 1) this.socket.uncork();
    if (!p.expectResponse) {
      p.resolve(new Uint8Array(0));
      this.next();
      return;
    }
    p.timer = setTimeout(() => {
      this.fail(new KafkaClientError(ErrorCode.REQUEST_TIMED_OUT, `no answer within ${p.timeoutMs} ms`));
    }, p.timeoutMs);
    this.inFlight.push(p);
  }

  private next(): void {
    while (this.waiting.length > 0 && this.inFlight.length < this.maxInFlight && !this.closedError) {
      this.transmit(this.waiting.shift()!);
    }
    if (this.idleWaiters.length > 0 && this.pending === 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private onData(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.buffered += chunk.byteLength;
    for (;;) {
      if (this.buffered < 4) return;
      const head = this.peek(4);
      const size = new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
      if (size < 4) {
        this.fail(new KafkaClientError(ErrorCode.CORRUPT_MESSAGE, `bad response size ${size}`));
        return;
      }
      if (this.buffered < 4 + size) return;
      const frame = this.take(4 + size);
      this.deliver(frame.subarray(4));
      if (this.closedError) return;
    }
  }

  private deliver(frame: Uint8Array): void {
    const correlationId = new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
    const p = this.inFlight.shift();
    if (!p || p.correlationId !== correlationId) {
      this.fail(new KafkaClientError(ErrorCode.CORRUPT_MESSAGE, `unexpected correlation id ${correlationId}`));
      return;
    }
    clearTimeout(p.timer);
    p.resolve(frame);
    this.next();
  }

  /** The first `n` buffered bytes, joining chunks only when needed. */
  private peek(n: number): Uint8Array {
    if (this.chunks[0].byteLength >= n) return this.chunks[0];
    this.chunks = [this.take(this.buffered)];
    this.buffered = this.chunks[0].byteLength;
    return this.chunks[0];
  }

  /** Removes and returns the first `n` buffered bytes (a view when one chunk holds them). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first.byteLength >= n) {
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const part = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, part), at);
      at += part;
      if (part === c.byteLength) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    this.buffered -= n;
    return out;
  }

  private fail(e: Error): void {
    if (this.closedError) return;
    this.closedError = e;
    this.socket.destroy();
    for (const p of [...this.inFlight, ...this.waiting]) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.inFlight = [];
    this.waiting = [];
    this.wakeIdle();
    this.onClose?.();
  }
}
