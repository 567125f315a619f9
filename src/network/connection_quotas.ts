/**
 * Connection quotas counted across every processor Worker.
 *
 * Kafka's Acceptor counts connections in one thread. Here each processor
 * accepts on its own SO_REUSEPORT listener, so the counts live in a
 * SharedArrayBuffer: one broker-wide total, one count per listener
 * (`listener.name.<l>.max.connections`; both limits apply, as in Kafka) and
 * an open-addressing table of per-IP counts keyed by a 32-bit hash of the
 * address. Slots are claimed with compare-and-swap and never freed (a count
 * simply returns to zero), so the table tracks up to TABLE_SLOTS distinct
 * addresses; past that, new addresses are only subject to the broker-wide
 * limit (logged once by the caller).
 *
 * The same buffer holds the connection-creation rates (KIP-612,
 * connection_rate.ts): one broker-wide and one per listener; its header
 * records the listener count and the rates' window, so that every Worker
 * reads the same layout.
 */
import { rateMeterBytes, type RateWindow, SharedRate } from "./connection_rate.ts";

const TABLE_SLOTS = 1 << 16;
const TOTAL = 0;
const SAMPLES = 1;
const LISTENERS = 2;
const WINDOW_MS = 3;
const HEADER_INTS = 4;
const INT_MAX = 2147483647;

export interface QuotaLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Per-address overrides of maxConnectionsPerIp. */
  perIpOverrides: Map<string, number>;
  /** This processor's listener (its count and rate); absent: none. */
  listenerIndex?: number;
  /** `listener.name.<l>.max.connections`; absent: no limit. */
  maxListenerConnections?: number;
  /** `max.connection.creation.rate` (per second); absent: no limit. */
  maxConnectionCreationRate?: number;
  /** `listener.name.<l>.max.connection.creation.rate`; absent: no limit. */
  maxListenerConnectionCreationRate?: number;
}

export type QuotaVerdict = "ok" | "max.connections" | "listener max.connections" | "max.connections.per.ip";

export interface QuotaBufferShape {
  /** Listeners the broker has (each gets a count and a rate). */
  listeners: number;
  /** `quota.window.num` and `quota.window.size.seconds` of the creation rates. */
  window: RateWindow;
}

const DEFAULT_SHAPE: QuotaBufferShape = { listeners: 16, window: { samples: 11, windowMs: 1000 } };

export function createQuotaBuffer(shape: QuotaBufferShape = DEFAULT_SHAPE): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(ratesOffset(shape.listeners) + (1 + shape.listeners) * rateMeterBytes());
  const ints = new Int32Array(buffer);
  ints[SAMPLES] = shape.window.samples;
  ints[LISTENERS] = shape.listeners;
  ints[WINDOW_MS] = shape.window.windowMs;
  return buffer;
}

/** Byte offset of the rate meters: after the header, the per-IP table and the listener counts, 8-aligned. */
function ratesOffset(listeners: number): number {
  return Math.ceil((HEADER_INTS + TABLE_SLOTS * 2 + listeners) * 4 / 8) * 8;
}

export class ConnectionQuotas {
  private readonly ints: Int32Array;
  /** Index of this listener's count in `ints`; -1 without a listener. */
  private readonly listenerCount: number;
  private readonly brokerRate: SharedRate;
  private readonly listenerRate: SharedRate | null;

  constructor(buffer: SharedArrayBuffer, private readonly limits: QuotaLimits) {
    const ints = this.ints = new Int32Array(buffer);
    const listeners = ints[LISTENERS];
    const window = { samples: ints[SAMPLES], windowMs: ints[WINDOW_MS] };
    const meter = rateMeterBytes();
    const at = ratesOffset(listeners);
    const listener = limits.listenerIndex ?? -1;
    if (listener >= listeners) throw new Error(`listener ${listener} beyond the quota buffer's ${listeners}`);
    this.listenerCount = listener >= 0 ? HEADER_INTS + TABLE_SLOTS * 2 + listener : -1;
    this.brokerRate = new SharedRate(buffer, at, window);
    this.listenerRate = listener >= 0 ? new SharedRate(buffer, at + (1 + listener) * meter, window) : null;
  }

  /** Count a new connection from `ip`, or say which limit refuses it. */
  tryAcquire(ip: string): QuotaVerdict {
    const total = Atomics.add(this.ints, TOTAL, 1) + 1;
    if (total > this.limits.maxConnections) {
      Atomics.sub(this.ints, TOTAL, 1);
      return "max.connections";
    }
    if (this.listenerCount >= 0) {
      const count = Atomics.add(this.ints, this.listenerCount, 1) + 1;
      if (count > (this.limits.maxListenerConnections ?? INT_MAX)) {
        Atomics.sub(this.ints, this.listenerCount, 1);
        Atomics.sub(this.ints, TOTAL, 1);
        return "listener max.connections";
      }
    }
    const slot = this.slotFor(ip);
    if (slot >= 0) {
      const limit = this.limits.perIpOverrides.get(ip) ?? this.limits.maxConnectionsPerIp;
      const count = Atomics.add(this.ints, slot + 1, 1) + 1;
      if (count > limit) {
        Atomics.sub(this.ints, slot + 1, 1);
        if (this.listenerCount >= 0) Atomics.sub(this.ints, this.listenerCount, 1);
        Atomics.sub(this.ints, TOTAL, 1);
        return "max.connections.per.ip";
      }
    }
    return "ok";
  }

  release(ip: string): void {
    Atomics.sub(this.ints, TOTAL, 1);
    if (this.listenerCount >= 0) Atomics.sub(this.ints, this.listenerCount, 1);
    const slot = this.slotFor(ip);
    if (slot >= 0) Atomics.sub(this.ints, slot + 1, 1);
  }

  /**
   * Records a new connection in the broker-wide and the listener's creation
   * rate at `nowMs` (a clock all Workers share) and answers how long the
   * acceptor waits before taking it: the longer of the two delays, as Kafka's
   * ConnectionQuotas computes them; 0 within both rates.
   */
  recordCreation(nowMs: number): number {
    const brokerQuota = this.limits.maxConnectionCreationRate ?? INT_MAX;
    const listenerQuota = this.limits.maxListenerConnectionCreationRate ?? INT_MAX;
    // An unlimited rate could never delay anyone: not recording it spares its lock.
    const broker = brokerQuota < INT_MAX ? this.brokerRate.record(nowMs, brokerQuota) : 0;
    const listener = listenerQuota < INT_MAX ? this.listenerRate?.record(nowMs, listenerQuota) ?? 0 : 0;
    return Math.max(broker, listener);
  }

  /** Whether any creation rate is limited: without one the acceptor need not record (nothing could wait). */
  get rateLimited(): boolean {
    return (this.limits.maxConnectionCreationRate ?? INT_MAX) < INT_MAX ||
      (this.limits.maxListenerConnectionCreationRate ?? INT_MAX) < INT_MAX;
  }

  /** Connections open on this processor's listener. */
  get listenerTotal(): number {
    return this.listenerCount >= 0 ? Atomics.load(this.ints, this.listenerCount) : 0;
  }

  get total(): number {
    return Atomics.load(this.ints, TOTAL);
  }

  countFor(ip: string): number {
    const slot = this.slotFor(ip);
    return slot >= 0 ? Atomics.load(this.ints, slot + 1) : 0;
  }

  /** Index of the key int of ip's slot, claiming one if needed; -1 if full. */
  private slotFor(ip: string): number {
    const key = hashAddress(ip);
    let index = key & (TABLE_SLOTS - 1);
    for (let probe = 0; probe < TABLE_SLOTS; probe++) {
      const at = HEADER_INTS + index * 2;
      const seen = Atomics.compareExchange(this.ints, at, 0, key);
      if (seen === 0 || seen === key) return at;
      index = (index + 1) & (TABLE_SLOTS - 1);
    }
    return -1;
  }
}

/** FNV-1a over the address text, never 0 (0 marks an empty slot). */
function hashAddress(ip: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) {
    h ^= ip.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h === 0 ? 1 : h;
}
