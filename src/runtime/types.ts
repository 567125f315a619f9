/**
 * The contract between tsbroker's runtime-agnostic core and a runtime adapter.
 *
 * The core (network processors, request handlers, the broker supervisor) only
 * ever talks to these interfaces. `src/runtime/deno/` and `src/runtime/bun/`
 * fill them with each runtime's native listeners, HTTP server, signals and
 * exit; nothing else in `src/` touches the Deno or Bun globals.
 */

/** One accepted TCP connection, as the processor sees it. */
export interface TcpConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /**
   * Queue bytes for sending. The adapter owns partial writes: bytes are sent
   * in order, and `bufferedAmount` counts what is not yet in the kernel.
   * The caller must not reuse `data` afterwards.
   */
  write(data: Uint8Array): void;
  /** Bytes accepted by `write` but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Stop delivering `data` events (back-pressure, muting). Idempotent. */
  pauseReading(): void;
  /** Resume delivering `data` events. Idempotent. */
  resumeReading(): void;
  /** Flush what is queued, then close. `close` fires once. */
  end(): void;
  /** Close now, dropping queued output. `close` fires once. */
  destroy(): void;
  /**
   * TLS listeners only: the client's certificate (DER), or null when it sent
   * none. Set before `open`, since adapters finish the handshake first.
   */
  readonly peerCertificate?: Uint8Array | null;
}

/** Callbacks a listener drives; the processor implements them. */
export interface ConnectionEvents {
  /** A new connection. Return false to have the adapter close it at once. */
  open(conn: TcpConnection): boolean;
  /**
   * Bytes arrived. The chunk is valid only during the call (adapters reuse
   * their read buffers); the processor copies each frame into a buffer of its
   * own anyway, because frames are transferred to handler Workers.
   */
  data(conn: TcpConnection, chunk: Uint8Array): void;
  /** All queued output has reached the kernel. */
  drain(conn: TcpConnection): void;
  /** The connection is gone (either side closed, or an error). Fires once. */
  close(conn: TcpConnection, error?: unknown): void;
  /**
   * Accepting a connection failed (typically EMFILE/ENFILE at the
   * descriptor limit). The adapter keeps listening and serving existing
   * connections, and waits the returned milliseconds before accepting again.
   * Without this callback adapters wait a fixed short delay.
   */
  acceptFailed?(error: unknown): number;
  /**
   * TLS listeners: a connection failed or timed out in its handshake (non-TLS
   * bytes, an untrusted or missing client certificate, a stalled client). It
   * never reached `open` and is closed already.
   */
  handshakeFailed?(remoteAddress: string, reason: string): void;
}

/**
 * TLS for a listener, as plain data the core prepared (network/tls/): keys
 * already decrypted and checked, so adapters only hand them to the runtime.
 */
export interface TlsServerOptions {
  /** Unencrypted private key, PKCS#8 PEM. */
  key: string;
  /** Certificate chain, leaf first, PEM. */
  certChain: string;
  /** CA certificates client certificates must chain to, PEM ("" = none). */
  trustedCerts: string;
  /** none: no client certificate asked; requested: asked, optional; required: the handshake fails without one. */
  clientAuth: "none" | "requested" | "required";
  minVersion: "TLSv1.2" | "TLSv1.3";
  maxVersion: "TLSv1.2" | "TLSv1.3";
  /** Cipher suites by IANA name; empty = the runtime's defaults. Adapters refuse lists they cannot apply. */
  cipherSuites: string[];
  /** A handshake not done after this long closes its connection. */
  handshakeTimeoutMs: number;
  /** Handshakes in progress at once per listener; more are closed at accept. */
  maxPendingHandshakes: number;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** Share the port with the other processors of the listener (SO_REUSEPORT). */
  reusePort: boolean;
  /** SO_SNDBUF / SO_RCVBUF requests; -1 leaves the OS default. */
  sendBufferBytes: number;
  receiveBufferBytes: number;
  /** Set on SSL and SASL_SSL listeners: the adapter speaks TLS and hands the core plaintext bytes. */
  tls?: TlsServerOptions;
}

export interface TcpListener {
  /** The bound port (meaningful when 0 was asked for). */
  readonly port: number;
  /** Stop accepting; existing connections stay open. */
  close(): void;
  /**
   * TLS listeners: use these key, certificates and trust store for connections accepted from now on;
   * connections already open keep theirs. Throws when the runtime refuses them (the old ones stay).
   */
  updateTls?(tls: TlsServerOptions): void;
}

/** What an HTTP handler learns of a request beyond its path: the web console's POST/DELETE need these. */
export interface HttpRequestInfo {
  /** "GET", "POST", "DELETE", ... */
  method: string;
  /** The query string without its "?" ("" when none). */
  query: string;
  /** The request body as text ("" for none). */
  body: string;
  /** The Content-Type header ("" when absent): JSON endpoints require it, which cross-site forms cannot send. */
  contentType: string;
  /** Every request header (the console checks Host, Origin, Referer and Cookie). */
  headers?: { get(name: string): string | null };
}

export interface HttpResponseInit {
  status: number;
  contentType: string;
  body: string;
  /** Extra response headers (Set-Cookie, Cache-Control). */
  headers?: Record<string, string>;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What the core needs from a runtime inside any thread. */
export interface NetRuntime {
  /** "deno" or "bun": only for logs and metrics labels. */
  readonly name: string;
  listen(options: ListenOptions, events: ConnectionEvents): Promise<TcpListener>;
}

/** What the supervisor (main thread) additionally needs. */
export interface HostRuntime extends NetRuntime {
  readonly version: string;
  /** Linux spreads SO_REUSEPORT connections across listeners; others do not. */
  readonly reusePortBalances: boolean;
  /**
   * The RequestChannel that costs this runtime least per request between processor and handler (what
   * tsbroker.request.channel=auto picks; measured in ARCHITECTURE.md, The RequestChannel).
   */
  readonly requestChannel: "transfer" | "ring";
  /** Spawn a processor or handler Worker (the adapter knows the entry files). */
  spawnWorker(kind: WorkerKind, name: string): WorkerHandle;
  serveHttp(
    host: string,
    port: number,
    handler: (path: string, request: HttpRequestInfo) => HttpResponseInit | Promise<HttpResponseInit>,
  ): Promise<HttpServer>;
  /** Call `handler` on SIGINT/SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  exit(code: number): never;
  args(): string[];
}

export type WorkerKind = "processor" | "handler";

/** The subset of the web Worker API the supervisor uses. */
export interface WorkerHandle {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

/** Inside a worker: the channel to the supervisor. */
export interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}
