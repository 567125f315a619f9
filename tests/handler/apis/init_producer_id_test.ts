/**
 * InitProducerId (key 22) and idempotent Produce through a whole in-process
 * broker core (LocalBroker): every version v0–v5, ids unique and never
 * reused across calls, handlers and restarts, Kafka's refusals, then the
 * producer-state checks on produce (a duplicate gets the original offset and
 * is not appended, a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an older
 * epoch INVALID_PRODUCER_EPOCH) on partitions of different handlers, and
 * that state surviving a clean and a crash restart.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalBroker } from "../_local_broker.ts";
import { fetchPartition } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch, readBatchHeader } from "../../../src/log/record_batch.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";
import {
  decodeInitProducerIdResponse,
  encodeInitProducerIdRequest,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from "../../../src/protocol/generated/init_producer_id.ts";
import {
  decodeProduceResponse,
  encodeProduceRequest,
  type PartitionProduceResponse,
} from "../../../src/protocol/generated/produce.ts";

const enc = new TextEncoder();

function initRequest(extra: Partial<InitProducerIdRequest> = {}): InitProducerIdRequest {
  return { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, ...extra };
}

function initProducerId(
  broker: LocalBroker,
  version: number,
  req = initRequest(),
  h?: number,
): Promise<InitProducerIdResponse> {
  return broker.call(22, version, req, encodeInitProducerIdRequest, decodeInitProducerIdResponse, h);
}

async function newProducerId(broker: LocalBroker, h?: number): Promise<bigint> {
  const res = await initProducerId(broker, 5, initRequest(), h);
  assert.deepEqual([res.errorCode, res.producerEpoch], [0, 0]);
  return res.producerId;
}

interface Send {
  partition: number;
  seq: number;
  count?: number;
  epoch?: number;
}

/** One idempotent batch per partition from producer `pid`. */
async function produce(
  broker: LocalBroker,
  topic: string,
  pid: bigint,
  sends: Send[],
  h?: number,
): Promise<PartitionProduceResponse[]> {
  const res = await broker.call(
    0,
    11,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{
        name: topic,
        partitionData: sends.map((s) => ({
          index: s.partition,
          records: buildBatch(
            Array.from({ length: s.count ?? 1 }, (_, i) => ({ key: null, value: enc.encode(`s${s.seq + i}`) })),
            { producerId: pid, producerEpoch: s.epoch ?? 0, baseSequence: s.seq },
          ),
        })),
      }],
    },
    encodeProduceRequest,
    decodeProduceResponse,
    h,
  );
  return res.responses[0].partitionResponses;
}

const outcome = (rs: PartitionProduceResponse[]) => rs.map((r) => [r.errorCode, r.baseOffset]);

/** The max timestamps of a partition's stored batches. */
async function storedMaxTimestamps(broker: LocalBroker, topic: string, partition: number): Promise<bigint[]> {
  const records = (await fetchPartition(broker, topic, partition)).records ?? new Uint8Array(0);
  const out: bigint[] = [];
  for (let pos = 0; pos < records.byteLength;) {
    const h = readBatchHeader(records, pos);
    out.push(h.maxTimestamp);
    pos += h.sizeInBytes;
  }
  return out;
}

/** The stored batches of a partition as [baseOffset, baseSequence, count]. */
async function stored(broker: LocalBroker, topic: string, partition: number): Promise<Array<[bigint, number, number]>> {
  const records = (await fetchPartition(broker, topic, partition)).records ?? new Uint8Array(0);
  const out: Array<[bigint, number, number]> = [];
  for (let pos = 0; pos < records.byteLength;) {
    const h = readBatchHeader(records, pos);
    out.push([h.baseOffset, h.baseSequence, h.recordsCount]);
    pos += h.sizeInBytes;
  }
  return out;
}

/** Two partitions of a fresh topic with different owners (of `handlers`). */
async function splitTopic(broker: LocalBroker, name: string, handlers: number): Promise<[number, number]> {
  const id = await broker.createTopic(name, 4);
  const other = [1, 2, 3].find((p) => ownerOf(id, p, handlers) !== ownerOf(id, 0, handlers))!;
  return [0, other];
}

describe("InitProducerId", () => {
  for (let version = 0; version <= 5; version++) {
    test(`v${version} hands out a fresh producer id with epoch 0`, async () => {
      const broker = await LocalBroker.start({ handlers: 2 });
      try {
        const first = await initProducerId(broker, version, initRequest(), 0);
        const second = await initProducerId(broker, version, initRequest(), 0);
        for (const r of [first, second]) {
          assert.deepEqual([r.errorCode, r.producerEpoch, r.throttleTimeMs], [0, 0, 0]);
          assert.ok(r.producerId >= 0n);
        }
        assert.ok(second.producerId > first.producerId);
        if (version >= 3) {
          // An idempotent producer passing its old id and epoch (KIP-360) still gets a new id, epoch 0.
          const bumped = await initProducerId(
            broker,
            version,
            initRequest({ producerId: second.producerId, producerEpoch: 0 }),
            0,
          );
          assert.equal(bumped.errorCode, ErrorCode.NONE);
          assert.ok(bumped.producerId > second.producerId);
          assert.equal(bumped.producerEpoch, 0);
          const half = await initProducerId(broker, version, initRequest({ producerId: 5n, producerEpoch: -1 }), 0);
          assert.deepEqual([half.errorCode, half.producerId, half.producerEpoch], [ErrorCode.INVALID_REQUEST, -1n, -1]);
        }
        // Transactional ids go to their coordinator: none before __transaction_state exists (txn_service_test.ts).
        const txn = await initProducerId(broker, version, initRequest({ transactionalId: "tx-1" }));
        assert.deepEqual([txn.errorCode, txn.producerId, txn.producerEpoch], [ErrorCode.NOT_COORDINATOR, -1n, -1]);
      } finally {
        await broker.stop();
        broker.remove();
      }
    });
  }

  test("ids are unique across handlers, increasing per handler, and never reused after a restart", async () => {
    const broker = await LocalBroker.start({ handlers: 3 });
    let first: LocalBroker | null = broker;
    let again: LocalBroker | null = null;
    try {
      const before: bigint[] = [];
      for (let i = 0; i < 12; i++) before.push(await newProducerId(broker, i % 3));
      assert.equal(new Set(before).size, before.length);
      for (let h = 0; h < 3; h++) {
        const mine = before.filter((_, i) => i % 3 === h);
        assert.deepEqual(mine, [...mine].sort((a, b) => (a < b ? -1 : 1)));
      }
      first = null;
      await broker.stop();
      again = await LocalBroker.start({ handlers: 3, dir: broker.dir });
      const max = before.reduce((a, b) => (a > b ? a : b));
      for (let h = 0; h < 3; h++) assert.ok((await newProducerId(again, h)) > max);
    } finally {
      if (first) await first.stop();
      if (again) await again.stop();
      broker.remove();
    }
  });
});

describe("Idempotent produce", () => {
  test("a duplicate gets the original offset with NONE and is not appended; across two handlers' partitions", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    try {
      const [a, b] = await splitTopic(broker, "idem", 2);
      const pid = await newProducerId(broker);
      assert.deepEqual(
        outcome(await produce(broker, "idem", pid, [{ partition: a, seq: 0, count: 3 }, { partition: b, seq: 0 }])),
        [
          [0, 0n],
          [0, 0n],
        ],
      );
      assert.deepEqual(
        outcome(await produce(broker, "idem", pid, [{ partition: a, seq: 3, count: 2 }, { partition: b, seq: 1 }])),
        [
          [0, 3n],
          [0, 1n],
        ],
      );
      // Retries of the last and of an earlier batch, through the other handler.
      const retry = await produce(
        broker,
        "idem",
        pid,
        [{ partition: a, seq: 3, count: 2 }, { partition: b, seq: 0 }],
        1,
      );
      assert.deepEqual(outcome(retry), [
        [0, 3n],
        [0, 0n],
      ]);
      // As Kafka, a retry's logAppendTimeMs is the time kept for the original: its max timestamp (CreateTime).
      assert.deepEqual(
        retry.map((r) => r.logAppendTimeMs),
        [(await storedMaxTimestamps(broker, "idem", a))[1], (await storedMaxTimestamps(broker, "idem", b))[0]],
      );
      assert.deepEqual(await stored(broker, "idem", a), [[0n, 0, 3], [3n, 3, 2]]);
      assert.deepEqual(await stored(broker, "idem", b), [[0n, 0, 1], [1n, 1, 1]]);
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  test("a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an older epoch INVALID_PRODUCER_EPOCH; neither is appended", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    try {
      const [a, b] = await splitTopic(broker, "seqs", 2);
      const pid = await newProducerId(broker);
      await produce(broker, "seqs", pid, [{ partition: a, seq: 0, count: 2 }, { partition: b, seq: 0 }]);
      const gap = await produce(broker, "seqs", pid, [{ partition: a, seq: 5 }, { partition: b, seq: 1 }]);
      assert.deepEqual(outcome(gap), [[ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n], [0, 1n]]);
      // Kafka reports the log start offset with errors the log raises.
      assert.deepEqual(gap.map((r) => r.logStartOffset), [0n, 0n]);
      // A new epoch starts again at sequence 0; the old epoch is then fenced.
      assert.deepEqual(outcome(await produce(broker, "seqs", pid, [{ partition: a, seq: 0, epoch: 1 }])), [[0, 2n]]);
      const old = await produce(broker, "seqs", pid, [{ partition: a, seq: 2, epoch: 0 }]);
      assert.deepEqual(outcome(old), [[ErrorCode.INVALID_PRODUCER_EPOCH, -1n]]);
      assert.equal(old[0].logStartOffset, 0n);
      // A new epoch must start at sequence 0.
      const badStart = await produce(broker, "seqs", pid, [{ partition: b, seq: 4, epoch: 1 }]);
      assert.deepEqual(outcome(badStart), [[ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n]]);
      assert.deepEqual(await stored(broker, "seqs", a), [[0n, 0, 2], [2n, 0, 1]]);
      assert.deepEqual(await stored(broker, "seqs", b), [[0n, 0, 1], [1n, 1, 1]]);
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  for (const crash of [false, true]) {
    test(`producer state survives a ${crash ? "crash" : "clean"} restart`, async () => {
      const broker = await LocalBroker.start({ handlers: 2 });
      let first: LocalBroker | null = broker;
      let again: LocalBroker | null = null;
      try {
        const [a, b] = await splitTopic(broker, "durable", 2);
        const pid = await newProducerId(broker);
        await produce(broker, "durable", pid, [{ partition: a, seq: 0, count: 4 }, { partition: b, seq: 0, count: 2 }]);
        await produce(broker, "durable", pid, [{ partition: a, seq: 4, count: 1 }, { partition: b, seq: 2, count: 3 }]);
        first = null;
        await broker.stop({ crash });
        again = await LocalBroker.start({ handlers: 2, dir: broker.dir });
        // The retry of the last batches is recognised as a duplicate.
        assert.deepEqual(
          outcome(
            await produce(again, "durable", pid, [{ partition: a, seq: 4, count: 1 }, {
              partition: b,
              seq: 2,
              count: 3,
            }]),
          ),
          [[0, 4n], [0, 2n]],
        );
        // A gap is still refused, the next sequence appended.
        const next = await produce(again, "durable", pid, [{ partition: a, seq: 9 }, { partition: b, seq: 5 }]);
        assert.deepEqual(outcome(next), [[ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, -1n], [0, 5n]]);
        assert.deepEqual(await stored(again, "durable", a), [[0n, 0, 4], [4n, 4, 1]]);
        assert.deepEqual(await stored(again, "durable", b), [[0n, 0, 2], [2n, 2, 3], [5n, 5, 1]]);
        // And a new producer id after the restart is not one handed out before.
        assert.ok((await newProducerId(again)) > pid);
      } finally {
        if (first) await first.stop();
        if (again) await again.stop();
        broker.remove();
      }
    });
  }
});
