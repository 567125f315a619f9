/**
 * The processor's side of SASL: on a SASL listener each frame first goes to
 * its connection's SaslSession (sasl/session.ts), which the processor runs
 * itself, as Kafka's network thread does. Until authenticated, SaslHandshake
 * and SaslAuthenticate are answered here, ApiVersions goes to the handlers
 * and anything else closes the connection (frames are limited to
 * `sasl.server.max.receive.size`); afterwards the session handles
 * re-authentication and expired sessions (KIP-368). A failed
 * authentication's answer and close are held back by
 * `connection.failed.authentication.delay.ms`, as Kafka does to slow down
 * guessing.
 */
import type { Logger } from "../util/logger.ts";
import { P, type ProcessorMetrics } from "../metrics/layout.ts";
import type { Clock } from "./clock.ts";
import type { ClientConnection } from "./client_connection.ts";
import type { MemoryPool } from "./memory_pool.ts";
import { isSupported, type SupportedVersions } from "./supported_versions.ts";
import type { SaslListenerSettings } from "../config/sasl_settings.ts";
import { type GateVerdict, SASL_AUTHENTICATE_KEY, SASL_HANDSHAKE_KEY } from "./sasl/authenticator.ts";
import type { ScramLookup } from "./sasl/scram.ts";
import { SaslSession } from "./sasl/session.ts";

const API_VERSIONS_KEY = 18;

export interface SaslGateOptions {
  sasl: SaslListenerSettings;
  scram?: ScramLookup;
  supported: SupportedVersions;
  maxRequestBytes: number;
  pool: MemoryPool;
  metrics: ProcessorMetrics;
  log: Logger;
}

/** What the gate needs the processor to do to a connection. */
export interface GateActions {
  /** Close it for what it sent (logged). */
  reject(conn: ClientConnection, why: string): void;
  /** Stop tracking it (its socket is closed separately). */
  forget(conn: ClientConnection): void;
  /** Go on with its next waiting frame. */
  pump(conn: ClientConnection): void;
}

export class SaslGate {
  private readonly plainUsers: Map<string, string>;

  constructor(private readonly o: SaslGateOptions, private readonly clock: Clock, private readonly act: GateActions) {
    this.plainUsers = new Map(o.sasl.plainUsers);
  }

  /** A new connection starts unauthenticated, with the smaller frame limit. */
  attach(conn: ClientConnection): void {
    const o = this.o;
    conn.sasl = new SaslSession(
      o.sasl,
      this.plainUsers,
      o.scram ?? (() => undefined),
      (version) => isSupported(o.supported, API_VERSIONS_KEY, version),
    );
    conn.reader.setLimit(Math.min(o.sasl.maxReceiveBytes, o.maxRequestBytes), "sasl.server.max.receive.size", 1);
  }

  /**
   * Judge `frame`, the connection's first waiting one, unless judged before
   * (a dispatch that had to wait is retried); true when it goes on to the
   * handlers, false when it was answered here, closed the connection, or
   * must wait.
   */
  pass(conn: ClientConnection, frame: Uint8Array): boolean {
    const session = conn.sasl!;
    if (conn.judged === frame) return true;
    // An answer written here must not overtake a released request's answer still to come.
    const key = (frame[0] << 8) | frame[1];
    const answersHere = !session.authenticated || key === SASL_HANDSHAKE_KEY || key === SASL_AUTHENTICATE_KEY;
    if (conn.outstanding.length > 0 && answersHere) return false;
    conn.judged = frame;
    return !this.apply(conn, session.onFrame(frame, this.clock.now()));
  }

  /** Act on the session's verdict on the first waiting frame; false when it goes to the handlers as usual. */
  private apply(conn: ClientConnection, verdict: GateVerdict): boolean {
    const session = conn.sasl!;
    if (verdict.kind === "dispatch") return false;
    const frame = conn.reader.ready.shift()!;
    this.o.pool.release(frame.byteLength);
    if (verdict.kind === "close") {
      this.act.reject(conn, session.failure);
      return true;
    }
    this.o.metrics.recordRequest(verdict.apiKey, 0, verdict.error);
    this.o.metrics.add(P.bytesOut, verdict.bytes.byteLength);
    if (verdict.close) {
      // Kafka logs failed authentications at INFO, and holds back the answer and the close to slow down guessing.
      const line = `Failed authentication with ${conn.client} (${session.failure})`;
      this.o.log.limited("info", "failed authentication", line);
      this.act.forget(conn);
      conn.socket.pauseReading();
      const socket = conn.socket, gone = conn.peerGone;
      this.clock.setTimeout(() => {
        if (!gone) socket.write(verdict.bytes);
        socket.end();
      }, this.o.sasl.failedAuthDelayMs ?? 0);
      return true;
    }
    if (!conn.peerGone) conn.socket.write(verdict.bytes);
    if (session.authenticated) {
      conn.principal = session.principal!;
      conn.reader.setLimit(this.o.maxRequestBytes, "socket.request.max.bytes");
    }
    this.act.pump(conn);
    return true;
  }
}
