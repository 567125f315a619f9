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

export function renderPrometheus(s: MetricsSources): string {
  const out: string[] = [];
  const gauge = (name: string, help: string, value: number, labels = "") => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}${labels} ${fmt(value)}`);
  };
  const perProcessor = (name: string, type: string, help: string, cell: number) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    s.processorNames.forEach((p, i) => out.push(`${name}{processor="${p}"} ${fmt(s.reader.processorCell(i, cell))}`));
  };

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
  perProcessor(
    "kafka_network_processor_idle_ratio",
    "gauge",
    "Idle fraction of one processor over the last second",
    P.idleRatio,
  );
  perProcessor("kafka_network_processor_connections", "gauge", "Open connections per processor", P.connections);
  perProcessor("kafka_network_bytes_in_total", "counter", "Bytes read from clients", P.bytesIn);
  perProcessor("kafka_network_bytes_out_total", "counter", "Bytes written to clients", P.bytesOut);
  perProcessor("kafka_network_connections_accepted_total", "counter", "Connections accepted", P.connectionsAccepted);
  perProcessor(
    "kafka_network_connections_rejected_total",
    "counter",
    "Connections refused by max.connections or max.connections.per.ip",
    P.connectionsRejected,
  );
  perProcessor(
    "kafka_network_connections_closed_idle_total",
    "counter",
    "Connections closed after connections.max.idle.ms",
    P.connectionsClosedIdle,
  );
  perProcessor(
    "kafka_network_connections_closed_bad_input_total",
    "counter",
    "Connections closed for malformed, oversize or unsupported requests",
    P.connectionsClosedBadInput,
  );
  perProcessor(
    "kafka_network_memory_pool_blocked_total",
    "counter",
    "Times a processor stopped reading because the memory pool was empty",
    P.memoryBlockedEvents,
  );
  perProcessor(
    "tsbroker_network_connections_closed_slow_total",
    "counter",
    "Connections closed for an incomplete request past tsbroker.request.read.timeout.ms or unsent output stalled past tsbroker.connections.max.write.stall.ms",
    P.connectionsClosedSlow,
  );
  perProcessor(
    "tsbroker_network_unsent_budget_blocked_total",
    "counter",
    "Fetches held back because tsbroker.queued.max.response.bytes was spent",
    P.unsentBlockedEvents,
  );
  perProcessor(
    "tsbroker_network_accept_errors_total",
    "counter",
    "Failed accepts (e.g. at the open-files limit), each followed by a back-off",
    P.acceptErrors,
  );

  const requests: string[] = [];
  const errors: string[] = [];
  const histogram: string[] = [];
  for (let key = 0; key <= MAX_API_KEY; key++) {
    const stats = s.reader.api(key);
    if (stats.count === 0) continue;
    const api = `request="${API_KEY_NAMES[key] ?? `Key${key}`}"`;
    requests.push(`kafka_network_requests_total{${api}} ${fmt(stats.count)}`);
    errors.push(`kafka_network_request_errors_total{${api}} ${fmt(stats.errors)}`);
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
  out.push(
    "# HELP kafka_network_requests_total Requests answered, per API",
    "# TYPE kafka_network_requests_total counter",
    ...requests,
  );
  out.push(
    "# HELP kafka_network_request_errors_total Requests that failed or answered with a top-level error, per API",
    "# TYPE kafka_network_request_errors_total counter",
    ...errors,
  );
  out.push(
    "# HELP kafka_network_request_total_time_ms Time from a request's last byte read to its response queued for sending",
    "# TYPE kafka_network_request_total_time_ms histogram",
    ...histogram,
  );
  return out.join("\n") + "\n";
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(6);
}
