/**
 * Bun TCP adapter: `Bun.listen` with SO_REUSEPORT, wrapped as the core's
 * TcpConnection. Bun's `write` may take only part of a buffer; the rest is
 * queued here and flushed from the `drain` callback, so the core sees an
 * ordered, unbounded-looking writer plus `bufferedAmount` for back-pressure.
 * Bun exposes no SO_SNDBUF/SO_RCVBUF setting, so those options are ignored.
 */
import type { ConnectionEvents, ListenOptions, TcpConnection, TcpListener } from "../types.ts";

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

export function listenBun(options: ListenOptions, events: ConnectionEvents): Promise<TcpListener> {
  const server = BunGlobal.listen({
    hostname: options.host || "0.0.0.0",
    port: options.port,
    reusePort: options.reusePort,
    socket: {
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
    },
  });
  return Promise.resolve({
    port: server.port,
    close: () => server.stop(false),
  });
}
