/**
 * The request memory pool (`queued.max.request.bytes`), shared by all
 * processors through a SharedArrayBuffer.
 *
 * A processor reserves a request's size when it reads the 4-byte length, and
 * the handler releases it once the request is handled, so the bytes of every
 * request that is being read, queued or handled are counted. Like Kafka's
 * non-strict SimpleMemoryPool, a reservation succeeds while any memory is
 * available, even if it overdraws: a request larger than the whole pool can
 * never deadlock, and the overdraft is bounded by one request per processor.
 * When nothing is available the processor stops reading from its sockets.
 */
const AVAILABLE = 0;
const CAPACITY = 1;

export function createMemoryPoolBuffer(capacityBytes: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(16);
  const cells = new BigInt64Array(buffer);
  const capacity = capacityBytes < 0 ? BigInt(Number.MAX_SAFE_INTEGER) : BigInt(capacityBytes);
  cells[AVAILABLE] = capacity;
  cells[CAPACITY] = capacity;
  return buffer;
}

export class MemoryPool {
  private readonly cells: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.cells = new BigInt64Array(buffer);
  }

  /** Reserve `bytes`; false (and nothing reserved) when the pool is empty. */
  tryReserve(bytes: number): boolean {
    const amount = BigInt(bytes);
    for (;;) {
      const available = Atomics.load(this.cells, AVAILABLE);
      if (available <= 0n) return false;
      if (Atomics.compareExchange(this.cells, AVAILABLE, available, available - amount) === available) {
        return true;
      }
    }
  }

  /** Reserve `bytes` even if that overdraws: for bytes that are already in memory and must be counted. */
  reserve(bytes: number): void {
    Atomics.sub(this.cells, AVAILABLE, BigInt(bytes));
  }

  release(bytes: number): void {
    Atomics.add(this.cells, AVAILABLE, BigInt(bytes));
  }

  get available(): number {
    return Number(Atomics.load(this.cells, AVAILABLE));
  }

  get capacity(): number {
    return Number(this.cells[CAPACITY]);
  }

  get used(): number {
    return this.capacity - this.available;
  }
}
