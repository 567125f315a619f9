/**
 * Where each metric lives in the shared metrics buffer.
 *
 * Every processor Worker owns one region of a SharedArrayBuffer (Float64
 * cells) and is its only writer, so no atomics are needed; the supervisor
 * reads all regions to serve /metrics. Per API key a region holds a request
 * count, an error count, a latency sum and a cumulative-style histogram.
 */
export const MAX_API_KEY = 127;

/** Upper bounds (ms) of the request latency histogram buckets; +Inf is implied. */
export const LATENCY_BUCKETS_MS = [
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
] as const;

/** Per-processor gauges and counters, at the start of its region. */
export const P = {
  connections: 0,
  idleRatio: 1,
  bytesIn: 2,
  bytesOut: 3,
  connectionsAccepted: 4,
  connectionsRejected: 5,
  connectionsClosedIdle: 6,
  connectionsClosedBadInput: 7,
  memoryBlockedEvents: 8,
  connectionsClosedSlow: 9,
  unsentBlockedEvents: 10,
  acceptErrors: 11,
} as const;
const PROCESSOR_CELLS = 16;

const API_COUNT = 0;
const API_ERRORS = 1;
const API_SUM_MS = 2;
const API_BUCKETS = 3;
const API_CELLS = API_BUCKETS + LATENCY_BUCKETS_MS.length + 1;

const REGION_CELLS = PROCESSOR_CELLS + (MAX_API_KEY + 1) * API_CELLS;

export function createMetricsBuffer(processors: number): SharedArrayBuffer {
  return new SharedArrayBuffer(processors * REGION_CELLS * 8);
}

/** The writer's view of one processor's region. */
export class ProcessorMetrics {
  readonly cells: Float64Array;

  constructor(buffer: SharedArrayBuffer, processorIndex: number) {
    this.cells = new Float64Array(buffer, processorIndex * REGION_CELLS * 8, REGION_CELLS);
  }

  add(cell: number, amount = 1): void {
    this.cells[cell] += amount;
  }

  set(cell: number, value: number): void {
    this.cells[cell] = value;
  }

  recordRequest(apiKey: number, latencyMs: number, error: number): void {
    const base = PROCESSOR_CELLS + apiKey * API_CELLS;
    const c = this.cells;
    c[base + API_COUNT]++;
    c[base + API_ERRORS] += error;
    c[base + API_SUM_MS] += latencyMs;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_MS.length && latencyMs > LATENCY_BUCKETS_MS[bucket]) bucket++;
    c[base + API_BUCKETS + bucket]++;
  }
}

export interface ApiStats {
  count: number;
  errors: number;
  sumMs: number;
  /** Non-cumulative counts per bucket, the last one being +Inf. */
  buckets: number[];
}

/** The reader's view: sums across all processor regions. */
export class MetricsReader {
  private readonly all: Float64Array;

  constructor(buffer: SharedArrayBuffer, readonly processors: number) {
    this.all = new Float64Array(buffer);
  }

  processorCell(processorIndex: number, cell: number): number {
    return this.all[processorIndex * REGION_CELLS + cell];
  }

  sumCell(cell: number): number {
    let total = 0;
    for (let p = 0; p < this.processors; p++) total += this.processorCell(p, cell);
    return total;
  }

  api(apiKey: number): ApiStats {
    const stats: ApiStats = {
      count: 0,
      errors: 0,
      sumMs: 0,
      buckets: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0),
    };
    for (let p = 0; p < this.processors; p++) {
      const base = p * REGION_CELLS + PROCESSOR_CELLS + apiKey * API_CELLS;
      stats.count += this.all[base + API_COUNT];
      stats.errors += this.all[base + API_ERRORS];
      stats.sumMs += this.all[base + API_SUM_MS];
      for (let b = 0; b <= LATENCY_BUCKETS_MS.length; b++) stats.buckets[b] += this.all[base + API_BUCKETS + b];
    }
    return stats;
  }
}
