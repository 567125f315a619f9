/**
 * kafkajs 2.2 (pure JS, never flexible versions: Produce ≤7, Fetch ≤11,
 * ListOffsets ≤3, CreateTopics ≤3, InitProducerId ≤1) under Node against the
 * broker under Deno and under Bun. tests/integration/clients/
 * kafkajs_roundtrip.mjs creates a 3-partition topic, produces 300 records
 * (plain, gzip, acks=1) and 30 from an idempotent producer, reads them back
 * without a consumer group through kafkajs' Broker.fetch with a small
 * partition byte limit, asks ListOffsets for earliest/latest and by
 * timestamp, and waits in a long-polling fetch that a new record must wake.
 * The gzip batches must be stored as sent (clients/decode_log.py).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, ROOT, runCommand, startBroker } from "./_broker.ts";

interface Sent {
  partition: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: string;
}
interface Fetched extends Omit<Sent, "partition"> {
  offset: string;
}
interface Roundtrip {
  created: boolean;
  sent: Sent[];
  sendResults: Array<{ topicName: string; partition: number; errorCode: number; baseOffset: string }>;
  fetched: Record<string, Fetched[]>;
  fetchRounds: Record<string, number>;
  offsets: Array<{ partition: number; offset: string; high: string; low: string }>;
  byTimestampAt: number;
  byTimestamp: Array<{ partition: number; offset: string }>;
  afterAll: Array<{ partition: number; offset: string }>;
  longPoll: {
    idleMs: number;
    idleMessages: number;
    wokenMs: number;
    woken: Array<{ offset: string; value: string }>;
    end: string;
  };
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`kafkajs produces and consumes without a group, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    let run: Roundtrip;
    before(async () => {
      broker = await startBroker(flavour);
      const { code, stdout, stderr } = await runCommand(
        "node",
        [path.join(ROOT, "tests/integration/clients/kafkajs_roundtrip.mjs"), broker.bootstrap, "kjs"],
        { timeoutMs: 90_000 },
      );
      assert.equal(code, 0, `kafkajs_roundtrip.mjs failed:\n${stderr}\n${broker.output.slice(-20).join("\n")}`);
      run = JSON.parse(stdout);
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
    });

    test("every send is acknowledged without error", () => {
      assert.equal(run.created, true);
      assert.equal(run.sent.length, 330);
      for (const r of run.sendResults) assert.equal(r.errorCode, 0, JSON.stringify(r));
    });

    test("each partition reads back what was sent to it, in order, at offsets 0, 1, 2, ...", () => {
      for (let partition = 0; partition < 3; partition++) {
        const expected = run.sent.filter((m) => m.partition === partition).map(({ partition: _, ...m }, i) => ({
          offset: String(i),
          ...m,
        }));
        assert.deepEqual(run.fetched[partition], expected, `partition ${partition}`);
        // 110 records of up to ~250 bytes behind a 4 KB partition limit: several fetches each.
        assert.ok(
          run.fetchRounds[partition] > 2,
          `partition ${partition} read in ${run.fetchRounds[partition]} fetch(es)`,
        );
      }
    });

    test("ListOffsets: earliest 0, latest = records per partition, by timestamp the first at or after it", () => {
      for (let partition = 0; partition < 3; partition++) {
        const inPartition = run.sent.filter((m) => m.partition === partition);
        const o = run.offsets.find((x) => x.partition === partition)!;
        assert.equal(o.low, "0");
        assert.equal(o.high, String(inPartition.length));
        const first = inPartition.findIndex((m) => Number(m.timestamp) >= run.byTimestampAt);
        assert.equal(run.byTimestamp.find((x) => x.partition === partition)!.offset, String(first));
        assert.equal(run.afterAll.find((x) => x.partition === partition)!.offset, String(inPartition.length));
      }
    });

    test("the gzip send is stored as gzip batches that decode to the records", async () => {
      for (let partition = 0; partition < 3; partition++) {
        const { code, stdout, stderr } = await runCommand("/usr/bin/python3", [
          path.join(ROOT, "tests/integration/clients/decode_log.py"),
          path.join(broker.dataDir, `kjs-${partition}`),
        ]);
        assert.equal(code, 0, stderr);
        const log: { batches: Array<{ codec: string }>; records: Array<[number, string]> } = JSON.parse(stdout);
        assert.ok(log.batches.some((b) => b.codec === "gzip"), `no gzip batch in kjs-${partition}`);
        const expected = run.sent.filter((m) => m.partition === partition);
        assert.deepEqual(
          log.records.slice(0, expected.length).map(([offset, key]) => [offset, key]),
          expected.map((m, i) => [i, new TextDecoder().decode(hexBytes(m.key))]),
        );
      }
    });

    test("max.wait.ms is honoured when idle, and a waiting fetch wakes when a record arrives", () => {
      const lp = run.longPoll;
      assert.equal(lp.idleMessages, 0);
      assert.ok(lp.idleMs >= 400, `an idle fetch with max.wait.ms=500 returned after ${lp.idleMs} ms`);
      assert.deepEqual(lp.woken, [{ offset: lp.end, value: "wake up" }]);
      // The record is sent 500 ms into a 10 s wait: an answer near 10 s would mean no wake-up.
      assert.ok(lp.wokenMs < 5_000, `the waiting fetch took ${lp.wokenMs} ms`);
    });
  });
}
