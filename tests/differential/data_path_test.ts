/**
 * Differential: the data path — Produce (0), Fetch (1), ListOffsets (2),
 * DeleteRecords (21) and InitProducerId (22) — at every version tsbroker
 * advertises, against the reference Kafka. Both brokers receive the same
 * record batches (fixed timestamps), so offsets, high watermarks and even
 * the fetched batch bytes must be equal. Error paths: unknown topic, bad
 * partition, invalid acks, a corrupt batch, duplicate and out-of-order
 * idempotent sequences, out-of-range fetch and delete offsets, unknown topic
 * ids.
 */
import { after, before, describe, test } from "node:test";
import { Oracle, type Side, SUITE_COVERAGE } from "./_oracle.ts";
import { buildBatch, CRC_OFFSET } from "../../src/log/record_batch.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../src/protocol/generated/fetch.ts";
import { defaultListOffsetsPartition } from "../../src/protocol/generated/list_offsets.ts";

const TOPIC = "dp";
/** Produce v0–v2 write here: Kafka 4 refuses them, so only tsbroker's copy grows, and "dp" stays the same on both. */
const OLD = "dp-old";
/** A fixed create time a little in the past, the same in both brokers' logs. */
const BASE_TIMESTAMP = BigInt(Date.now() - 60_000);
const utf8 = new TextEncoder();

function batch(
  n: number,
  tag: string,
  opts: { producerId?: bigint; producerEpoch?: number; baseSequence?: number } = {},
) {
  return buildBatch(
    Array.from({ length: n }, (_, i) => ({
      key: utf8.encode(`k${i}`),
      value: utf8.encode(`${tag}-${i}`),
      headers: i === 0 ? [["h", utf8.encode("v")] as [string, Uint8Array]] : [],
      timestampDelta: i,
    })),
    { baseTimestamp: BASE_TIMESTAMP, ...opts },
  );
}

const produce = (topic: string, partition: number, records: Uint8Array | null, acks = -1) => ({
  transactionalId: null,
  acks,
  timeoutMs: 10_000,
  topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
});

describe("differential: data path", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("data_path_test.ts", {}, { "transaction.state.log.num.partitions": "1" });
    const init = (transactionalId: string | null) => ({
      transactionalId,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    // Kafka creates and loads __transaction_state on first use; answers before that are COORDINATOR_LOAD_IN_PROGRESS.
    // tsbroker creates __transaction_state on the first FindCoordinator for a transactional id, as Kafka does.
    for (const side of [o.kafka, o.tsbroker]) {
      await o.warmUp(side, 22, 4, init(null), (b) => b.errorCode === 0);
      const findTxn = { key: "", keyType: 1, coordinatorKeys: ["warm-up"] };
      await o.warmUp(side, 10, 4, findTxn, (b) => b.coordinators[0].errorCode === 0);
      await o.warmUp(side, 22, 4, init("warm-up"), (b) => b.errorCode === 0);
    }
    await o.compare({
      title: "create",
      apiKey: 19,
      version: 7,
      request: {
        ...defaultCreateTopicsRequest(),
        topics: [TOPIC, OLD].map((name) => ({
          ...defaultCreatableTopic(),
          name,
          numPartitions: 2,
          replicationFactor: 1,
        })),
      },
    });
    await o.settle([TOPIC, OLD]);
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("Produce: appends, unknown topics and partitions, invalid acks, corrupt batches", async () => {
    for (const v of o.advertised(0)) {
      const t = v <= 2 ? OLD : TOPIC;
      await o.compare({ title: "append", apiKey: 0, version: v, request: produce(t, 0, batch(3, `v${v}`)) });
      await o.compare({ title: "acks=1", apiKey: 0, version: v, request: produce(t, 1, batch(2, `a${v}`), 1) });
      await o.compare({ title: "unknown topic", apiKey: 0, version: v, request: produce("dp-none", 0, batch(1, "x")) });
      await o.compare({ title: "bad partition", apiKey: 0, version: v, request: produce(t, 7, batch(1, "x")) });
      await o.compare({ title: "invalid acks", apiKey: 0, version: v, request: produce(t, 0, batch(1, "x"), 2) });
      const corrupt = batch(1, "x");
      corrupt[CRC_OFFSET] ^= 0xff;
      await o.compare({ title: "corrupt batch", apiKey: 0, version: v, request: produce(t, 0, corrupt) });
      await o.compare({ title: "empty records", apiKey: 0, version: v, request: produce(t, 0, new Uint8Array(0)) });
    }
    o.assertNoDifferences();
  });

  test("InitProducerId and idempotent produce: new ids, duplicates, sequence gaps", async () => {
    for (const v of o.advertised(22)) {
      const init = await o.compare({
        title: "idempotent producer",
        apiKey: 22,
        version: v,
        request: { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 },
      });
      o.remember("pid", init, (b) => b.producerId);
      const idem = (seq: number, n: number) => (s: Side) =>
        produce(TOPIC, 1, batch(n, `i${v}`, { producerId: s.vars.pid, producerEpoch: 0, baseSequence: seq }));
      await o.compare({ title: "idempotent append", apiKey: 0, version: 9, request: idem(0, 2) });
      await o.compare({ title: "duplicate sequence", apiKey: 0, version: 9, request: idem(0, 2) });
      await o.compare({ title: "sequence gap", apiKey: 0, version: 9, request: idem(5, 1) });
      await o.compare({
        title: "unknown producer id",
        apiKey: 0,
        version: 9,
        request: produce(
          TOPIC,
          1,
          batch(1, "u", { producerId: 900_000n + BigInt(v), producerEpoch: 0, baseSequence: 3 }),
        ),
      });
      if (v >= 3) {
        await o.compare({
          title: "bump epoch of an idempotent producer",
          apiKey: 22,
          version: v,
          request: (s: Side) => ({
            transactionalId: null,
            transactionTimeoutMs: 60_000,
            producerId: s.vars.pid,
            producerEpoch: 0,
          }),
        });
        await o.compare({
          title: "producer id without its epoch",
          apiKey: 22,
          version: v,
          request: (s: Side) => ({
            transactionalId: null,
            transactionTimeoutMs: 60_000,
            producerId: s.vars.pid,
            producerEpoch: -1,
          }),
        });
      }
      await o.compare({
        title: "transactional id",
        apiKey: 22,
        version: v,
        request: { transactionalId: `tx-${v}`, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 },
      });
      await o.compare({
        title: "transaction timeout too large",
        apiKey: 22,
        version: v,
        request: {
          transactionalId: `tx-big-${v}`,
          transactionTimeoutMs: 2_000_000_000,
          producerId: -1n,
          producerEpoch: -1,
        },
      });
    }
    o.assertNoDifferences();
  });

  test("Fetch: records from the start, the end, out of range, unknown topics and partitions", async () => {
    const fetch =
      (v: number, partitions: Array<[number, bigint]>, topic = TOPIC, maxWaitMs = 0, currentLeaderEpoch = -1) =>
      async (s: Side) => ({
        ...defaultFetchRequest(),
        maxWaitMs,
        minBytes: 1,
        maxBytes: 1 << 20,
        sessionEpoch: -1,
        topics: [{
          topic,
          topicId: v >= 13
            ? (topic === TOPIC ? await s.topicId(topic) : "AAAAAAAAAAAAAAAAAAAAAQ")
            : "AAAAAAAAAAAAAAAAAAAAAA",
          partitions: partitions.map(([partition, fetchOffset]) => ({
            ...defaultFetchPartition(),
            partition,
            fetchOffset,
            partitionMaxBytes: 1 << 20,
            currentLeaderEpoch,
          })),
        }],
      });
    for (const v of o.advertised(1)) {
      await o.compare({ title: "from the start", apiKey: 1, version: v, request: fetch(v, [[0, 0n], [1, 0n]]) });
      await o.compare({ title: "from the middle of a batch", apiKey: 1, version: v, request: fetch(v, [[0, 1n]]) });
      await o.compare({ title: "at the end", apiKey: 1, version: v, request: fetch(v, [[0, 10_000n]]) });
      await o.compare({ title: "out of range", apiKey: 1, version: v, request: fetch(v, [[0, 1_000_000n]]) });
      await o.compare({ title: "negative offset", apiKey: 1, version: v, request: fetch(v, [[0, -5n]]) });
      await o.compare({ title: "bad partition", apiKey: 1, version: v, request: fetch(v, [[9, 0n]]) });
      await o.compare({ title: "unknown topic", apiKey: 1, version: v, request: fetch(v, [[0, 0n]], "dp-none") });
      if (v < 9) continue; // currentLeaderEpoch (KIP-320) from v9
      for (const epoch of [0, 5, -2]) {
        const request = fetch(v, [[0, 0n]], TOPIC, 0, epoch);
        await o.compare({ title: `current leader epoch ${epoch}`, apiKey: 1, version: v, request });
      }
    }
    o.assertNoDifferences();
  });

  test("ListOffsets: latest, earliest, max timestamp, by time, unknown topics and partitions", async () => {
    const list = (partitions: Array<[number, bigint]>, topic = TOPIC, isolationLevel = 0, currentLeaderEpoch = -1) => ({
      replicaId: -1,
      isolationLevel,
      topics: [{
        name: topic,
        partitions: partitions.map(([partitionIndex, timestamp]) => ({
          ...defaultListOffsetsPartition(),
          partitionIndex,
          timestamp,
          currentLeaderEpoch,
        })),
      }],
    });
    for (const v of o.advertised(2)) {
      await o.compare({ title: "latest and earliest", apiKey: 2, version: v, request: list([[0, -1n], [1, -2n]]) });
      await o.compare({ title: "by time", apiKey: 2, version: v, request: list([[0, BASE_TIMESTAMP + 1n]]) });
      await o.compare({
        title: "after every record",
        apiKey: 2,
        version: v,
        request: list([[0, BASE_TIMESTAMP + 10_000n]]),
      });
      if (v >= 2) {
        await o.compare({ title: "read committed", apiKey: 2, version: v, request: list([[0, -1n]], TOPIC, 1) });
      }
      if (v >= 7) await o.compare({ title: "max timestamp", apiKey: 2, version: v, request: list([[0, -3n]]) });
      if (v >= 8) await o.compare({ title: "earliest local", apiKey: 2, version: v, request: list([[0, -4n]]) });
      if (v >= 9) await o.compare({ title: "latest tiered", apiKey: 2, version: v, request: list([[0, -5n]]) });
      await o.compare({ title: "bad partition", apiKey: 2, version: v, request: list([[9, -1n]]) });
      await o.compare({ title: "unknown topic", apiKey: 2, version: v, request: list([[0, -1n]], "dp-none") });
      if (v >= 4) { // currentLeaderEpoch (KIP-320) from v4
        for (const epoch of [0, 5, -2]) {
          const request = list([[0, -1n]], TOPIC, 0, epoch);
          await o.compare({ title: `current leader epoch ${epoch}`, apiKey: 2, version: v, request });
        }
      }
    }
    o.assertNoDifferences();
  });

  test("DeleteRecords: truncation, the high watermark, out-of-range offsets, unknown topics", async () => {
    const del = (partitions: Array<[number, bigint]>, topic = TOPIC) => ({
      topics: [{ name: topic, partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) }],
      timeoutMs: 10_000,
    });
    for (const v of o.advertised(21)) {
      await o.compare({ title: "append", apiKey: 0, version: 9, request: produce(TOPIC, 1, batch(3, `d${v}`)) });
      const end = await o.compare({
        title: "end offset",
        apiKey: 2,
        version: 9,
        request: {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{
            name: TOPIC,
            partitions: [{ ...defaultListOffsetsPartition(), partitionIndex: 1, timestamp: -1n }],
          }],
        },
      });
      const hw: bigint = end.kafka.topics[0].partitions[0].offset;
      await o.compare({ title: "truncate", apiKey: 21, version: v, request: del([[1, hw - 2n]]) });
      await o.compare({ title: "below the log start", apiKey: 21, version: v, request: del([[1, 0n]]) });
      await o.compare({ title: "beyond the high watermark", apiKey: 21, version: v, request: del([[1, hw + 100n]]) });
      await o.compare({ title: "bad partition", apiKey: 21, version: v, request: del([[9, 0n]]) });
      await o.compare({ title: "unknown topic", apiKey: 21, version: v, request: del([[0, 0n]], "dp-none") });
      await o.compare({ title: "to the high watermark (-1)", apiKey: 21, version: v, request: del([[1, -1n]]) });
    }
    await o.compare({
      title: "log start after deletion",
      apiKey: 2,
      version: 9,
      request: {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{
          name: TOPIC,
          partitions: [{ ...defaultListOffsetsPartition(), partitionIndex: 1, timestamp: -2n }],
        }],
      },
    });
    for (const v of [4, 12, 17]) {
      await o.compare({
        title: "fetch below the log start",
        apiKey: 1,
        version: v,
        request: async (s: Side) => ({
          ...defaultFetchRequest(),
          maxBytes: 1 << 20,
          topics: [{
            topic: TOPIC,
            topicId: v >= 13 ? await s.topicId(TOPIC) : "AAAAAAAAAAAAAAAAAAAAAA",
            partitions: [{ ...defaultFetchPartition(), partition: 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
          }],
        }),
      });
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["data_path_test.ts"]);
  });
});
