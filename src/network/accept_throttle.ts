/**
 * The acceptor's wait under `max.connection.creation.rate` (KIP-612).
 *
 * Over the rate Kafka does not close a new connection: its acceptor records
 * the connection, then blocks for the delay the rate gives (connection_rate.ts)
 * before handing it to a processor, and accepts nothing else meanwhile, so
 * later clients wait in the kernel's listen backlog. A processor here cannot
 * stop its runtime's listener from accepting (Bun and node:tls accept on their
 * own), so it keeps that backlog itself: a connection over the rate is held
 * with its reading paused until its delay is over, and connections arriving
 * meanwhile queue behind it unrecorded, as they would in Kafka's backlog; each
 * is recorded when it reaches the head. The queue is bounded by Kafka's
 * default backlog (`socket.listen.backlog.size`, 50) per processor: past it a
 * new connection is closed, where the kernel would drop it.
 *
 * Every processor of the broker records into the same shared rates, so the
 * delays hold the broker's (and each listener's) accepted rate together, not
 * each processor's.
 */
import type { TcpConnection } from "../runtime/types.ts";
import type { Logger } from "../util/logger.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { ConnectionQuotas } from "./connection_quotas.ts";

/** Kafka's default `socket.listen.backlog.size`: connections that may wait behind a throttled acceptor. */
export const HELD_CONNECTIONS_MAX = 50;

/** Wall-clock milliseconds, the same in every Worker (each Worker's performance.now() has its own origin). */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

export interface AcceptThrottleOptions {
  quotas: ConnectionQuotas;
  clock: Clock;
  /** The time the shared rates are kept in (sharedNow unless a test gives its own). */
  now: () => number;
  log: Logger;
  listenerName: string;
  /** The processor's admission (connection quotas, then registration); false: close the socket. */
  admit: (socket: TcpConnection) => boolean;
}

export class AcceptThrottle {
  private readonly held: TcpConnection[] = [];
  /** The held connection whose delay the timer is waiting out (recorded in the rates). */
  private recorded: TcpConnection | null = null;
  private timer: TimerHandle | null = null;
  /** Connections that have waited, and for how long in total: the acceptor's blocked time. */
  delayedCount = 0;
  delayedMs = 0;

  constructor(private readonly o: AcceptThrottleOptions) {}

  /**
   * A new connection from the runtime: admitted now, or held (reading paused)
   * behind the acceptor's wait. False: close it now (refused by a connection
   * quota, or the backlog is full).
   */
  offer(socket: TcpConnection): boolean {
    if (this.timer !== null) {
      if (this.held.length >= HELD_CONNECTIONS_MAX) {
        this.o.log.limited(
          "warn",
          "accept backlog full",
          `Closing a connection from ${socket.remoteAddress} on listener ${this.o.listenerName}: ` +
            `${HELD_CONNECTIONS_MAX} connections already wait for max.connection.creation.rate`,
        );
        return false;
      }
      socket.pauseReading();
      this.held.push(socket);
      return true;
    }
    const delay = this.o.quotas.recordCreation(this.o.now());
    if (delay <= 0) return this.o.admit(socket);
    socket.pauseReading();
    this.held.push(socket);
    this.waitFor(socket, delay);
    return true;
  }

  /** The runtime closed `socket`; true if it was held here (the processor never saw it). */
  forget(socket: TcpConnection): boolean {
    const at = this.held.indexOf(socket);
    if (at < 0) return false;
    this.held.splice(at, 1);
    // Its delay still runs out: the rate counted it, and Kafka's acceptor would still be waiting.
    if (this.recorded === socket) this.recorded = null;
    return true;
  }

  /** Connections waiting. */
  get waiting(): number {
    return this.held.length;
  }

  /** Shutdown: close what still waits. */
  close(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const socket of this.held.splice(0)) socket.destroy();
    this.recorded = null;
  }

  private waitFor(socket: TcpConnection, delayMs: number): void {
    this.recorded = socket;
    this.delayedCount++;
    this.delayedMs += delayMs;
    this.o.log.limited(
      "info",
      "connection creation throttled",
      `Connection creation rate over its limit on listener ${this.o.listenerName}: accepting waits ${delayMs} ms`,
    );
    this.timer = this.o.clock.setTimeout(() => this.waited(), delayMs);
  }

  /** The wait is over: admit the recorded connection, then record the next ones until one must wait. */
  private waited(): void {
    this.timer = null;
    const done = this.recorded;
    this.recorded = null;
    if (done !== null) this.take(done);
    while (this.held.length > 0) {
      const next = this.held[0];
      const delay = this.o.quotas.recordCreation(this.o.now());
      if (delay > 0) {
        this.waitFor(next, delay);
        return;
      }
      this.take(next);
    }
  }

  private take(socket: TcpConnection): void {
    this.forget(socket);
    if (this.o.admit(socket)) socket.resumeReading();
    else socket.destroy();
  }
}
