/**
 * Fetch and ListOffsets with isolation levels through a whole in-process broker core (LocalBroker), on a
 * partition holding transactional batches (produced through Produce, with the partition's KIP-890 check
 * let through as a coordinator would) and the COMMIT/ABORT markers a coordinator writes at the
 * partition's owner: read_committed stops at the last stable offset and lists the aborted transactions
 * overlapping what it returns; read_uncommitted reads to the high watermark and lists none; both report
 * the LSO; ListOffsets LATEST answers the LSO to read_committed (v2+).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import type { LocalPartition } from "../../../src/replica/local_partition.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../../src/protocol/generated/produce.ts";
import {
  decodeFetchResponse,
  defaultFetchPartition,
  defaultFetchRequest,
  defaultFetchTopic,
  encodeFetchRequest,
  type PartitionData,
} from "../../../src/protocol/generated/fetch.ts";
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from "../../../src/protocol/generated/list_offsets.ts";

const TOPIC = "txn-reads";

/** The partition at its owner, whichever handler that is. */
function owned(broker: LocalBroker, topicId: string, partition: number): LocalPartition {
  const found = broker.replicas.map((r) => r.localPartition(topicId, partition)).find((p) => p !== undefined);
  assert.ok(found, "the partition is open at one handler");
  return found;
}

const sequences = new Map<bigint, number>();

/** Produce v11 (acks=-1) of `n` records of producer `pid`, transactional unless told otherwise; the base offset. */
async function produce(broker: LocalBroker, pid: bigint, n: number, transactional = true): Promise<bigint> {
  const p = await produceRaw(broker, pid, n, transactional);
  assert.equal(p.errorCode, ErrorCode.NONE, p.errorMessage ?? "");
  return p.baseOffset;
}

async function produceRaw(broker: LocalBroker, pid: bigint, n: number, transactional: boolean) {
  const seq = sequences.get(pid) ?? 0;
  sequences.set(pid, seq + n);
  const records = buildBatch(
    Array.from({ length: n }, (_, i) => ({ key: null, value: new TextEncoder().encode(`${pid}-${seq + i}`) })),
    { producerId: pid, producerEpoch: 0, baseSequence: seq, isTransactional: transactional },
  );
  const res = await broker.call(
    0,
    11,
    {
      transactionalId: transactional ? `tx-${pid}` : null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
    },
    encodeProduceRequest,
    decodeProduceResponse,
  );
  return res.responses[0].partitionResponses[0];
}

async function fetch(
  broker: LocalBroker,
  version: number,
  isolationLevel: number,
  offset = 0n,
): Promise<PartitionData> {
  const request = {
    ...defaultFetchRequest(),
    isolationLevel,
    maxWaitMs: 0,
    topics: [{
      ...defaultFetchTopic(),
      topic: TOPIC,
      topicId: version >= 13 ? broker.states[0].metadata.byName.get(TOPIC)!.topicId : defaultFetchTopic().topicId,
      partitions: [{ ...defaultFetchPartition(), partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }],
    }],
  };
  const res = await broker.call(1, version, request, encodeFetchRequest, decodeFetchResponse);
  return res.responses[0].partitions[0];
}

/** Base offsets of the batches in a fetched record set. */
function bases(records: Uint8Array | null): bigint[] {
  const out: bigint[] = [];
  if (!records) return out;
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let pos = 0; pos < records.length; pos += 12 + v.getInt32(pos + 8)) out.push(v.getBigInt64(pos));
  return out;
}

async function latest(broker: LocalBroker, version: number, isolationLevel: number): Promise<bigint> {
  const res = await broker.call(
    2,
    version,
    {
      replicaId: -1,
      isolationLevel,
      topics: [{
        name: TOPIC,
        partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
      }],
    },
    encodeListOffsetsRequest,
    decodeListOffsetsResponse,
  );
  const p = res.topics[0].partitions[0];
  assert.equal(p.errorCode, ErrorCode.NONE);
  return p.offset;
}

describe("Fetch read_committed", () => {
  test("stops at the LSO, lists aborted transactions, and ListOffsets answers the LSO", async () => {
    sequences.clear();
    // No transaction coordinator runs these producers' transactions: the partition takes their batches unverified.
    await withBroker(
      { handlers: 2, overrides: ["transaction.partition.verification.enable=false"] },
      async (broker) => {
        const topicId = await broker.createTopic(TOPIC, 1);
        const part = owned(broker, topicId, 0);

        assert.equal(await produce(broker, 1n, 2), 0n); // producer 1's transaction: 0..1
        assert.equal(await produce(broker, 5n, 1, false), 2n); // an idempotent, non-transactional batch
        assert.equal(await produce(broker, 2n, 3), 3n); // producer 2's transaction: 3..5

        for (const version of [4, 11, 16]) {
          const committed = await fetch(broker, version, 1);
          assert.equal(committed.errorCode, ErrorCode.NONE);
          assert.equal(committed.highWatermark, 6n);
          assert.equal(committed.lastStableOffset, 0n, `v${version}: LSO at producer 1's first offset`);
          assert.deepEqual(bases(committed.records), [], `v${version}: nothing stable yet`);
          assert.deepEqual(committed.abortedTransactions, []);
          const uncommitted = await fetch(broker, version, 0);
          assert.equal(uncommitted.lastStableOffset, 0n);
          assert.deepEqual(bases(uncommitted.records), [0n, 2n, 3n]);
          assert.equal(uncommitted.abortedTransactions, null);
        }
        assert.equal(await latest(broker, 2, 1), 0n);
        assert.equal(await latest(broker, 9, 1), 0n);
        assert.equal(await latest(broker, 9, 0), 6n);

        const commit = part.writeTxnMarker({ producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, commit: true }, 0);
        assert.equal(commit.errorCode, ErrorCode.NONE);
        assert.equal(commit.baseOffset, 6n);
        let committed = await fetch(broker, 12, 1);
        assert.equal(committed.lastStableOffset, 3n, "producer 2's transaction is still open");
        assert.deepEqual(bases(committed.records), [0n, 2n]);
        assert.equal(await latest(broker, 5, 1), 3n);

        const abort = part.writeTxnMarker({ producerId: 2n, producerEpoch: 0, coordinatorEpoch: 0, commit: false }, 0);
        assert.equal(abort.errorCode, ErrorCode.NONE);
        assert.equal(abort.baseOffset, 7n);
        assert.equal(await produce(broker, 1n, 1), 8n); // producer 1's next transaction opens at 8

        committed = await fetch(broker, 17, 1);
        assert.equal(committed.highWatermark, 9n);
        assert.equal(committed.lastStableOffset, 8n);
        assert.deepEqual(bases(committed.records), [0n, 2n, 3n, 6n, 7n]);
        assert.deepEqual(committed.abortedTransactions, [{ producerId: 2n, firstOffset: 3n }]);
        // A fetch from inside the aborted range (up to its marker at 7) lists it; one from the LSO returns
        // nothing and lists nothing.
        assert.deepEqual((await fetch(broker, 17, 1, 7n)).abortedTransactions, [{ producerId: 2n, firstOffset: 3n }]);
        assert.deepEqual((await fetch(broker, 17, 1, 8n)).abortedTransactions, []);
        assert.deepEqual((await fetch(broker, 17, 1, 4n)).abortedTransactions, [{ producerId: 2n, firstOffset: 3n }]);
        const uncommitted = await fetch(broker, 17, 0);
        assert.deepEqual(bases(uncommitted.records), [0n, 2n, 3n, 6n, 7n, 8n]);
        assert.equal(uncommitted.lastStableOffset, 8n);
        assert.equal(await latest(broker, 9, 1), 8n);
        assert.equal(await latest(broker, 9, 0), 9n);
      },
    );
  });
});
