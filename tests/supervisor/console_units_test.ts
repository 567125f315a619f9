/**
 * The console's logic without a broker: the throughput sampler's rates from
 * the processors' byte counters, the record browser's renderings, and the
 * checks on the body of a topic creation, and which Host and Origin headers
 * the console answers.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { createMetricsBuffer, MetricsReader, P, ProcessorMetrics } from "../../src/metrics/layout.ts";
import { ThroughputSampler } from "../../src/supervisor/console/throughput.ts";
import { render } from "../../src/supervisor/console/records.ts";
import { parseTopicSpec } from "../../src/supervisor/console/api.ts";
import { HttpError } from "../../src/supervisor/console/http_error.ts";
import { HostGuard, splitHost } from "../../src/supervisor/console/guard.ts";

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

/** A request as the HTTP server hands it to the console. */
function req(method: string, headers: Record<string, string>) {
  const h = new Headers(headers);
  return { method, query: "", body: "", contentType: "", headers: h };
}

test("Host names: the listener's address and loopback names with its port, or an allowed host", () => {
  assert.deepEqual(splitHost("[::1]:9464"), { name: "[::1]", port: 9464 });
  assert.deepEqual(splitHost("Example.COM"), { name: "example.com", port: null });
  for (const bad of ["", "a b", "user@host", "host:port", "http://x"]) assert.equal(splitHost(bad), null, bad);

  const guard = new HostGuard("10.0.0.5", ["console.example.com", "proxy.local:8080"], 0);
  guard.bound(9464);
  for (const ok of ["127.0.0.1:9464", "localhost:9464", "[::1]:9464", "10.0.0.5:9464", "LOCALHOST:9464"]) {
    assert.ok(guard.allows(ok), ok);
  }
  for (const ok of ["console.example.com", "console.example.com:1234", "proxy.local:8080"]) {
    assert.ok(guard.allows(ok), ok);
  }
  for (
    const bad of ["evil.com:9464", "127.0.0.1:9465", "localhost", "10.0.0.6:9464", "proxy.local:8081", "proxy.local"]
  ) {
    assert.ok(!guard.allows(bad), bad);
  }
  // A wildcard listener address adds no name of its own; "*" allows every host.
  assert.ok(!new HostGuard("0.0.0.0", [], 9464).allows("0.0.0.0:9464"));
  assert.ok(new HostGuard("0.0.0.0", ["*"], 9464).allows("anything:1"));
});

test("the guard refuses a foreign Host with 403 naming the key, and changes without an allowed Origin", () => {
  const guard = new HostGuard("127.0.0.1", [], 9464);
  const own = { host: "127.0.0.1:9464" };
  assert.equal(guard.check(req("GET", own)), null);
  const rebound = guard.check(req("GET", { host: "attacker.example:9464" }));
  assert.equal(rebound?.status, 403);
  assert.match(JSON.parse(rebound!.body).error, /tsbroker\.console\.allowed\.hosts/);
  assert.equal(guard.check(req("GET", {}))?.status, 403, "no Host at all");

  for (const method of ["POST", "DELETE", "PUT"]) {
    assert.equal(guard.check(req(method, own))?.status, 403, `${method} without Origin`);
    assert.equal(guard.check(req(method, { ...own, origin: "http://127.0.0.1:9464" })), null, method);
    assert.equal(guard.check(req(method, { ...own, origin: "http://evil.example" }))?.status, 403);
    assert.equal(guard.check(req(method, { ...own, origin: "null" }))?.status, 403);
  }
  assert.equal(guard.check(req("POST", { ...own, referer: "http://localhost:9464/console/#/topics" })), null);
  assert.equal(guard.check(req("POST", { ...own, referer: "http://localhost:1/console/" }))?.status, 403);
  const behindProxy = new HostGuard("127.0.0.1", ["console.example.com"], 9464);
  const https = { host: "console.example.com", origin: "https://console.example.com" };
  assert.equal(behindProxy.check(req("DELETE", https)), null);
});
