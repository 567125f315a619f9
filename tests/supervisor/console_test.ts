/**
 * The web console over HTTP, against real broker processes: every page and
 * asset is served, every API endpoint answers with JSON, a read-only console
 * refuses changes with 403, an allowed one creates and deletes topics, and
 * bad input and unknown names get JSON errors with the right status, and
 * requests for a foreign Host (DNS rebinding) or changes from a foreign
 * Origin (CSRF) are refused.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { Admin, Consumer, Producer } from "../../src/client/mod.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { rawRequest } from "./_console_http.ts";

/** Brokers start through Deno.Command; scripts/test.ts also runs tests/supervisor under `bun test`, which skips these. */
const opts = {
  skip: typeof (globalThis as { Deno?: unknown }).Deno === "undefined" ? "starts brokers through Deno" : false,
};

async function call(
  broker: BrokerProcess,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; type: string; json: any; text: string }> {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": contentType };
  // What a browser adds to a change made from the console's own page.
  if (method !== "GET") headers.origin = `http://127.0.0.1:${broker.metricsPort}`;
  const response = await fetch(`http://127.0.0.1:${broker.metricsPort}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    headers,
  });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, type, text, json: type.startsWith("application/json") ? JSON.parse(text) : null };
}

test("console: pages, assets and read endpoints; read-only refusals", opts, async (t) => {
  const broker = await startBroker("deno");
  const admin = new Admin({ bootstrapServers: [broker.bootstrap] });
  try {
    await t.test(
      "the page and its assets are served under /console/; /metrics and /healthz are unchanged",
      async () => {
        for (const path of ["/console/", "/console", "/console/index.html"]) {
          const page = await call(broker, "GET", path);
          assert.equal(page.status, 200, path);
          assert.match(page.type, /text\/html/);
          assert.match(page.text, /<script src="app.js">/);
        }
        const js = await call(broker, "GET", "/console/app.js");
        assert.equal(js.status, 200);
        assert.match(js.type, /javascript/);
        new Function(js.text); // parses: the String.raw constant kept the script intact
        assert.equal((await call(broker, "GET", "/console/app.css")).status, 200);
        assert.equal((await call(broker, "GET", "/console/nothing.js")).status, 404);
        assert.equal((await call(broker, "GET", "/healthz")).text, "ok\n");
        assert.match((await call(broker, "GET", "/metrics")).text, /kafka_network_bytes_in_total/);
      },
    );

    await t.test("a foreign Host gets 403 naming the key; /metrics and /healthz answer any Host", async () => {
      const port = broker.metricsPort;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
        assert.equal((await rawRequest(port, "GET", "/console/api/overview", { host })).status, 200, host);
      }
      for (const path of ["/console/", "/console/app.js", "/console/api/overview"]) {
        const r = await rawRequest(port, "GET", path, { host: `rebound.example:${port}` });
        assert.equal(r.status, 403, path);
        assert.match(r.json.error, /rebound\.example.*tsbroker\.console\.allowed\.hosts/);
      }
      assert.equal((await rawRequest(port, "GET", "/console/", { host: `127.0.0.1:${port + 1}` })).status, 403);
      assert.equal((await rawRequest(port, "GET", "/healthz", { host: "rebound.example" })).body, "ok\n");
      assert.equal((await rawRequest(port, "GET", "/metrics", { host: "rebound.example" })).status, 200);
    });

    await t.test("overview names version, listeners and throughput", async () => {
      const o = await call(broker, "GET", "/console/api/overview");
      assert.equal(o.status, 200);
      assert.match(o.json.version, /^\d+\.\d+\.\d+/);
      assert.equal(o.json.allowChanges, false);
      assert.deepEqual(o.json.listeners.map((l: { port: number }) => l.port), [broker.port]);
      assert.equal(o.json.cluster.brokers[0].port, broker.port);
      assert.ok(o.json.uptimeMs >= 0);
      assert.ok(Array.isArray(o.json.throughput.samples));
      assert.ok(o.json.throughput.bytesInTotal > 0, "the console's own Kafka requests count as bytes in");
    });

    await admin.createTopics([{ name: "orders", partitions: 2, configs: { "retention.ms": "3600000" } }]);
    const producer = new Producer({ bootstrapServers: [broker.bootstrap] });
    for (let i = 0; i < 30; i++) {
      await producer.send({ topic: "orders", partition: 1, value: JSON.stringify({ n: i }) });
    }
    await producer.send({ topic: "orders", partition: 0, key: "k", value: new Uint8Array([0, 1, 0xff]) });
    await producer.close();

    await t.test("topics list and one topic: partitions, offsets, sizes, configs", async () => {
      const list = await call(broker, "GET", "/console/api/topics");
      assert.deepEqual(list.json.find((x: { name: string }) => x.name === "orders").partitions, 2);
      const topic = await call(broker, "GET", "/console/api/topics/orders");
      assert.equal(topic.status, 200);
      assert.deepEqual(
        topic.json.partitions.map((p: { lowOffset: string; highOffset: string }) => [p.lowOffset, p.highOffset]),
        [["0", "1"], ["0", "30"]],
      );
      // Sizes on disk (DescribeLogDirs): per partition, summed per topic, in the list too.
      const [s0, s1] = topic.json.partitions.map((p: { sizeBytes: number }) => p.sizeBytes);
      assert.ok(s0 > 0 && s1 > s0 * 10, `1 and 30 records: ${s0} and ${s1} bytes`);
      assert.equal(topic.json.sizeBytes, s0 + s1);
      assert.equal(list.json.find((x: { name: string }) => x.name === "orders").sizeBytes, s0 + s1);
      const retention = topic.json.configs.find((c: { name: string }) => c.name === "retention.ms");
      assert.deepEqual([retention.value, retention.source], ["3600000", 1]);
    });

    await t.test("records: the latest N, newest first, as text, JSON and hex", async () => {
      const text = await call(broker, "GET", "/console/api/topics/orders/records?partition=1&limit=5");
      assert.equal(text.status, 200);
      assert.deepEqual(text.json.records.map((r: { offset: string }) => r.offset), ["29", "28", "27", "26", "25"]);
      assert.equal(text.json.records[0].value, '{"n":29}');
      const json = await call(broker, "GET", "/console/api/topics/orders/records?partition=1&limit=1&format=json");
      assert.equal(json.json.records[0].value, '{\n  "n": 29\n}');
      const hex = await call(broker, "GET", "/console/api/topics/orders/records?partition=0&format=hex");
      assert.deepEqual([hex.json.records[0].key, hex.json.records[0].value], ["6b", "00 01 ff"]);
      const all = await call(broker, "GET", "/console/api/topics/orders/records?partition=1&limit=500");
      assert.equal(all.json.records.length, 30);
    });

    await t.test("groups: list and one group with its lag per partition", async () => {
      const consumer = new Consumer({ bootstrapServers: [broker.bootstrap], groupId: "billing", autoCommit: false });
      consumer.assign([{ topic: "orders", partition: 1 }]);
      consumer.seek({ topic: "orders", partition: 1 }, 0n);
      await consumer.commit([{ topic: "orders", partition: 1, offset: 12n }]);
      await consumer.close();
      const list = await call(broker, "GET", "/console/api/groups");
      assert.ok(list.json.some((g: { groupId: string }) => g.groupId === "billing"), list.text);
      const group = await call(broker, "GET", "/console/api/groups/billing");
      assert.equal(group.status, 200);
      assert.equal(group.json.totalLag, 18);
      assert.deepEqual(
        group.json.offsets.map((o: { partition: number; committed: string; end: string; lag: number }) => [
          o.partition,
          o.committed,
          o.end,
          o.lag,
        ]),
        [[1, "12", "30", 18]],
      );
    });

    await t.test("broker configuration", async () => {
      const config = await call(broker, "GET", "/console/api/config");
      assert.equal(config.status, 200);
      const names = config.json.map((c: { name: string }) => c.name);
      assert.ok(names.includes("log.retention.hours") || names.includes("num.partitions"), config.text.slice(0, 300));
    });

    await t.test("read-only: create and delete are refused with 403 and change nothing", async () => {
      const create = await call(broker, "POST", "/console/api/topics", { name: "nope", partitions: 1 });
      assert.equal(create.status, 403);
      assert.match(create.json.error, /tsbroker\.console\.allow\.changes=true/);
      const del = await call(broker, "DELETE", "/console/api/topics/orders");
      assert.equal(del.status, 403);
      assert.ok((await admin.listTopics()).includes("orders"));
      assert.ok(!(await admin.listTopics()).includes("nope"));
    });

    await t.test(
      "errors are JSON with a status: unknown topic or group, bad parameters, unknown endpoint",
      async () => {
        const cases: [string, string, number][] = [
          ["GET", "/console/api/topics/missing", 404],
          ["GET", "/console/api/topics/missing/records", 404],
          ["GET", "/console/api/topics/orders/records?partition=7", 404],
          ["GET", "/console/api/groups/missing", 404],
          ["GET", "/console/api/topics/orders/records?format=xml", 400],
          ["GET", "/console/api/topics/orders/records?limit=0", 400],
          ["GET", "/console/api/topics/orders/records?partition=x", 400],
          ["GET", "/console/api/nothing", 404],
          ["PUT", "/console/api/topics", 405],
        ];
        for (const [method, path, status] of cases) {
          const r = await call(broker, method, path);
          assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
          assert.equal(typeof r.json.error, "string", `${method} ${path}`);
        }
      },
    );
  } finally {
    await admin.close();
    await broker.stop();
  }
});

test("console: with allow.changes, topics are created and deleted; bad bodies refused", opts, async () => {
  const broker = await startBroker("deno", { overrides: { "tsbroker.console.allow.changes": true } });
  const admin = new Admin({ bootstrapServers: [broker.bootstrap] });
  try {
    assert.equal((await call(broker, "GET", "/console/api/overview")).json.allowChanges, true);
    const created = await call(broker, "POST", "/console/api/topics", { name: "fresh", partitions: 3 });
    assert.deepEqual([created.status, created.json], [200, { created: "fresh" }]);
    assert.equal((await admin.describeTopics(["fresh"]))[0].partitions.length, 3);
    const again = await call(broker, "POST", "/console/api/topics", { name: "fresh", partitions: 3 });
    assert.equal(again.status, 409);
    assert.match(again.json.error, /TOPIC_ALREADY_EXISTS/);
    for (const body of ["{", '{"partitions":1}', '{"name":"x","partitions":0}', '{"name":"x","configs":{"a":1}}']) {
      const bad = await call(broker, "POST", "/console/api/topics", body);
      assert.equal(bad.status, 400, body);
    }
    // What a form on another site could send without a CORS preflight is refused, and creates nothing.
    for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
      const forged = await call(broker, "POST", "/console/api/topics", { name: "forged", partitions: 1 }, type);
      assert.equal(forged.status, 415, type);
    }
    // A page of another origin (or a request naming none) is refused before the body is read.
    const spec = JSON.stringify({ name: "forged", partitions: 1 });
    const json = { "content-type": "application/json" };
    const origins: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { referer: "http://evil.example/x" },
      {},
    ];
    for (const origin of origins) {
      const r = await rawRequest(broker.metricsPort, "POST", "/console/api/topics", { ...json, ...origin }, spec);
      assert.equal(r.status, 403, JSON.stringify(origin));
      assert.match(r.json.error, /Origin or Referer/);
    }
    const del = await rawRequest(broker.metricsPort, "DELETE", "/console/api/topics/fresh", {
      origin: "http://evil.example",
    });
    assert.equal(del.status, 403);
    assert.ok(!(await admin.listTopics()).includes("forged"));
    const invalid = await call(broker, "POST", "/console/api/topics", { name: "bad name!", partitions: 1 });
    assert.equal(invalid.status, 400, invalid.text);
    const deleted = await call(broker, "DELETE", "/console/api/topics/fresh");
    assert.deepEqual([deleted.status, deleted.json], [200, { deleted: "fresh" }]);
    assert.ok(!(await admin.listTopics()).includes("fresh"));
    assert.equal((await call(broker, "DELETE", "/console/api/topics/fresh")).status, 404);
  } finally {
    await admin.close();
    await broker.stop();
  }
});

test("console: tsbroker.console.enable=false leaves only /metrics and /healthz", opts, async () => {
  const broker = await startBroker("deno", { overrides: { "tsbroker.console.enable": false } });
  try {
    assert.equal((await call(broker, "GET", "/console/")).status, 404);
    assert.equal((await call(broker, "GET", "/console/api/overview")).status, 404);
    assert.equal((await call(broker, "GET", "/healthz")).status, 200);
  } finally {
    await broker.stop();
  }
});

test("console under Bun: the page, a POST that creates a topic and a DELETE that removes it", opts, async () => {
  const broker = await startBroker("bun", { overrides: { "tsbroker.console.allow.changes": true } });
  const admin = new Admin({ bootstrapServers: [broker.bootstrap] });
  try {
    assert.match((await call(broker, "GET", "/console/")).text, /<script src="app.js">/);
    const created = await call(broker, "POST", "/console/api/topics", { name: "from-bun", partitions: 2 });
    assert.deepEqual([created.status, created.json], [200, { created: "from-bun" }]);
    assert.equal((await admin.describeTopics(["from-bun"]))[0].partitions.length, 2);
    assert.equal((await call(broker, "DELETE", "/console/api/topics/from-bun")).status, 200);
    assert.ok(!(await admin.listTopics()).includes("from-bun"));
  } finally {
    await admin.close();
    await broker.stop();
  }
});
