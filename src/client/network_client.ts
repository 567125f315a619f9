/**
 * The client's NetworkClient (as in Kafka's clients: every byte a producer, consumer or admin sends goes
 * through it). It keeps one connection per broker, opened on first use: the bootstrap servers until the first
 * Metadata answer names the brokers, then by node id. On each new connection it negotiates versions with
 * ApiVersions and afterwards sends every API at the highest version both sides speak, within the client's
 * codecs. It owns correlation ids, the in-flight limit and request timeout per connection (connection.ts),
 * reconnects after a connection is lost, and holds the metadata cache (metadata.ts).
 *
 * Retries live in `retrying()`: a retriable failure (network error, timeout, or a retriable Kafka error code
 * raised by the caller) waits `retryBackoffMs` (doubling up to `retryBackoffMaxMs`), refreshes metadata when
 * the error means leaders moved, and tries again until `retries` or the delivery deadline runs out.
 *
 * Security (Kafka's security.protocol): `tls` makes every connection TLS (SSL), `sasl` authenticates each one
 * after ApiVersions (SASL_PLAINTEXT), both together are SASL_SSL. Authentication happens once per connection;
 * when the broker grants a session lifetime (KIP-368), the connection re-authenticates before it ends, between
 * requests: the check costs one comparison per send and the work happens only when the time has come.
 */
import { requestHeaderVersion, responseHeaderVersion } from "../protocol/api_headers.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../protocol/generated/headers.ts";
import { Reader } from "../protocol/io/reader.ts";
import { Writer } from "../protocol/io/writer.ts";
import { VERSION } from "../version.ts";
import { Apis, type ClientApi } from "./apis.ts";
import { BrokerConnection } from "./connection.ts";
import { KafkaClientError, needsMetadataRefresh } from "./errors.ts";
import { MetadataCache } from "./metadata.ts";
import { authenticate, SaslApis, type SaslExchange, type SaslOptions, validateSaslOptions } from "./sasl.ts";
import type { TlsOptions } from "./tls_options.ts";

/** Settings shared by the producer, consumer and admin client. */
export interface ClientOptions {
  /** "host:port" strings to bootstrap from. */
  bootstrapServers: string[];
  /** Sent in every request header (client.id). */
  clientId?: string;
  /** request.timeout.ms: an unanswered request closes its connection after this long (default 30000). */
  requestTimeoutMs?: number;
  /** Connection attempts give up after this long (default 10000). */
  connectTimeoutMs?: number;
  /** max.in.flight.requests.per.connection (default 5). */
  maxInFlight?: number;
  /** retries for retriable errors (default: effectively unbounded, capped by the deadline of the call). */
  retries?: number;
  /** retry.backoff.ms (default 100). */
  retryBackoffMs?: number;
  /** retry.backoff.max.ms (default 1000): the backoff doubles up to this. */
  retryBackoffMaxMs?: number;
  /** metadata.max.age.ms: metadata older than this is refreshed before use (default 300000). */
  metadataMaxAgeMs?: number;
  /**
   * Rewrites the address a broker advertises before connecting (brokers behind NAT, port forwarding or a
   * test proxy; kcat's broker address mapping). Bootstrap addresses are used as given.
   */
  brokerAddressMap?: (host: string, port: number) => { host: string; port: number };
  /** Connect over TLS (security.protocol SSL, or SASL_SSL with `sasl`); certificates and keys as PEM text. */
  tls?: TlsOptions;
  /** Authenticate every connection with SASL (security.protocol SASL_PLAINTEXT, or SASL_SSL with `tls`). */
  sasl?: SaslOptions;
}

/** Byte fields at least this long are written to the socket as they are instead of being copied. */
const EXTERNAL_BYTES = 4096;

interface Node {
  host: string;
  port: number;
}

interface Session {
  conn: BrokerConnection;
  /** Highest usable version per API key (-1: the broker lacks the API or no common version). */
  versions: Map<number, number>;
  address: string;
  /** When to re-authenticate (Date.now() ms; the broker's session lifetime, less a margin), if ever. */
  reauthAt?: number;
  /** The re-authentication under way, which sends on this connection wait for. */
  reauthenticating?: Promise<void>;
}

export class NetworkClient {
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly metadata: MetadataCache;
  private readonly connectTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly bootstrap: Node[];
  private readonly mapAddress: (host: string, port: number) => Node;
  private readonly tls?: TlsOptions;
  private readonly sasl?: SaslOptions;
  private readonly sessions = new Map<number, Promise<Session>>();
  private nextCorrelationId = 1;
  private closed = false;

  constructor(options: ClientOptions) {
    if (options.bootstrapServers.length === 0) throw new Error("bootstrapServers must name at least one broker");
    this.bootstrap = options.bootstrapServers.map(parseHostPort);
    this.mapAddress = options.brokerAddressMap ?? ((host, port) => ({ host, port }));
    this.clientId = options.clientId ?? "tsbroker-client";
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 5;
    this.retries = options.retries ?? Number.MAX_SAFE_INTEGER;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1000;
    this.metadata = new MetadataCache(this, options.metadataMaxAgeMs ?? 300_000);
    if (options.sasl) validateSaslOptions(options.sasl);
    this.tls = options.tls;
    this.sasl = options.sasl;
  }

  /** A broker to ask something any broker answers: a connected one if there is one, else a known one. */
  anyNode(): number {
    for (const id of this.sessions.keys()) if (id >= 0) return id;
    const brokers = this.metadata.brokerIds();
    if (brokers.length > 0) return brokers[Math.floor(Math.random() * brokers.length)];
    return -1 - Math.floor(Math.random() * this.bootstrap.length);
  }

  /**
   * Sends one request to `node` (a broker id, or -1-i for bootstrap server i) and decodes the answer. With
   * `expectResponse` false (Produce acks=0) resolves with null once written. `timeoutMs` overrides the
   * request timeout for requests the broker may hold longer (JoinGroup waits for the whole rebalance).
   */
  async send<Req, Res>(
    node: number,
    api: ClientApi<Req, Res>,
    body: Req,
    expectResponse = true,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<Res> {
    const session = await this.session(node);
    if (session.reauthAt !== undefined && Date.now() >= session.reauthAt) await this.reauthenticate(session);
    const version = session.versions.get(api.descriptor.apiKey) ?? -1;
    if (version < 0) {
      throw new KafkaClientError(
        ErrorCode.UNSUPPORTED_VERSION,
        `broker ${node} speaks no common ${api.descriptor.name}`,
      );
    }
    return await this.sendOn(session.conn, api, version, body, expectResponse, timeoutMs) as Res;
  }

  /** The version `send` would use for `api` on `node`. */
  async versionFor(node: number, api: ClientApi<unknown, unknown>): Promise<number> {
    return (await this.session(node)).versions.get(api.descriptor.apiKey) ?? -1;
  }

  /** Requests in flight or queued on `node`'s connection (0 when not connected). */
  async pendingOn(node: number): Promise<number> {
    const s = this.sessions.get(node);
    return s ? (await s).conn.pending : 0;
  }

  /**
   * Runs `attempt` until it succeeds, a non-retriable error, `retries` attempts, or `deadlineMs` (default the
   * request timeout). Metadata is refreshed before the next attempt when the error says leaders moved.
   */
  async retrying<T>(attempt: () => Promise<T>, deadlineMs = this.requestTimeoutMs): Promise<T> {
    const deadline = Date.now() + deadlineMs;
    let backoff = this.retryBackoffMs;
    for (let tries = 0;; tries++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof KafkaClientError) || !e.retriable || this.closed) throw e;
        if (tries >= this.retries || Date.now() + backoff > deadline) throw e;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, this.retryBackoffMaxMs);
        if (needsMetadataRefresh(e.code)) await this.metadata.refresh().catch(() => {});
      }
    }
  }

  /** Closes every connection; later sends fail. */
  async close(): Promise<void> {
    this.closed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of sessions) {
      try {
        (await s).conn.close();
      } catch { /* a failed connect has nothing to close */ }
    }
  }

  private async sendOn<Req, Res>(
    conn: BrokerConnection,
    api: ClientApi<Req, Res>,
    version: number,
    body: Req,
    expectResponse: boolean,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<Res | null> {
    const apiKey = api.descriptor.apiKey;
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
    const w = new Writer(256);
    w.reserveSizePrefix();
    // Record batches (Produce) go out by reference, not copied into the request buffer.
    w.externalizeFrom(EXTERNAL_BYTES);
    encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: this.clientId,
    });
    api.encode(w, version, body);
    const frame = w.finishChunksWithSizePrefix();
    const answer = await conn.send(frame, correlationId, expectResponse, timeoutMs);
    if (!expectResponse) return null;
    const r = new Reader(answer);
    decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    return api.decode(r, version);
  }

  private session(node: number): Promise<Session> {
    if (this.closed) return Promise.reject(new KafkaClientError(ErrorCode.NETWORK_EXCEPTION, "client closed"));
    const existing = this.sessions.get(node);
    if (existing) return existing;
    const opening = this.open(node);
    this.sessions.set(node, opening);
    opening.catch(() => {
      if (this.sessions.get(node) === opening) this.sessions.delete(node);
    });
    return opening;
  }

  private async open(node: number): Promise<Session> {
    const advertised = node < 0 ? undefined : this.metadata.broker(node);
    const address = node < 0
      ? this.bootstrap[-1 - node]
      : advertised && this.mapAddress(advertised.host, advertised.port);
    if (!address) throw new KafkaClientError(ErrorCode.BROKER_NOT_AVAILABLE, `no address known for broker ${node}`);
    const conn = await BrokerConnection.connect(
      address.host,
      address.port,
      this.connectTimeoutMs,
      this.maxInFlight,
      this.tls,
    );
    const session: Session = { conn, versions: new Map(), address: `${address.host}:${address.port}` };
    conn.onClose = () => {
      // Reconnect on next use: drop the session only if it is still the current one.
      const current = this.sessions.get(node);
      // (A session that failed while opening was dropped by session() already.)
      current?.then(
        (s) => s === session && this.sessions.get(node) === current && this.sessions.delete(node),
        () => {},
      );
    };
    try {
      await this.negotiate(session);
      if (this.sasl) await this.authenticate(session);
    } catch (e) {
      conn.close();
      throw e;
    }
    return session;
  }

  /** Runs the SASL exchange on the session's connection and schedules the next one from the granted lifetime. */
  private async authenticate(session: Session): Promise<void> {
    const exchange: SaslExchange = async (api, version, body) =>
      (await this.sendOn(session.conn, api, version, body, true))!;
    const lifetimeMs = await authenticate(
      exchange,
      {
        handshake: session.versions.get(SaslApis.SaslHandshake.descriptor.apiKey) ?? -1,
        authenticate: session.versions.get(SaslApis.SaslAuthenticate.descriptor.apiKey) ?? -1,
      },
      this.sasl!,
      session.address,
    );
    // As Kafka's clients: at 85–95% of the lifetime, spread so that connections made together do not all
    // re-authenticate at once.
    session.reauthAt = lifetimeMs > 0 ? Date.now() + lifetimeMs * (0.85 + Math.random() * 0.1) : undefined;
  }

  /**
   * Re-authenticates once the requests already on the connection are answered (the broker must not see a SASL
   * message among other requests); sends arriving meanwhile wait. A failure closes the connection, as the
   * broker would at the session's end, and fails those sends with the broker's message.
   */
  private reauthenticate(session: Session): Promise<void> {
    session.reauthenticating ??= (async () => {
      try {
        await session.conn.idle();
        await this.authenticate(session);
      } catch (e) {
        session.conn.close();
        throw e;
      } finally {
        session.reauthenticating = undefined;
      }
    })();
    return session.reauthenticating;
  }

  /**
   * ApiVersions at the client's highest version; a broker that does not speak it answers UNSUPPORTED_VERSION
   * with its own range for ApiVersions (as Kafka does), and the client asks again at the highest common one.
   */
  private async negotiate(session: Session): Promise<void> {
    const api = Apis.ApiVersions;
    const body = { clientSoftwareName: "tsbroker-client", clientSoftwareVersion: VERSION };
    let answer = (await this.sendOn(session.conn, api, api.maxVersion, body, true))!;
    if (answer.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      const theirs = answer.apiKeys.find((k) => k.apiKey === api.descriptor.apiKey);
      const version = Math.min(theirs?.maxVersion ?? 0, api.maxVersion);
      answer = (await this.sendOn(session.conn, api, version, body, true))!;
    }
    if (answer.errorCode !== ErrorCode.NONE) throw new KafkaClientError(answer.errorCode, "ApiVersions");
    const brokerRanges = new Map(answer.apiKeys.map((k) => [k.apiKey, k]));
    const apis = [...Object.values(Apis), ...(this.sasl ? Object.values(SaslApis) : [])];
    for (const ours of apis as ClientApi<unknown, unknown>[]) {
      const theirs = brokerRanges.get(ours.descriptor.apiKey);
      const high = theirs ? Math.min(theirs.maxVersion, ours.maxVersion) : -1;
      const low = theirs ? Math.max(theirs.minVersion, ours.descriptor.minVersion) : 0;
      session.versions.set(ours.descriptor.apiKey, high >= low ? high : -1);
    }
  }
}

/** "host:port" (IPv6 as "[::1]:9092"). */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`bad broker address "${s}": expected host:port`);
  return { host: m[1], port: Number(m[2]) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
