/**
 * Issue 17, the network cases, against a real broker under Deno and Bun:
 * - case 2: far more connections than the open-files limit allows (broker
 *   started with a soft limit of 512): refused at max.connections (derived
 *   from the limit), nothing crashes, /metrics and an open client keep working;
 * - case 4: three connections promise 100 MiB requests and 500 promise 1 MiB
 *   and trickle: another client keeps being served, the slow ones are closed;
 * - case 8: 40 clients fetch ~55 MiB each and never read: RSS stays bounded,
 *   a reading consumer keeps being served, the stalled ones are dropped;
 * - case 10: 10,000 malformed frames write a bounded number of log lines.
 * Each measures the longest stall of a well-behaved client and asserts a
 * generous bound; the old code failed each (see the report of issue 17).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as fs from "node:fs";
import { type BrokerProcess, type Flavour, httpGet, metric, startBroker } from "./_broker.ts";
import { apiVersionsRequest, parseApiVersionsV0, requestFrame, WireClient } from "./_wire.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import {
  defaultFetchPartition,
  defaultFetchRequest,
  defaultFetchTopic,
  encodeFetchRequest,
} from "../../src/protocol/generated/fetch.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import {
  defaultMetadataRequest,
  defaultMetadataRequestTopic,
  encodeMetadataRequest,
} from "../../src/protocol/generated/metadata.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client that sends ApiVersions every 100 ms while `running()`; resolves to its longest round trip (ms). */
async function probe(client: WireClient, running: () => boolean): Promise<number> {
  let worst = 0;
  let id = 1000;
  while (running()) {
    const start = performance.now();
    client.write(apiVersionsRequest(++id));
    const frame = await client.readFrame(30_000).catch(() => null);
    assert.ok(frame, "the probe client was not answered within 30 s");
    assert.equal(parseApiVersionsV0(frame).correlationId, id);
    worst = Math.max(worst, performance.now() - start);
    await sleep(100);
  }
  return worst;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

function rawConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
}

function sizePrefix(size: number, body = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(4 + body.byteLength);
  new DataView(b.buffer).setInt32(0, size);
  b.set(body, 4);
  return b;
}

function fetchFrame(correlationId: number, topic: string, maxBytes: number): Uint8Array {
  const body = {
    ...defaultFetchRequest(),
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes,
    topics: [{
      ...defaultFetchTopic(),
      topic,
      partitions: [{ ...defaultFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: maxBytes }],
    }],
  };
  return requestFrame(1, 12, correlationId, "hardening", body, encodeFetchRequest);
}

/** Produce `count` batches of one ~1,000,000-byte record to partition 0 of `topic` (auto-created). */
async function fill(broker: BrokerProcess, topic: string, count: number): Promise<void> {
  const client = await WireClient.connect(broker.port);
  // Metadata for an unknown topic creates it (auto.create.topics.enable).
  const create = { ...defaultMetadataRequest(), topics: [{ ...defaultMetadataRequestTopic(), name: topic }] };
  client.write(requestFrame(3, 9, 0, "hardening", create, encodeMetadataRequest));
  assert.ok(await client.readFrame());
  const value = new Uint8Array(1_000_000).fill(120);
  let retries = 0;
  for (let i = 0; i < count; i++) {
    const body = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch([{ key: null, value }]) }] }],
    };
    client.write(requestFrame(0, 9, i + 1, "hardening", body, encodeProduceRequest));
    const frame = await client.readFrame(30_000);
    assert.ok(frame);
    const r = new Reader(frame);
    decodeResponseHeader(r, 1);
    const answer = decodeProduceResponse(r, 9).responses[0].partitionResponses[0];
    // The first produce may race the topic's creation; retry it a few times.
    if (answer.errorCode !== 0) {
      assert.ok(++retries < 5, `produce failed with error ${answer.errorCode}`);
      await sleep(300);
      i--;
    }
  }
  client.destroy();
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  test(`${flavour}: case 2: connections far past the open-files limit are refused, and nothing crashes`, async () => {
    // Both runtimes raise their soft limit to the hard one: lower both.
    const broker = await startBroker(flavour, { launcher: ["prlimit", "--nofile=512:512", "--"] });
    const sockets: net.Socket[] = [];
    try {
      assert.ok(broker.output.some((l) => l.includes("max.connections=128 (derived")), broker.output.join("\n"));
      const probeClient = await WireClient.connect(broker.port);
      let flooding = true;
      const worst = probe(probeClient, () => flooding);
      let refused = 0;
      for (let i = 0; i < 1500; i++) {
        const s = net.connect({ port: broker.port, host: "127.0.0.1" });
        s.on("error", () => {});
        s.on("close", () => refused++);
        sockets.push(s);
        if (i % 100 === 99) {
          await sleep(20);
          assert.equal((await httpGet(broker.metricsPort, "/metrics")).status, 200);
        }
      }
      await sleep(1500);
      flooding = false;
      const stall = await worst;
      console.log(
        `[${flavour}] case 2: 1500 connections, ${refused} refused; probe's longest round trip ${stall.toFixed(0)} ms`,
      );
      assert.ok(broker.running, broker.output.slice(-20).join("\n"));
      assert.ok(refused >= 1500 - 128, `only ${refused} refused`);
      assert.ok(stall < 5000, `the probe stalled ${stall} ms`);
      assert.ok(await metric(broker, "kafka_network_connections_rejected_total") >= 1000);
      for (const s of sockets) s.destroy();
      await sleep(300);
      const late = await WireClient.connect(broker.port);
      late.write(apiVersionsRequest(7));
      assert.equal(parseApiVersionsV0((await late.readFrame(5000))!).correlationId, 7);
      late.destroy();
      probeClient.destroy();
    } finally {
      for (const s of sockets) s.destroy();
      assert.equal(await broker.stop(), 0);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    }
  });

  test(`${flavour}: case 4: promised but unsent request bytes starve no one, and slow requests time out`, async () => {
    const broker = await startBroker(flavour, { overrides: { "tsbroker.request.read.timeout.ms": 3000 } });
    const sockets: net.Socket[] = [];
    try {
      const probeClient = await WireClient.connect(broker.port);
      let attacking = true;
      const worst = probe(probeClient, () => attacking);
      // Three promise 100 MiB (socket.request.max.bytes) and send nothing more.
      for (let i = 0; i < 3; i++) {
        const s = await rawConnect(broker.port);
        s.on("error", () => {});
        s.write(sizePrefix(100 * MiB));
        sockets.push(s);
      }
      // 500 promise 1 MiB each and trickle a few bytes.
      for (let i = 0; i < 500; i++) {
        const s = await rawConnect(broker.port);
        s.on("error", () => {});
        s.write(sizePrefix(MiB, new Uint8Array([0, 18, 0, 0, 0, 0, 0, 1])));
        sockets.push(s);
      }
      const closed = sockets.map((s) => new Promise<number>((r) => s.on("close", () => r(performance.now()))));
      const trickle = setInterval(() => sockets.forEach((s) => s.destroyed || s.write(new Uint8Array(16))), 500);
      const start = performance.now();
      const closedAt = await Promise.all(closed.map((p) => Promise.race([p, sleep(20_000).then(() => Infinity)])));
      clearInterval(trickle);
      attacking = false;
      const stall = await worst;
      const slowest = Math.max(...closedAt) - start;
      console.log(
        `[${flavour}] case 4: probe's longest round trip ${stall.toFixed(0)} ms; all 503 slow connections closed ` +
          `within ${slowest.toFixed(0)} ms`,
      );
      assert.ok(stall < 2000, `the probe stalled ${stall} ms`);
      assert.ok(slowest < 15_000, "a slow connection was kept");
      assert.ok(broker.output.some((l) => /request incomplete after \d+ ms/.test(l)));
      await sleep(200);
      assert.equal(await metric(broker, "kafka_network_memory_pool_used_bytes"), 0);
      probeClient.destroy();
    } finally {
      for (const s of sockets) s.destroy();
      assert.equal(await broker.stop(), 0);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    }
  });

  test(`${flavour}: case 8: 40 clients that fetch ~55 MiB and never read keep RSS bounded`, async () => {
    const broker = await startBroker(flavour, {
      overrides: {
        "tsbroker.connections.max.write.stall.ms": 2000,
        "log.segment.bytes": 256 * MiB,
        // Smaller than the default (256 MiB, which held the peak at ~480 MiB RSS without dropping anyone)
        // so that the budget runs low and the stalled readers are dropped too.
        "tsbroker.queued.max.response.bytes": 64 * MiB,
      },
    });
    const sockets: net.Socket[] = [];
    try {
      await fill(broker, "big", 58);
      const rssBefore = rssBytes(broker.pid);
      for (let i = 0; i < 40; i++) {
        const s = await rawConnect(broker.port);
        s.on("error", () => {});
        s.pause(); // never read
        // Pipelined: its responses pile up until it is paused (4 MiB unsent), then dropped.
        for (let f = 1; f <= 10; f++) s.write(fetchFrame(f, "big", 55 * MiB));
        sockets.push(s);
      }
      // A consumer that reads keeps fetching 1 MiB at a time.
      const consumer = await WireClient.connect(broker.port);
      let worst = 0;
      let peak = 0;
      const until = performance.now() + 8000;
      for (let id = 2; performance.now() < until; id++) {
        const start = performance.now();
        consumer.write(fetchFrame(id, "big", MiB));
        assert.ok(await consumer.readFrame(30_000), "the reading consumer was not answered");
        worst = Math.max(worst, performance.now() - start);
        peak = Math.max(peak, rssBytes(broker.pid));
        await sleep(100);
      }
      console.log(
        `[${flavour}] case 8: RSS ${(rssBefore / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB ` +
          `with 40 non-reading fetchers; reading consumer's longest fetch ${worst.toFixed(0)} ms`,
      );
      assert.ok(broker.running);
      assert.ok(peak < 1024 * MiB, `RSS reached ${peak / MiB} MiB`);
      assert.ok(worst < 10_000, `the reading consumer stalled ${worst} ms`);
      assert.ok(
        broker.output.some((l) => /response bytes unsent and not read for/.test(l)),
        "no stalled reader was dropped",
      );
      consumer.destroy();
    } finally {
      for (const s of sockets) s.destroy();
      assert.equal(await broker.stop(), 0);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    }
  });

  test(`${flavour}: case 10: 10,000 malformed frames write a bounded number of log lines`, async () => {
    const broker = await startBroker(flavour);
    try {
      const linesBefore = broker.output.length;
      const bad = sizePrefix(0x7fffffff);
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(Array.from({ length: 500 }, async () => {
          const s = await rawConnect(broker.port);
          s.on("error", () => {});
          const closed = new Promise((r) => s.on("close", r));
          s.write(bad);
          await Promise.race([closed, sleep(5000)]);
          s.destroy();
        }));
      }
      const written = broker.output.slice(linesBefore);
      const bytes = written.reduce((n, l) => n + l.length + 1, 0);
      console.log(`[${flavour}] case 10: 10,000 malformed frames -> ${written.length} log lines, ${bytes} bytes`);
      assert.ok(await metric(broker, "kafka_network_connections_closed_bad_input_total") >= 10_000);
      assert.ok(written.length <= 100, `${written.length} lines`);
      assert.ok(broker.running);
    } finally {
      assert.equal(await broker.stop(), 0);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    }
  });
}
