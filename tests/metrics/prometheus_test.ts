/**
 * /metrics' text: every family announced by HELP and TYPE before its samples,
 * per-processor samples labelled by processor, and per-API request counts and
 * a cumulative latency histogram for the APIs that were called.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createMetricsBuffer, MetricsReader, P, ProcessorMetrics } from "../../src/metrics/layout.ts";
import { type MetricsSources, renderPrometheus } from "../../src/metrics/prometheus.ts";

function sources(processors: number, fill: (metrics: ProcessorMetrics[]) => void): MetricsSources {
  const buffer = createMetricsBuffer(processors);
  fill(Array.from({ length: processors }, (_, i) => new ProcessorMetrics(buffer, i)));
  return {
    reader: new MetricsReader(buffer, processors),
    processorNames: Array.from({ length: processors }, (_, i) => `p${i}`),
    handlerCount: 3,
    poolAvailable: 100,
    poolUsed: 7,
    requestQueueSize: 2,
    connections: 9,
  };
}

/** Sample lines by name and labels ("name{labels}" → value text). */
function samples(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    map.set(line.slice(0, at), line.slice(at + 1));
  }
  return map;
}

describe("renderPrometheus", () => {
  test("each family has one HELP and one TYPE, before its samples", () => {
    const text = renderPrometheus(sources(2, ([a]) => a.recordRequest(0, 3, 0)));
    assert.ok(text.endsWith("\n"));
    const announced = new Map<string, string>();
    let current = "";
    for (const line of text.trimEnd().split("\n")) {
      const help = line.match(/^# HELP (\S+) /);
      const type = line.match(/^# TYPE (\S+) (gauge|counter|histogram)$/);
      if (help) {
        assert.ok(!announced.has(help[1]), `${help[1]} announced twice`);
        current = help[1];
      } else if (type) {
        assert.equal(type[1], current, "TYPE follows its HELP");
        announced.set(type[1], type[2]);
      } else {
        const name = line.match(/^([a-z_]+)[{ ]/)![1];
        const family = announced.get(current) === "histogram" ? name.replace(/_(bucket|sum|count)$/, "") : name;
        assert.equal(family, current, `sample ${line} under its own family`);
      }
    }
    assert.equal(announced.get("kafka_network_bytes_in_total"), "counter");
    assert.equal(announced.get("kafka_network_request_total_time_ms"), "histogram");
  });

  test("broker gauges and per-processor samples carry their values", () => {
    const text = renderPrometheus(sources(2, ([a, b]) => {
      a.set(P.idleRatio, 0.25);
      b.set(P.idleRatio, 0.5);
      a.add(P.bytesIn, 10);
      b.add(P.bytesIn, 32);
      b.set(P.connections, 4);
    }));
    const s = samples(text);
    assert.equal(s.get("kafka_network_processor_avg_idle_percent"), "0.375000");
    assert.equal(s.get("kafka_network_memory_pool_available_bytes"), "100");
    assert.equal(s.get("kafka_network_request_queue_size"), "2");
    assert.equal(s.get("tsbroker_network_threads"), "2");
    assert.equal(s.get("tsbroker_io_threads"), "3");
    assert.equal(s.get('kafka_network_processor_idle_ratio{processor="p1"}'), "0.500000");
    assert.equal(s.get('kafka_network_bytes_in_total{processor="p0"}'), "10");
    assert.equal(s.get('kafka_network_bytes_in_total{processor="p1"}'), "32");
    assert.equal(s.get('kafka_network_processor_connections{processor="p1"}'), "4");
  });

  test("no processors: fully idle, and no per-processor samples", () => {
    const s = samples(renderPrometheus(sources(0, () => {})));
    assert.equal(s.get("kafka_network_processor_avg_idle_percent"), "1");
    assert.ok(![...s.keys()].some((k) => k.includes("processor=")));
  });

  test("per API: counts summed over processors, cumulative buckets, uncalled APIs left out", () => {
    const text = renderPrometheus(sources(2, ([a, b]) => {
      a.recordRequest(0, 0.05, 0);
      a.recordRequest(0, 3, 1);
      b.recordRequest(0, 20_000, 0);
      b.recordRequest(3, 7.5, 1);
    }));
    const s = samples(text);
    const produce = 'request="Produce"';
    assert.equal(s.get(`kafka_network_requests_total{${produce}}`), "3");
    assert.equal(s.get(`kafka_network_request_errors_total{${produce}}`), "1");
    assert.equal(s.get(`kafka_network_request_total_time_ms_bucket{${produce},le="0.1"}`), "1");
    assert.equal(s.get(`kafka_network_request_total_time_ms_bucket{${produce},le="2.5"}`), "1");
    assert.equal(s.get(`kafka_network_request_total_time_ms_bucket{${produce},le="5"}`), "2");
    assert.equal(s.get(`kafka_network_request_total_time_ms_bucket{${produce},le="10000"}`), "2");
    assert.equal(s.get(`kafka_network_request_total_time_ms_bucket{${produce},le="+Inf"}`), "3");
    assert.equal(s.get(`kafka_network_request_total_time_ms_sum{${produce}}`), "20003.050000");
    assert.equal(s.get(`kafka_network_request_total_time_ms_count{${produce}}`), "3");
    assert.equal(s.get('kafka_network_requests_total{request="Metadata"}'), "1");
    assert.ok(!text.includes('request="Fetch"'), "an API never called has no samples");
  });
});
