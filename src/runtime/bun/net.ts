/**
 * Bun TCP adapter: `Bun.listen` with SO_REUSEPORT, wrapped as the core's
 * TcpConnection. Bun's `write` may take only part of a buffer; the rest is
 * queued here and flushed from the `drain` callback, so the core sees an
 * ordered, unbounded-looking writer plus `bufferedAmount` for back-pressure.
 * Bun exposes no SO_SNDBUF/SO_RCVBUF setting, so those options are ignored.
 *
 * TLS listeners pass `tls` to Bun.listen (BoringSSL). Bun calls `open` at
 * accept and `handshake` once TLS is up; the core's `open` waits for the
 * handshake, which a timer bounds. BoringSSL's TLS 1.3 suites cannot be
 * chosen, so ssl.cipher.suites must leave them all in or disable TLS 1.3.
 */
import type { ConnectionEvents, ListenOptions, TcpConnection, TcpListener, TlsServerOptions } from "../types.ts";
import { openSslTls12List, TLS13_SUITES } from "../../config/cipher_suites.ts";

// deno-lint-ignore no-explicit-any
type BunSocket = any;
// deno-lint-ignore no-explicit-any
const BunGlobal = (globalThis as any).Bun;

class BunConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  bufferedAmount = 0;
  private queue: Uint8Array[] = [];
  private ending = false;
  closed = false;
  /** TLS: the client certificate (DER) once the handshake is done; undefined on plain TCP. */
  peerCertificate?: Uint8Array | null;
  /** TLS: not yet handed to the core (handshake in progress); the handshake timer. */
  handshakeTimer?: ReturnType<typeof setTimeout>;

  constructor(private socket: BunSocket) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.remotePort = socket.remotePort ?? 0;
  }

  write(data: Uint8Array): void {
    if (this.closed || data.byteLength === 0) return;
    if (this.queue.length > 0) {
      this.queue.push(data);
      this.bufferedAmount += data.byteLength;
      return;
    }
    const written = this.socket.write(data);
    if (written < data.byteLength) {
      const rest = written > 0 ? data.subarray(written) : data;
      this.queue.push(rest);
      this.bufferedAmount += rest.byteLength;
    }
  }

  /** Called from Bun's drain: push queued bytes; true when all are out. */
  flush(): boolean {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0];
      const written = this.socket.write(head);
      if (written <= 0) return false;
      this.bufferedAmount -= written;
      if (written < head.byteLength) {
        this.queue[0] = head.subarray(written);
        return false;
      }
      this.queue.shift();
    }
    if (this.ending && this.queue.length === 0) this.socket.end();
    return this.queue.length === 0;
  }

  pauseReading(): void {
    if (!this.closed) this.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.socket.resume();
  }

  end(): void {
    if (this.closed) return;
    this.ending = true;
    if (this.queue.length === 0) this.socket.end();
  }

  destroy(): void {
    if (this.closed) return;
    this.queue = [];
    this.bufferedAmount = 0;
    this.socket.terminate();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** BoringSSL's version numbers, which Bun's minVersion/maxVersion take. */
const TLS_VERSION = { "TLSv1.2": 0x0303, "TLSv1.3": 0x0304 } as const;

function bunTlsOptions(tls: TlsServerOptions): Record<string, unknown> {
  const options: Record<string, unknown> = {
    key: tls.key,
    cert: tls.certChain,
    requestCert: tls.clientAuth !== "none",
    rejectUnauthorized: tls.clientAuth === "required",
    minVersion: TLS_VERSION[tls.minVersion],
    maxVersion: TLS_VERSION[tls.maxVersion],
  };
  if (tls.trustedCerts) options.ca = tls.trustedCerts;
  if (tls.cipherSuites.length > 0) {
    if (tls.maxVersion === "TLSv1.3" && !TLS13_SUITES.every((s) => tls.cipherSuites.includes(s))) {
      throw new Error(
        `ssl.cipher.suites: Bun cannot choose TLS 1.3 suites; list all of ${
          TLS13_SUITES.join(", ")
        } or leave TLSv1.3 out of ssl.enabled.protocols`,
      );
    }
    const list = openSslTls12List(tls.cipherSuites);
    if (tls.minVersion === "TLSv1.2" && list === "") {
      throw new Error("ssl.cipher.suites names no TLS 1.2 suite but ssl.enabled.protocols enables TLSv1.2");
    }
    if (list !== "") options.ciphers = list;
  }
  return options;
}

/** Socket callbacks of a TLS listener: the core sees a connection once its handshake is done. */
function tlsHandlers(tls: TlsServerOptions, events: ConnectionEvents, plain: Record<string, unknown>) {
  let pending = 0;
  const settle = (conn: BunConnection) => {
    if (conn.handshakeTimer === undefined) return;
    clearTimeout(conn.handshakeTimer);
    conn.handshakeTimer = undefined;
    pending--;
  };
  return {
    ...plain,
    open(socket: BunSocket) {
      const conn = new BunConnection(socket);
      socket.data = conn;
      if (pending >= tls.maxPendingHandshakes) {
        conn.closed = true;
        events.handshakeFailed?.(conn.remoteAddress, `more than ${tls.maxPendingHandshakes} TLS handshakes at once`);
        socket.terminate();
        return;
      }
      pending++;
      conn.handshakeTimer = setTimeout(() => {
        conn.handshakeTimer = undefined;
        pending--;
        conn.closed = true;
        events.handshakeFailed?.(conn.remoteAddress, `TLS handshake not done within ${tls.handshakeTimeoutMs} ms`);
        socket.terminate();
      }, tls.handshakeTimeoutMs);
    },
    handshake(socket: BunSocket, success: boolean, authorizationError: unknown) {
      const conn: BunConnection = socket.data;
      if (!conn || conn.closed) return;
      settle(conn);
      const raw = success ? socket.getPeerCertificate?.()?.raw : undefined;
      const peer = raw ? new Uint8Array(raw) : null;
      // "requested": a client may send no certificate, but one it sends must be trusted.
      if (!success || (peer && !socket.authorized)) {
        conn.closed = true;
        events.handshakeFailed?.(conn.remoteAddress, errorMessage(authorizationError ?? "TLS handshake failed"));
        socket.terminate();
        return;
      }
      conn.peerCertificate = peer;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      if (!events.open(conn)) {
        conn.closed = true;
        socket.terminate();
      }
    },
    close(socket: BunSocket, error?: unknown) {
      const conn: BunConnection = socket.data;
      if (!conn) return;
      // Closed during the handshake: the core never saw it.
      if (conn.handshakeTimer !== undefined) {
        settle(conn);
        conn.closed = true;
        return;
      }
      (plain.close as (s: BunSocket, e?: unknown) => void)(socket, error);
    },
    error(socket: BunSocket, error: unknown) {
      const conn: BunConnection = socket.data;
      if (!conn) return;
      if (conn.handshakeTimer !== undefined) {
        settle(conn);
        conn.closed = true;
        events.handshakeFailed?.(conn.remoteAddress, errorMessage(error));
        return;
      }
      (plain.error as (s: BunSocket, e: unknown) => void)(socket, error);
    },
  };
}

export function listenBun(options: ListenOptions, events: ConnectionEvents): Promise<TcpListener> {
  const plain = plainHandlers(events);
  const bind = (port: number, tls: TlsServerOptions | undefined) =>
    BunGlobal.listen({
      hostname: options.host || "0.0.0.0",
      port,
      reusePort: options.reusePort,
      ...(tls ? { tls: bunTlsOptions(tls) } : {}),
      socket: tls ? tlsHandlers(tls, events, plain) : plain,
    });
  let server = bind(options.port, options.tls);
  return Promise.resolve({
    port: server.port,
    close: () => server.stop(false),
    // Bun's reload() takes new socket handlers but keeps the TLS context (measured: the old certificate
    // still served), so a new context means a new listener on the same port (SO_REUSEPORT lets both bind)
    // and stopping the old one without closing its connections, which keep their handshake's keys.
    updateTls: options.tls && options.reusePort
      ? (tls) => {
        const next = bind(server.port, tls);
        server.stop(false);
        server = next;
      }
      : undefined,
  });
}

/** Socket callbacks of a plain TCP listener (and of a TLS one after its handshake). */
function plainHandlers(events: ConnectionEvents): Record<string, unknown> {
  return {
    open(socket: BunSocket) {
      const conn = new BunConnection(socket);
      socket.data = conn;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      if (!events.open(conn)) {
        conn.closed = true;
        socket.terminate();
      }
    },
    data(socket: BunSocket, chunk: Uint8Array) {
      const conn: BunConnection = socket.data;
      if (!conn.closed) events.data(conn, chunk);
    },
    drain(socket: BunSocket) {
      const conn: BunConnection = socket.data;
      if (conn.flush()) events.drain(conn);
    },
    close(socket: BunSocket, error?: unknown) {
      const conn: BunConnection = socket.data;
      if (!conn || conn.closed) return;
      conn.closed = true;
      events.close(conn, error);
    },
    error(socket: BunSocket, error: unknown) {
      const conn: BunConnection = socket.data;
      if (!conn || conn.closed) return;
      conn.closed = true;
      events.close(conn, error);
    },
  };
}
