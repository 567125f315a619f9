/**
 * The console's logic without a broker: the throughput sampler's rates from
 * the processors' byte counters, the record browser's renderings, and the
 * checks on the body of a topic creation.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { createMetricsBuffer, MetricsReader, P, ProcessorMetrics } from "../../src/metrics/layout.ts";
import { ThroughputSampler } from "../../src/supervisor/console/throughput.ts";
import { render } from "../../src/supervisor/console/records.ts";
import { parseTopicSpec } from "../../src/supervisor/console/api.ts";
import { HttpError } from "../../src/supervisor/console/http_error.ts";

test("the sampler turns every processor's byte counters into rates per second and keeps the last N", () => {
  const buffer = createMetricsBuffer(2);
  const [p0, p1] = [new ProcessorMetrics(buffer, 0), new ProcessorMetrics(buffer, 1)];
  let now = 1_000_000;
  const sampler = new ThroughputSampler(new MetricsReader(buffer, 2), 2, 3, () => now);
  for (let i = 1; i <= 4; i++) {
    p0.add(P.bytesIn, 1000 * i);
    p1.add(P.bytesIn, 1000 * i);
    p1.add(P.bytesOut, 500);
    now += 2000;
    sampler.sample();
  }
  const snap = sampler.snapshot();
  assert.deepEqual(snap.samples.map((s) => [s.at, s.bytesInPerSec, s.bytesOutPerSec]), [
    [1_004_000, 2000, 250],
    [1_006_000, 3000, 250],
    [1_008_000, 4000, 250],
  ]);
  assert.deepEqual([snap.bytesInTotal, snap.bytesOutTotal], [20_000, 2000]);
  sampler.sample(); // no time passed: no sample, no division by zero
  assert.equal(sampler.snapshot().samples.length, 3);
});

test("records render as text, pretty JSON (text when not JSON) and hex; null stays null", () => {
  const bytes = new TextEncoder().encode('{"a":[1,2]}');
  assert.equal(render(bytes, "text"), '{"a":[1,2]}');
  assert.equal(render(bytes, "json"), '{\n  "a": [\n    1,\n    2\n  ]\n}');
  assert.equal(render(new TextEncoder().encode("plain"), "json"), "plain");
  assert.equal(render(new Uint8Array([0, 15, 255]), "hex"), "00 0f ff");
  assert.equal(render(new Uint8Array([0xff, 0x41]), "text"), "\ufffdA");
  assert.equal(render(null, "hex"), null);
});

test("a topic creation body needs a name; partitions and replication factor are positive or -1", () => {
  assert.deepEqual(parseTopicSpec('{"name":"t"}'), { name: "t", partitions: -1, replicationFactor: -1, configs: {} });
  assert.deepEqual(parseTopicSpec('{"name":"t","partitions":3,"configs":{"retention.ms":"1000"}}'), {
    name: "t",
    partitions: 3,
    replicationFactor: -1,
    configs: { "retention.ms": "1000" },
  });
  for (
    const body of [
      "not json",
      "[]",
      "null",
      '{"name":""}',
      '{"name":"t","partitions":0}',
      '{"name":"t","partitions":-2}',
      '{"name":"t","partitions":1.5}',
      '{"name":"t","replicationFactor":"3"}',
      '{"name":"t","configs":{"a":1}}',
    ]
  ) {
    assert.throws(() => parseTopicSpec(body), (e: unknown) => e instanceof HttpError && e.status === 400, body);
  }
});
