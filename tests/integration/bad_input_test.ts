/**
 * Bad input never takes the broker down: each offending connection is closed
 * (or answered with Kafka's error), every other client carries on, and memory
 * stays bounded. Runs against a broker process with N=2 processors and M=2
 * handlers; after each case a real client (kcat) must still get metadata.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, metric, runCommand, startBroker } from "./_broker.ts";
import { apiVersionsRequest, bareRequest, parseApiVersionsV0, WireClient } from "./_wire.ts";

async function kcatStillServes(broker: BrokerProcess): Promise<void> {
  const { code, stdout, stderr } = await runCommand("kcat", ["-L", "-J", "-b", broker.bootstrap, "-m", "10"]);
  assert.equal(code, 0, `kcat could not get metadata after bad input: ${stderr}`);
  assert.equal(JSON.parse(stdout).brokers[0].id, 1);
}

function brokerRssBytes(broker: BrokerProcess): number {
  const status = Deno.readTextFileSync(`/proc/${broker.pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

for (const flavour of ["deno", "bun"] as const) {
  describe(`bad input against the broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, {
        overrides: { "socket.request.max.bytes": 1048576, "max.connections.per.ip.overrides": "127.0.0.2:3" },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, broker.output.join("\n"));
    });

    test("random bytes close only that connection", async () => {
      const bystander = await WireClient.connect(broker.port);
      for (let i = 0; i < 20; i++) {
        const bad = await WireClient.connect(broker.port);
        const junk = crypto.getRandomValues(new Uint8Array(4096));
        junk[0] = 0x80 | junk[0]; // a negative or huge size: never a valid frame
        bad.write(junk);
        assert.ok(await bad.closedWithin(5000), "broker kept a connection that sent random bytes");
      }
      bystander.write(apiVersionsRequest(7));
      const frame = await bystander.readFrame();
      assert.equal(parseApiVersionsV0(frame!).correlationId, 7);
      bystander.destroy();
      await kcatStillServes(broker);
    });

    test("a frame announcing 2 GB is refused without allocating it", async () => {
      const before = brokerRssBytes(broker);
      const client = await WireClient.connect(broker.port);
      client.write(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 0]));
      assert.ok(await client.closedWithin(5000));
      assert.ok(brokerRssBytes(broker) - before < 64 * 1024 * 1024, "RSS grew as if the frame was allocated");
      assert.ok(broker.output.some((l) => l.includes("exceeds socket.request.max.bytes")), "no log line says why");
      await kcatStillServes(broker);
    });

    test("a truncated header and a truncated body close the connection", async () => {
      const short = await WireClient.connect(broker.port);
      short.write(new Uint8Array([0, 0, 0, 4, 0, 18, 0, 0]));
      assert.ok(await short.closedWithin(5000));
      const cut = await WireClient.connect(broker.port);
      // Metadata v1: header ok, client id claims 200 bytes but the frame ends.
      cut.write(new Uint8Array([0, 0, 0, 12, 0, 3, 0, 1, 0, 0, 0, 9, 0, 200, 65, 66]));
      assert.ok(await cut.closedWithin(5000));
      await kcatStillServes(broker);
    });

    test("an unknown API key closes the connection and is logged", async () => {
      const client = await WireClient.connect(broker.port);
      client.write(bareRequest(999, 0, 1));
      assert.ok(await client.closedWithin(5000));
      assert.ok(broker.output.some((l) => l.includes("unknown API key 999")));
      await kcatStillServes(broker);
    });

    test("an unsupported version closes the connection; ApiVersions gets Kafka's v0 answer", async () => {
      const client = await WireClient.connect(broker.port);
      client.write(bareRequest(3, 99, 1));
      assert.ok(await client.closedWithin(5000));
      const asker = await WireClient.connect(broker.port);
      asker.write(apiVersionsRequest(42, 99));
      const reply = parseApiVersionsV0((await asker.readFrame())!);
      assert.equal(reply.correlationId, 42);
      assert.equal(reply.errorCode, 35); // UNSUPPORTED_VERSION
      assert.deepEqual(reply.keys.find(([key]) => key === 18), [18, 0, 4]);
      asker.destroy();
    });

    test("pipelined requests are answered in order", async () => {
      const client = await WireClient.connect(broker.port);
      const burst: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) burst.push(apiVersionsRequest(1000 + i, i % 3));
      client.write(new Uint8Array(burst.flatMap((b) => [...b])));
      for (let i = 0; i < 200; i++) {
        const frame = await client.readFrame();
        assert.equal(new DataView(frame!.buffer).getInt32(0), 1000 + i);
      }
      client.destroy();
    });

    test("1,000 concurrent connections are all served and memory stays bounded", async () => {
      const before = brokerRssBytes(broker);
      const clients = await Promise.all(Array.from({ length: 1000 }, () => WireClient.connect(broker.port)));
      clients.forEach((c, i) => c.write(apiVersionsRequest(i)));
      const replies = await Promise.all(clients.map((c) => c.readFrame(30_000)));
      replies.forEach((frame, i) => assert.equal(parseApiVersionsV0(frame!).correlationId, i));
      assert.ok(await metric(broker, "kafka_server_connections") >= 1000);
      const grown = brokerRssBytes(broker) - before;
      assert.ok(grown < 150 * 1024 * 1024, `1,000 connections grew RSS by ${(grown / 1048576).toFixed(0)} MiB`);
      clients.forEach((c) => c.destroy());
      await kcatStillServes(broker);
    });

    test("a connection over the per-IP limit is closed at once; the others carry on", async () => {
      // Processors accept independently, so first make sure the broker has
      // taken each permitted connection (it answers) before opening the 4th.
      const within: WireClient[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await connectFrom(broker.port, "127.0.0.2").catch((e) => {
          throw new Error(
            `connection ${i + 1} from 127.0.0.2 failed (${e}); broker log:\n${broker.output.slice(-15).join("\n")}`,
          );
        });
        c.write(apiVersionsRequest(i));
        assert.equal(parseApiVersionsV0((await c.readFrame())!).correlationId, i);
        within.push(c);
      }
      // Refused at once: either the connect itself is reset, or it is closed right after.
      const over = await connectFrom(broker.port, "127.0.0.2").catch((e: Error) => e);
      if (!(over instanceof Error)) {
        assert.ok(await over.closedWithin(5000), "the 4th connection from 127.0.0.2 was kept");
      } else assert.match(over.message, /ECONNRESET|EPIPE/);
      for (const [i, c] of within.entries()) {
        c.write(apiVersionsRequest(10 + i));
        assert.equal(parseApiVersionsV0((await c.readFrame())!).correlationId, 10 + i);
        c.destroy();
      }
      assert.ok(await metric(broker, "kafka_network_connections_rejected_total") >= 1);
      await kcatStillServes(broker);
    });
  });
}

function connectFrom(port: number, localAddress: string): Promise<WireClient> {
  return WireClient.connectFrom(port, localAddress);
}
