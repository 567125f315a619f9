/**
 * Deno TCP adapter: `Deno.listen` with SO_REUSEPORT (needs the `net`
 * unstable flag, set in deno.json and by `deno compile --unstable-net`),
 * wrapped as the core's TcpConnection. Deno's API is pull-based, so each
 * connection runs one read loop (which parks while paused) and one write loop
 * (which drains an ordered queue, coping with partial writes). Deno exposes
 * no SO_SNDBUF/SO_RCVBUF setting, so those options are ignored.
 *
 * TLS listeners use node:tls instead: Deno.listenTls can neither ask for nor
 * verify client certificates, while Deno's node:tls (rustls underneath) does
 * both, takes reusePort, and exposes the peer certificate. rustls accepts only
 * X.509 v3 client certificates and ignores cipher lists, so ssl.cipher.suites
 * is refused here. The handshake finishes before the core sees the
 * connection.
 */
import * as nodeTls from "node:tls";
import type { ConnectionEvents, ListenOptions, TcpConnection, TcpListener, TlsServerOptions } from "../types.ts";
import { certificateVersion } from "../../network/tls/distinguished_name.ts";

// A connection's read buffer starts small and doubles whenever a read fills
// it, up to the maximum: an idle connection holds 8 KiB instead of 128 KiB
// (1,000 of them: 8 MB of buffers V8 counts as external memory for its GC
// heuristics, instead of 128 MB), while a busy one reaches full-size reads
// after a few.
const READ_BUFFER_MIN_BYTES = 8 * 1024;
const READ_BUFFER_MAX_BYTES = 128 * 1024;
/** Wait after a failed accept when the events give none. */
const ACCEPT_RETRY_MS = 100;

class DenoConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  bufferedAmount = 0;
  private queue: Uint8Array[] = [];
  private writing = false;
  private ending = false;
  private paused = false;
  private resumeWaiter: (() => void) | null = null;
  private closed = false;

  constructor(private conn: Deno.TcpConn, private events: ConnectionEvents) {
    const addr = conn.remoteAddr as Deno.NetAddr;
    this.remoteAddress = addr.hostname;
    this.remotePort = addr.port;
  }

  async readLoop(): Promise<void> {
    let buffer = new Uint8Array(READ_BUFFER_MIN_BYTES);
    let error: unknown;
    try {
      while (!this.closed) {
        if (this.paused) {
          await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
          continue;
        }
        const n = await this.conn.read(buffer);
        if (n === null) break;
        if (!this.closed) this.events.data(this, buffer.subarray(0, n));
        if (n === buffer.byteLength && n < READ_BUFFER_MAX_BYTES) buffer = new Uint8Array(n * 2);
      }
    } catch (e) {
      error = e;
    }
    this.finish(error);
  }

  write(data: Uint8Array): void {
    if (this.closed || data.byteLength === 0) return;
    this.queue.push(data);
    this.bufferedAmount += data.byteLength;
    if (!this.writing) void this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const head = this.queue[0];
        const n = await this.conn.write(head);
        this.bufferedAmount -= n;
        if (n < head.byteLength) this.queue[0] = head.subarray(n);
        else this.queue.shift();
      }
    } catch (e) {
      this.writing = false;
      this.finish(e);
      return;
    }
    this.writing = false;
    if (this.closed) return;
    if (this.ending) this.finish();
    else this.events.drain(this);
  }

  pauseReading(): void {
    this.paused = true;
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    const waiter = this.resumeWaiter;
    this.resumeWaiter = null;
    waiter?.();
  }

  end(): void {
    if (this.closed) return;
    this.ending = true;
    if (!this.writing) this.finish();
  }

  destroy(): void {
    this.finish();
  }

  private finish(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.bufferedAmount = 0;
    try {
      this.conn.close();
    } catch { /* already closed by the peer */ }
    this.resumeWaiter?.();
    this.events.close(this, error);
  }
}

export function listenDeno(options: ListenOptions, events: ConnectionEvents): Promise<TcpListener> {
  if (options.tls) return listenNodeTls(options, options.tls, events);
  const listener = Deno.listen({
    hostname: options.host || "0.0.0.0",
    port: options.port,
    transport: "tcp",
    reusePort: options.reusePort,
  });
  let open = true;
  (async () => {
    while (open) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (!open) return;
        // EMFILE/ENFILE at the descriptor limit: the pending connection stays in
        // the backlog and would fail again at once, so wait before the next
        // accept instead of spinning; the listener and every open connection live on.
        await new Promise((resolve) => setTimeout(resolve, events.acceptFailed?.(e) ?? ACCEPT_RETRY_MS));
        continue;
      }
      try {
        conn.setNoDelay(true);
        conn.setKeepAlive(true);
      } catch { /* peer already gone */ }
      const wrapped = new DenoConnection(conn, events);
      if (!events.open(wrapped)) {
        try {
          conn.close();
        } catch { /* ignore */ }
        continue;
      }
      void wrapped.readLoop();
    }
  })();
  return Promise.resolve({
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      open = false;
      try {
        listener.close();
      } catch { /* already closed */ }
    },
  });
}

// deno-lint-ignore no-explicit-any
type NodeSocket = any;

/** A node:tls socket after its handshake, as the core's TcpConnection. */
class NodeTlsConnection implements TcpConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly peerCertificate: Uint8Array | null;
  private closed = false;

  constructor(private socket: NodeSocket, private events: ConnectionEvents, peer: Uint8Array | null) {
    this.remoteAddress = socket.remoteAddress ?? "";
    this.remotePort = socket.remotePort ?? 0;
    this.peerCertificate = peer;
  }

  get bufferedAmount(): number {
    return this.closed ? 0 : this.socket.writableLength;
  }

  attach(): void {
    const s = this.socket;
    let error: unknown;
    s.on("data", (chunk: Uint8Array) => {
      if (!this.closed) this.events.data(this, chunk);
    });
    s.on("drain", () => {
      if (!this.closed) this.events.drain(this);
    });
    s.on("error", (e: unknown) => (error = e));
    s.on("close", () => {
      if (this.closed) return;
      this.closed = true;
      this.events.close(this, error);
    });
  }

  write(data: Uint8Array): void {
    if (!this.closed && data.byteLength > 0) this.socket.write(data);
  }

  pauseReading(): void {
    if (!this.closed) this.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.socket.resume();
  }

  end(): void {
    if (!this.closed) this.socket.end();
  }

  destroy(): void {
    if (!this.closed) this.socket.destroy();
  }
}

/** rustls refuses X.509 v1 certificates with a verification error that does not say so. */
function v1Hint(der: Uint8Array): string {
  try {
    return certificateVersion(der) === 1 ? "; it is an X.509 v1 certificate, which Deno's TLS does not accept" : "";
  } catch {
    return "";
  }
}

/** What node:tls builds a secure context from; also what a reload replaces. */
function secureContextOptions(tls: TlsServerOptions) {
  return {
    key: tls.key,
    cert: tls.certChain,
    ca: tls.trustedCerts || undefined,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
  };
}

function listenNodeTls(options: ListenOptions, tls: TlsServerOptions, events: ConnectionEvents): Promise<TcpListener> {
  if (tls.cipherSuites.length > 0) {
    throw new Error(
      "ssl.cipher.suites cannot be applied under Deno (its TLS ignores cipher lists): remove it or run under Bun",
    );
  }
  const server = nodeTls.createServer({
    ...secureContextOptions(tls),
    requestCert: tls.clientAuth !== "none",
    rejectUnauthorized: tls.clientAuth === "required",
  });
  // Handshakes in progress, by client address: they count against maxPendingHandshakes until done or
  // closed. The timer is ours: node's handshakeTimeout did not close a client that sent nothing.
  const pending = new Map<string, () => void>();
  // Sockets our timer closed: their "socket hang up" that follows is not logged again.
  const timedOut = new WeakSet<object>();
  server.on("connection", (raw: NodeSocket) => {
    if (pending.size >= tls.maxPendingHandshakes) {
      events.handshakeFailed?.(raw.remoteAddress ?? "", `more than ${tls.maxPendingHandshakes} TLS handshakes at once`);
      raw.destroy();
      return;
    }
    const id = `${raw.remoteAddress}:${raw.remotePort}`;
    const timer = setTimeout(() => {
      events.handshakeFailed?.(raw.remoteAddress ?? "", `TLS handshake not done within ${tls.handshakeTimeoutMs} ms`);
      timedOut.add(raw);
      raw.destroy();
    }, tls.handshakeTimeoutMs);
    const settle = () => {
      clearTimeout(timer);
      pending.delete(id);
    };
    pending.set(id, settle);
    raw.once("close", settle);
    raw.setNoDelay(true);
    raw.setKeepAlive(true, 60_000);
  });
  server.on("tlsClientError", (error: Error, socket: NodeSocket) => {
    if (socket?._parent && timedOut.has(socket._parent)) return;
    events.handshakeFailed?.(socket?.remoteAddress ?? socket?._parent?.remoteAddress ?? "", error.message);
  });
  server.on("secureConnection", (socket: NodeSocket) => {
    pending.get(`${socket.remoteAddress}:${socket.remotePort}`)?.();
    const cert = socket.getPeerCertificate?.();
    const peer: Uint8Array | null = cert?.raw ? new Uint8Array(cert.raw) : null;
    // "requested": a client may send no certificate, but one it sends must be trusted.
    if (peer && !socket.authorized) {
      events.handshakeFailed?.(
        socket.remoteAddress ?? "",
        `untrusted client certificate (${socket.authorizationError}${v1Hint(peer)})`,
      );
      socket.destroy();
      return;
    }
    const conn = new NodeTlsConnection(socket, events, peer);
    if (!events.open(conn)) {
      socket.destroy();
      return;
    }
    conn.attach();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host || "0.0.0.0", port: options.port, reusePort: options.reusePort }, () => {
      server.off("error", reject);
      server.on("error", (e: unknown) => events.acceptFailed?.(e));
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => server.close(),
        // A new context serves the handshakes that start from now on; open connections keep theirs.
        updateTls: (next) => server.setSecureContext(secureContextOptions(next)),
      });
    });
  });
}
