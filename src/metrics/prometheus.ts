/**
 * Renders the shared metrics as Prometheus text exposition format (0.0.4).
 * Names follow Kafka's where Kafka has one (NetworkProcessorAvgIdlePercent,
 * MemoryPoolAvailable, MemoryPoolUsed, RequestQueueSize), in Prometheus'
 * snake case with a `kafka_network_` / `tsbroker_` prefix.
 */
import { API_KEY_NAMES } from "../protocol/api_keys.ts";
import { LATENCY_BUCKETS_MS, MAX_API_KEY, MetricsReader, P } from "./layout.ts";

export interface MetricsSources {
  reader: MetricsReader;
  processorNames: string[];
  handlerCount: number;
  poolAvailable: number;
  poolUsed: number;
  requestQueueSize: number;
  connections: number;
}

/** Per-processor metrics, one sample per processor: name, Prometheus type, help text, the processor's cell. */
const PER_PROCESSOR: ReadonlyArray<readonly [name: string, type: "gauge" | "counter", help: string, cell: number]> = [
  ["kafka_network_processor_idle_ratio", "gauge", "Idle fraction of one processor over the last second", P.idleRatio],
  ["kafka_network_processor_connections", "gauge", "Open connections per processor", P.connections],
  ["kafka_network_bytes_in_total", "counter", "Bytes read from clients", P.bytesIn],
  ["kafka_network_bytes_out_total", "counter", "Bytes written to clients", P.bytesOut],
  ["kafka_network_connections_accepted_total", "counter", "Connections accepted", P.connectionsAccepted],
  [
    "kafka_network_connections_rejected_total",
    "counter",
    "Connections refused by max.connections or max.connections.per.ip",
    P.connectionsRejected,
  ],
  [
    "kafka_network_connections_closed_idle_total",
    "counter",
    "Connections closed after connections.max.idle.ms",
    P.connectionsClosedIdle,
  ],
  [
    "kafka_network_connections_closed_bad_input_total",
    "counter",
    "Connections closed for malformed, oversize or unsupported requests",
    P.connectionsClosedBadInput,
  ],
  [
    "kafka_network_memory_pool_blocked_total",
    "counter",
    "Times a processor stopped reading because the memory pool was empty",
    P.memoryBlockedEvents,
  ],
  [
    "tsbroker_network_connections_closed_slow_total",
    "counter",
    "Connections closed for an incomplete request past tsbroker.request.read.timeout.ms or unsent output stalled past tsbroker.connections.max.write.stall.ms",
    P.connectionsClosedSlow,
  ],
  [
    "tsbroker_network_unsent_budget_blocked_total",
    "counter",
    "Fetches held back because tsbroker.queued.max.response.bytes was spent",
    P.unsentBlockedEvents,
  ],
  [
    "tsbroker_network_accept_errors_total",
    "counter",
    "Failed accepts (e.g. at the open-files limit), each followed by a back-off",
    P.acceptErrors,
  ],
];

export function renderPrometheus(s: MetricsSources): string {
  const out: string[] = [];
  renderBrokerGauges(out, s);
  for (const [name, type, help, cell] of PER_PROCESSOR) {
    const samples = s.processorNames.map((p, i) => `${name}{processor="${p}"} ${fmt(s.reader.processorCell(i, cell))}`);
    family(out, name, type, help, samples);
  }
  renderPerApi(out, s.reader);
  return out.join("\n") + "\n";
}

/** One metric family: its HELP and TYPE lines, then its samples. */
function family(out: string[], name: string, type: string, help: string, samples: string[]): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
}

/** The broker-wide gauges, one sample each. */
function renderBrokerGauges(out: string[], s: MetricsSources): void {
  const gauge = (name: string, help: string, value: number) =>
    family(out, name, "gauge", help, [`${name} ${fmt(value)}`]);
  let idle = 0;
  for (let i = 0; i < s.processorNames.length; i++) idle += s.reader.processorCell(i, P.idleRatio);
  gauge(
    "kafka_network_processor_avg_idle_percent",
    "NetworkProcessorAvgIdlePercent: mean idle fraction of the processors (0..1)",
    s.processorNames.length ? idle / s.processorNames.length : 1,
  );
  gauge(
    "kafka_network_memory_pool_available_bytes",
    "MemoryPoolAvailable: request memory pool bytes available",
    s.poolAvailable,
  );
  gauge("kafka_network_memory_pool_used_bytes", "MemoryPoolUsed: request memory pool bytes in use", s.poolUsed);
  gauge("kafka_network_request_queue_size", "RequestQueueSize: requests waiting for a handler", s.requestQueueSize);
  gauge("kafka_server_connections", "Open client connections across all processors", s.connections);
  gauge("tsbroker_network_threads", "Processor Workers (num.network.threads per listener)", s.processorNames.length);
  gauge("tsbroker_io_threads", "Handler Workers (num.io.threads)", s.handlerCount);
}

/** Request count, error count and latency histogram per API; APIs never called are left out. */
function renderPerApi(out: string[], reader: MetricsReader): void {
  const requests: string[] = [];
  const errors: string[] = [];
  const histogram: string[] = [];
  for (let key = 0; key <= MAX_API_KEY; key++) {
    const stats = reader.api(key);
    if (stats.count === 0) continue;
    const api = `request="${API_KEY_NAMES[key] ?? `Key${key}`}"`;
    requests.push(`kafka_network_requests_total{${api}} ${fmt(stats.count)}`);
    errors.push(`kafka_network_request_errors_total{${api}} ${fmt(stats.errors)}`);
    // Prometheus buckets are cumulative; the buffer keeps one count per bucket.
    let cumulative = 0;
    LATENCY_BUCKETS_MS.forEach((le, b) => {
      cumulative += stats.buckets[b];
      histogram.push(`kafka_network_request_total_time_ms_bucket{${api},le="${le}"} ${fmt(cumulative)}`);
    });
    cumulative += stats.buckets[LATENCY_BUCKETS_MS.length];
    histogram.push(`kafka_network_request_total_time_ms_bucket{${api},le="+Inf"} ${fmt(cumulative)}`);
    histogram.push(`kafka_network_request_total_time_ms_sum{${api}} ${fmt(stats.sumMs)}`);
    histogram.push(`kafka_network_request_total_time_ms_count{${api}} ${fmt(stats.count)}`);
  }
  family(out, "kafka_network_requests_total", "counter", "Requests answered, per API", requests);
  family(
    out,
    "kafka_network_request_errors_total",
    "counter",
    "Requests that failed or answered with a top-level error, per API",
    errors,
  );
  family(
    out,
    "kafka_network_request_total_time_ms",
    "histogram",
    "Time from a request's last byte read to its response queued for sending",
    histogram,
  );
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(6);
}
