/**
 * `tsbroker cluster info` and `tsbroker perf produce|consume` against a broker process: what they print for
 * people and for scripts, and perf consume's failure when fewer records arrive than asked for.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

describe("tsbroker cluster and perf", DENO_ONLY, () => {
  let broker: BrokerProcess;
  const b = () => ["-b", broker.bootstrap];

  before(async () => {
    broker = await startBroker("deno");
  });
  after(async () => {
    await broker?.stop();
  });

  test("cluster info: id, controller, brokers with their addresses, API versions", async () => {
    let run = await tsbroker(["cluster", "info", ...b()]);
    expectCode(run, 0, "cluster info");
    assert.match(run.stdout, /^cluster id: [\w-]{22}$/m);
    assert.match(run.stdout, /^controller: 1$/m);
    assert.match(run.stdout, new RegExp(`^1\\s+127\\.0\\.0\\.1\\s+${broker.port}\\s+-$`, "m"));
    assert.match(run.stdout, /^0\s+Produce\s+\d+\s+\d+$/m);
    assert.match(run.stdout, /^18\s+ApiVersions\s+0\s+\d+$/m);

    run = await tsbroker(["cluster", "--format", "json", ...b()]);
    expectCode(run, 0, "cluster (info by default) json");
    const info = JSON.parse(run.stdout);
    assert.deepEqual(info.brokers, [{ nodeId: 1, host: "127.0.0.1", port: broker.port, rack: null }]);
    assert.ok(info.apiVersions.some((a: { name: string }) => a.name === "Fetch"));
  });

  test("perf produce then perf consume: counts, rates and latency percentiles", async () => {
    expectCode(await tsbroker(["topic", "create", "bench", "-p", "2", ...b()]), 0, "create");
    let run = await tsbroker(["perf", "produce", "bench", "--records", "3000", "--size", "200", ...b()]);
    expectCode(run, 0, "perf produce");
    assert.match(
      run.stdout,
      /^3000 records sent in [\d.]+ s, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, [\d.]+ ms 50th, [\d.]+ ms 95th, [\d.]+ ms 99th, [\d.]+ ms 99\.9th\.$/m,
    );

    run = await tsbroker([
      "perf",
      "produce",
      "bench",
      "--records",
      "100",
      "--size",
      "10",
      "--rate",
      "200",
      "--format",
      "json",
      ...b(),
    ]);
    expectCode(run, 0, "perf produce --rate");
    const produced = JSON.parse(run.stdout);
    assert.equal(produced.records, 100);
    assert.ok(produced.seconds >= 0.45, `100 records at 200/s took ${produced.seconds} s`);
    assert.ok(
      produced.p50Ms <= produced.p99Ms && produced.p99Ms <= produced.p999Ms && produced.p999Ms <= produced.maxMs,
    );

    run = await tsbroker(["perf", "consume", "bench", "--records", "3100", "--format", "json", ...b()]);
    expectCode(run, 0, "perf consume");
    const consumed = JSON.parse(run.stdout);
    assert.equal(consumed.records, 3100);
    assert.equal(consumed.bytes, 3000 * 200 + 100 * 10);
    assert.ok(consumed.recordsPerSec > 0 && consumed.mbPerSec > 0);

    run = await tsbroker(["perf", "consume", "bench", "--records", "5000", "--idle-ms", "1000", ...b()]);
    expectCode(run, 1, "perf consume past the end");
    assert.match(run.stdout, /^3100 records read/m);
    assert.match(run.stderr, /read only 3100 of 5000 records: none arrived for 1000 ms/);

    run = await tsbroker(["perf", "produce", "bench", "--records", "10", ...b()]);
    expectCode(run, 2, "perf produce without --size");
  });
});
