/**
 * Log compaction end to end, with a broker process: 200,000 records over 2,000 keys (updates and
 * tombstones) go to a compacted topic with small segments and a low min.cleanable.dirty.ratio, so the
 * cleaner runs while they arrive. Once cleaned, kcat (librdkafka) reads exactly the latest value of each
 * live key, every record at the offset it was written with; tombstones are gone once delete.retention.ms
 * passed and a later cleaning ran. Then the broker is killed with SIGKILL while a cleaning is writing its
 * `.cleaned` segment, restarted on the same directory, and the topic still reads the same. A keyless
 * record is refused with INVALID_RECORD, as Kafka refuses it on compacted topics.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, startBroker, tempDir } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { adminOps, kcatRead, until } from "./_data_path.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";

const TOPIC = "compacted";
const KEYS = 2_000;
const RECORDS = 200_000;
const PER_BATCH = 500;
// Long enough that a slow first cleaning (a loaded CI machine: 45 s for the whole test under Bun) still finds the
// tombstones of rounds 97-99 inside their retention.
const DELETE_RETENTION_MS = 45_000;
const utf8 = new TextEncoder();
const call = wireCaller("compaction-test");

/**
 * Record i: key k(i mod 2000), round i / 2000. Keys divisible by 10 get tombstones in every 7th round and
 * in rounds 97–99, so at the end of the 200,000 records a tenth of the keys are deleted. Records after the
 * first 200,000 (written while the test waits for a cleaning) never use those keys: a new value for a deleted
 * key supersedes its tombstone, and a slow cleaning (4 waiting writes cover every key) once left none to see.
 */
function recordAt(i: number): { key: string; value: string | null } {
  const round = Math.floor(i / KEYS);
  let k = i % KEYS;
  if (i >= RECORDS && k % 10 === 0) k += 1;
  const tombstone = k % 10 === 0 && (round % 7 === 3 || (round >= 97 && round < 100));
  return { key: `k${k}`, value: tombstone ? null : `v${i}` };
}

async function produce(client: WireClient, from: number, to: number, keyless = false): Promise<number> {
  const records = [];
  for (let i = from; i < to; i++) {
    const r = recordAt(i);
    records.push({
      key: keyless ? null : utf8.encode(r.key),
      value: r.value === null ? null : utf8.encode(r.value),
    });
  }
  const response = await call(
    client,
    0,
    9,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: buildBatch(records) }] }],
    },
    encodeProduceRequest,
    decodeProduceResponse,
  );
  const p = response.responses[0].partitionResponses[0];
  if (!keyless) {
    assert.equal(p.errorCode, 0, p.errorMessage ?? "");
    assert.equal(p.baseOffset, BigInt(from), "offsets follow the record numbers");
  }
  return p.errorCode;
}

/** kcat's reading of the topic: offset → [key, value|null]. */
async function readTopic(broker: BrokerProcess): Promise<Array<{ offset: number; key: string; value: string | null }>> {
  const lines = await kcatRead(broker, TOPIC, {
    partition: 0,
    format: "%o %k %S %s\\n",
    timeoutMs: 60_000,
    failure: "kcat could not read the compacted topic",
  });
  return lines.filter((l) => l.length > 0).map((line) => {
    const [offset, key, size, value] = line.split(" ");
    return { offset: Number(offset), key, value: size === "-1" ? null : (value ?? "") };
  });
}

/** The latest value of each key among records [0, upTo) (absent: deleted). */
function expectedLatest(upTo: number): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < upTo; i++) {
    const r = recordAt(i);
    if (r.value === null) m.delete(r.key);
    else m.set(r.key, r.value);
  }
  return m;
}

/** What kcat reads must be exactly the written records that survive: at their offsets, latest per key. */
function checkRead(read: Awaited<ReturnType<typeof readTopic>>, written: number): void {
  const latest = new Map<string, string | null>();
  let prev = -1;
  for (const r of read) {
    assert.ok(r.offset > prev, `offsets increase (${r.offset} after ${prev})`);
    prev = r.offset;
    const w = recordAt(r.offset);
    assert.equal(r.key, w.key, `offset ${r.offset} holds the key written there`);
    assert.equal(r.value, w.value, `offset ${r.offset} holds the value written there`);
    latest.set(r.key, r.value);
  }
  const live = new Map([...latest].filter(([, v]) => v !== null)) as Map<string, string>;
  assert.deepEqual(live, expectedLatest(written), "the latest value of every live key, and no deleted key");
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`log compaction, broker under ${flavour}`, () => {
    const dataDir = tempDir();
    const overrides = {
      "log.cleaner.backoff.ms": 200,
      "log.retention.check.interval.ms": 500,
      "num.io.threads": 1,
      // Slow enough that the SIGKILL below lands in the middle of a cleaning.
      "log.cleaner.io.max.bytes.per.second": 3_000_000,
    };
    let broker: BrokerProcess;
    let client: WireClient;

    before(async () => {
      broker = await startBroker(flavour, { dataDir, overrides });
      const created = await adminOps(broker, [{
        op: "create",
        topic: TOPIC,
        config: {
          "cleanup.policy": "compact",
          "segment.bytes": "262144",
          "segment.ms": "1500",
          "min.cleanable.dirty.ratio": "0.05",
          "delete.retention.ms": String(DELETE_RETENTION_MS),
          "file.delete.delay.ms": "500",
        },
      }]);
      assert.deepEqual(created, [{ ok: true }]);
      client = await WireClient.connect(broker.port);
    });
    after(async () => {
      client?.socket.destroy();
      await broker?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test("a keyless record is refused with INVALID_RECORD", async () => {
      assert.equal(await produce(client, 0, 3, true), ErrorCode.INVALID_RECORD);
    });

    /** Records written so far (the next one's offset). */
    let next = 0;

    /**
     * Waits until `condition` holds for what kcat reads, writing a batch every 2 s meanwhile: Kafka rolls a
     * segment (segment.ms) only when an append comes, and only rolled segments are cleaned.
     */
    async function writeUntil(what: string, condition: (read: Awaited<ReturnType<typeof readTopic>>) => boolean) {
      await until(what, async () => {
        if (condition(await readTopic(broker))) return true;
        await new Promise((r) => setTimeout(r, 2_000));
        await produce(client, next, next + PER_BATCH);
        next += PER_BATCH;
        return false;
      }, 120_000);
    }

    test("once cleaned, kcat reads the latest value of each live key at its offset; tombstones go later", async () => {
      for (; next < RECORDS; next += PER_BATCH) await produce(client, next, next + PER_BATCH);
      await writeUntil("the log is cleaned", (read) => read.length <= KEYS + PER_BATCH);
      const read = await readTopic(broker);
      checkRead(read, next);
      assert.ok(read.some((r) => r.value === null), "tombstones stay until delete.retention.ms has passed");

      // Once their delete horizon passed, the next cleaning (it needs new writes) drops them.
      await new Promise((r) => setTimeout(r, DELETE_RETENTION_MS));
      await writeUntil("tombstones are removed", (read) => read.every((r) => r.value !== null));
      checkRead(await readTopic(broker), next);
    });

    test("SIGKILL during a cleaning, restart: the topic reads the same", async () => {
      // Write until a cleaning is seen writing its .cleaned segment, then kill the broker at once.
      const partitionDir = path.join(dataDir, `${TOPIC}-0`);
      const cleaning = () => fs.readdirSync(partitionDir).some((n) => n.endsWith(".cleaned"));
      const end = next + 100_000;
      let seen = false;
      const poll = setInterval(() => (seen ||= cleaning()), 10);
      for (; next < end && !seen; next += PER_BATCH) await produce(client, next, next + PER_BATCH);
      clearInterval(poll);
      // The new segments are due at the next check (log.cleaner.backoff.ms), and the throttle makes it last.
      if (!seen) await until("a cleaning is writing its .cleaned segment", cleaning, 20_000);
      client.socket.destroy();
      await broker.stop("SIGKILL");
      broker = await startBroker(flavour, { dataDir, overrides });
      client = await WireClient.connect(broker.port);
      checkRead(await readTopic(broker), next);
      await writeUntil("cleaning resumes", (read) => read.length <= KEYS + PER_BATCH);
      checkRead(await readTopic(broker), next);
    });
  });
}
