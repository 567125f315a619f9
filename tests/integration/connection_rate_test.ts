/**
 * max.connection.creation.rate (KIP-612) against a broker process with two
 * processors sharing the listener: a client opening connections as fast as it
 * can, ten at a time, is let in at the listener's rate (within 10%) after the
 * burst a quiet broker allows, and no connection is refused: over the rate
 * accepting waits, as Kafka's acceptor does. A listener limit
 * (listener.name.<l>.max.connection.creation.rate) below the broker-wide one
 * is the one that holds.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { apiVersionsRequest, parseApiVersionsV0, WireClient } from "./_wire.ts";

const RATE = 20;
/** quota.window.num = 2: a burst of RATE × 1 window after a quiet spell. */
const BURST = RATE;
const MEASURED = 100;
const CONCURRENCY = 10;

/** Connects, asks ApiVersions and answers when the response came (ms since `start`); null if closed instead. */
async function answeredAt(port: number, id: number, start: number): Promise<number | null> {
  const client = await WireClient.connect(port);
  try {
    client.write(apiVersionsRequest(id));
    const frame = await client.readFrame(30_000);
    if (frame === null) return null;
    assert.equal(parseApiVersionsV0(frame).correlationId, id);
    return performance.now() - start;
  } finally {
    client.destroy();
  }
}

for (const flavour of ["deno", "bun"] as const) {
  describe(`connection creation rate under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, {
        overrides: {
          "num.network.threads": 2,
          "quota.window.num": 2,
          "max.connection.creation.rate": 1000,
          "listener.name.plaintext.max.connection.creation.rate": RATE,
        },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, broker.output.join("\n"));
    });

    test(`connections past the burst are accepted at ${RATE}/s within 10%, none refused`, async () => {
      const start = performance.now();
      const times: number[] = [];
      let next = 0;
      const total = BURST + 10 + MEASURED;
      const worker = async () => {
        while (next < total) {
          const id = next++;
          const at = await answeredAt(broker.port, id, start);
          assert.notEqual(at, null, `connection ${id} was closed instead of waiting`);
          times.push(at!);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      times.sort((a, b) => a - b);
      // Skip the burst and the connections that overlapped its end; measure the rest.
      const from = times[BURST + 10 - 1];
      const last = times[times.length - 1];
      const rate = MEASURED / ((last - from) / 1000);
      console.log(`${flavour}: ${MEASURED} connections in ${(last - from).toFixed(0)} ms: ${rate.toFixed(2)}/s`);
      assert.ok(Math.abs(rate - RATE) <= RATE * 0.1, `accepted ${rate.toFixed(2)}/s, limit ${RATE}/s`);
      assert.ok(times[BURST - 1] < 1000, `the burst of ${BURST} took ${times[BURST - 1].toFixed(0)} ms`);
    });
  });
}
