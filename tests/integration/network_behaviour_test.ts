/**
 * Network-layer behaviour a client can observe: the memory pool stops
 * reading instead of growing, idle connections are closed, worker counts
 * from config are real and visible, several listeners each advertise their
 * own address, and SIGINT stops the broker cleanly.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { httpGet, metric, runCommand, startBroker } from "./_broker.ts";
import { apiVersionsRequest, parseApiVersionsV0, WireClient } from "./_wire.ts";
import * as net from "node:net";

/** A port that was free a moment ago (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function sizeOnly(size: number, extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(4 + extra.byteLength);
  new DataView(b.buffer).setInt32(0, size);
  b.set(extra, 4);
  return b;
}

for (const flavour of ["deno", "bun"] as const) {
  describe(`network behaviour under ${flavour}`, () => {
    test("an empty memory pool stops reading; requests resume when memory returns", async () => {
      const broker = await startBroker(flavour, {
        overrides: {
          "queued.max.request.bytes": 1048576,
          "socket.request.max.bytes": 1048576,
          "num.network.threads": 1,
        },
      });
      try {
        // Memory is taken as bytes arrive: A sends 600,000 of a 1,000,000-byte
        // request and B 60,000 of 100,000. Past half a request its whole size is
        // reserved, so both reservations succeed (the pool may overdraw by one
        // request) and leave it empty.
        const a = await WireClient.connect(broker.port);
        a.write(sizeOnly(1_000_000, new Uint8Array(600_000).fill(1).fill(0, 0, 4).fill(18, 1, 2)));
        const b = await WireClient.connect(broker.port);
        b.write(sizeOnly(100_000, new Uint8Array(60_000).fill(1).fill(0, 0, 4).fill(18, 1, 2)));
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(await metric(broker, "kafka_network_memory_pool_available_bytes") <= 0);
        // C's small request must wait: the processor stops reading.
        const c = await WireClient.connect(broker.port);
        c.write(apiVersionsRequest(5));
        await assert.rejects(c.readFrame(500), /timed out/);
        assert.ok(await metric(broker, "kafka_network_memory_pool_blocked_total") >= 1);
        // A and B go away: their memory returns and C is answered.
        a.destroy();
        b.destroy();
        assert.equal(parseApiVersionsV0((await c.readFrame(5000))!).correlationId, 5);
        c.destroy();
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(await metric(broker, "kafka_network_memory_pool_used_bytes"), 0);
      } finally {
        assert.equal(await broker.stop(), 0);
      }
    });

    test("connections idle past connections.max.idle.ms are closed", async () => {
      const broker = await startBroker(flavour, { overrides: { "connections.max.idle.ms": 300 } });
      try {
        const idle = await WireClient.connect(broker.port);
        const busy = await WireClient.connect(broker.port);
        const keepBusy = setInterval(() => busy.write(apiVersionsRequest(1)), 50);
        assert.ok(await idle.closedWithin(3000), "idle connection was kept");
        clearInterval(keepBusy);
        assert.equal(busy.closed, false, "a busy connection was closed as idle");
        assert.ok(await metric(broker, "kafka_network_connections_closed_idle_total") >= 1);
        busy.destroy();
      } finally {
        assert.equal(await broker.stop(), 0);
      }
    });

    test("worker counts from config are real and visible", async () => {
      const broker = await startBroker(flavour, { overrides: { "num.network.threads": 3, "num.io.threads": 4 } });
      try {
        assert.ok(broker.output.some((l) => l.includes("num.network.threads=3") && l.includes("num.io.threads=4")));
        assert.equal(await metric(broker, "tsbroker_network_threads"), 3);
        assert.equal(await metric(broker, "tsbroker_io_threads"), 4);
        // 60 connections land on all three processors (SO_REUSEPORT spreads them).
        const clients = await Promise.all(Array.from({ length: 60 }, () => WireClient.connect(broker.port)));
        clients.forEach((c, i) => c.write(apiVersionsRequest(i)));
        await Promise.all(clients.map((c) => c.readFrame()));
        const { body } = await httpGet(broker.metricsPort, "/metrics");
        const perProcessor = [...body.matchAll(/kafka_network_connections_accepted_total\{processor="[^"]+"\} (\d+)/g)]
          .map((m) => Number(m[1]));
        assert.equal(perProcessor.length, 3);
        assert.ok(perProcessor.every((n) => n > 0), `connections per processor: ${perProcessor}`);
        clients.forEach((c) => c.destroy());
        // Threads of the broker process: at least main + 3 processors + 4 handlers.
        const threads = Number(/Threads:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${broker.pid}/status`))![1]);
        assert.ok(threads >= 8, `only ${threads} threads`);
      } finally {
        assert.equal(await broker.stop(), 0);
      }
    });

    test("each listener advertises its own address", async () => {
      const [plainPort, internalPort] = [await freePort(), await freePort()];
      const broker = await startBroker(flavour, {
        overrides: {
          listeners: `PLAINTEXT://127.0.0.1:${plainPort},INTERNAL://127.0.0.1:${internalPort}`,
          "advertised.listeners": `PLAINTEXT://127.0.0.1:${plainPort},INTERNAL://localhost:${internalPort}`,
          "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
        },
      });
      try {
        const viaPlain = await runCommand("kcat", ["-L", "-J", "-b", `127.0.0.1:${plainPort}`, "-m", "10"]);
        assert.deepEqual(JSON.parse(viaPlain.stdout).brokers, [{ id: 1, name: `127.0.0.1:${plainPort}` }]);
        const viaInternal = await runCommand("kcat", ["-L", "-J", "-b", `127.0.0.1:${internalPort}`, "-m", "10"]);
        assert.deepEqual(JSON.parse(viaInternal.stdout).brokers, [{ id: 1, name: `localhost:${internalPort}` }]);
      } finally {
        assert.equal(await broker.stop(), 0);
      }
    });

    test("SIGINT stops the broker cleanly and closes client connections", async () => {
      const broker = await startBroker(flavour);
      const client = await WireClient.connect(broker.port);
      client.write(apiVersionsRequest(1));
      await client.readFrame();
      assert.equal(await broker.stop("SIGINT"), 0, broker.output.slice(-20).join("\n"));
      assert.ok(await client.closedWithin(1000));
      assert.ok(broker.output.some((l) => l.includes("Shut down cleanly")));
    });
  });
}
