/**
 * Connection quotas counted across every processor Worker.
 *
 * Kafka's Acceptor counts connections in one thread. Here each processor
 * accepts on its own SO_REUSEPORT listener, so the counts live in a
 * SharedArrayBuffer: one broker-wide total and an open-addressing table of
 * per-IP counts keyed by a 32-bit hash of the address. Slots are claimed with
 * compare-and-swap and never freed (a count simply returns to zero), so the
 * table tracks up to TABLE_SLOTS distinct addresses; past that, new addresses
 * are only subject to the broker-wide limit (logged once by the caller).
 */
const TABLE_SLOTS = 1 << 16;
const TOTAL = 0;
const HEADER_INTS = 2;

export interface QuotaLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Per-address overrides of maxConnectionsPerIp. */
  perIpOverrides: Map<string, number>;
}

export type QuotaVerdict = "ok" | "max.connections" | "max.connections.per.ip";

export function createQuotaBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer((HEADER_INTS + TABLE_SLOTS * 2) * 4);
}

export class ConnectionQuotas {
  private readonly ints: Int32Array;

  constructor(buffer: SharedArrayBuffer, private readonly limits: QuotaLimits) {
    this.ints = new Int32Array(buffer);
  }

  /** Count a new connection from `ip`, or say which limit refuses it. */
  tryAcquire(ip: string): QuotaVerdict {
    const total = Atomics.add(this.ints, TOTAL, 1) + 1;
    if (total > this.limits.maxConnections) {
      Atomics.sub(this.ints, TOTAL, 1);
      return "max.connections";
    }
    const slot = this.slotFor(ip);
    if (slot >= 0) {
      const limit = this.limits.perIpOverrides.get(ip) ?? this.limits.maxConnectionsPerIp;
      const count = Atomics.add(this.ints, slot + 1, 1) + 1;
      if (count > limit) {
        Atomics.sub(this.ints, slot + 1, 1);
        Atomics.sub(this.ints, TOTAL, 1);
        return "max.connections.per.ip";
      }
    }
    return "ok";
  }

  release(ip: string): void {
    Atomics.sub(this.ints, TOTAL, 1);
    const slot = this.slotFor(ip);
    if (slot >= 0) Atomics.sub(this.ints, slot + 1, 1);
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
