/**
 * Offsets committed inside transactions, against a broker process (2 handler Workers) in raw requests, as a
 * producer's sendOffsetsToTransaction sends them: InitProducerId → AddOffsetsToTxn → FindCoordinator (group)
 * → TxnOffsetCommit → EndTxn. Until the COMMIT marker reaches the group's __consumer_offsets partition the
 * offsets are invisible to OffsetFetch and require_stable answers UNSTABLE_OFFSET_COMMIT; an abort leaves
 * the previous offsets; and offsets pending when the broker is killed (SIGKILL) are still pending after the
 * restart and committed by the producer's EndTxn then.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import {
  decodeAddOffsetsToTxnResponse,
  encodeAddOffsetsToTxnRequest,
} from "../../src/protocol/generated/add_offsets_to_txn.ts";
import {
  decodeTxnOffsetCommitResponse,
  encodeTxnOffsetCommitRequest,
} from "../../src/protocol/generated/txn_offset_commit.ts";
import {
  decodeOffsetFetchResponse,
  defaultOffsetFetchRequest,
  encodeOffsetFetchRequest,
} from "../../src/protocol/generated/offset_fetch.ts";
import {
  decodeFindCoordinatorResponse,
  encodeFindCoordinatorRequest,
} from "../../src/protocol/generated/find_coordinator.ts";
import { type Caller, eventually, TxnClient } from "../handler/_txn_client.ts";

const TOPIC = "txn-offsets-wire";
const GROUP = "txn-offsets-group";
const TXN_ID = "txn-offsets-tx";
const call = wireCaller("txn-offsets-wire");

interface Session {
  client: WireClient;
  caller: Caller;
  txn: TxnClient;
}

async function connect(broker: BrokerProcess): Promise<Session> {
  const client = await WireClient.connect(broker.port);
  const caller: Caller = (k, v, r, e, d) => call(client, k, v, r, e, d);
  return { client, caller, txn: new TxnClient(caller) };
}

async function findCoordinator(s: Session, key: string, keyType: number): Promise<void> {
  await eventually(async () => {
    const res = await s.caller(
      10,
      3,
      { key, keyType, coordinatorKeys: [] },
      encodeFindCoordinatorRequest,
      decodeFindCoordinatorResponse,
    );
    return res.errorCode === ErrorCode.NONE;
  }, 10_000);
}

async function addOffsets(s: Session, pid: bigint, epoch: number): Promise<number> {
  const res = await s.caller(
    25,
    3,
    { transactionalId: TXN_ID, producerId: pid, producerEpoch: epoch, groupId: GROUP },
    encodeAddOffsetsToTxnRequest,
    decodeAddOffsetsToTxnResponse,
  );
  return res.errorCode;
}

/** TxnOffsetCommit v3 of `offsets` (partition → offset): each partition's error, in order. */
async function txnCommit(s: Session, pid: bigint, epoch: number, offsets: Array<[number, bigint]>): Promise<number[]> {
  const res = await s.caller(
    28,
    3,
    {
      transactionalId: TXN_ID,
      groupId: GROUP,
      producerId: pid,
      producerEpoch: epoch,
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [{
        name: TOPIC,
        partitions: offsets.map(([partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: -1,
          committedMetadata: "eos",
        })),
      }],
    },
    encodeTxnOffsetCommitRequest,
    decodeTxnOffsetCommitResponse,
  );
  return res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

/** OffsetFetch v7 of partitions 0 and 1: [offset, error] each. */
async function fetchOffsets(s: Session, requireStable: boolean): Promise<Array<[bigint, number]>> {
  const res = await s.caller(
    9,
    7,
    {
      ...defaultOffsetFetchRequest(),
      groupId: GROUP,
      topics: [{ name: TOPIC, partitionIndexes: [0, 1] }],
      requireStable,
    },
    encodeOffsetFetchRequest,
    decodeOffsetFetchResponse,
  );
  assert.equal(res.errorCode, ErrorCode.NONE);
  return res.topics[0].partitions.map((p) => [p.committedOffset, p.errorCode]);
}

const UNSTABLE = ErrorCode.UNSTABLE_OFFSET_COMMIT;

describe("transactional offset commits over the wire", () => {
  let broker: BrokerProcess;
  let s: Session;
  before(async () => {
    broker = await startBroker("deno");
    s = await connect(broker);
    const created = await s.caller(
      19,
      5,
      {
        topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 10_000,
        validateOnly: false,
      },
      encodeCreateTopicsRequest,
      decodeCreateTopicsResponse,
    );
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
  });
  after(async () => {
    s?.client.destroy();
    if (broker?.running) await broker.stop();
  });

  test("commit makes them visible, abort leaves the previous ones, pending ones survive a SIGKILL", async () => {
    await findCoordinator(s, TXN_ID, 1);
    const init = await s.txn.init(TXN_ID);
    assert.equal(init.errorCode, ErrorCode.NONE);
    const { producerId: pid, producerEpoch: epoch } = init;

    // 1: committed.
    assert.equal(await addOffsets(s, pid, epoch), ErrorCode.NONE);
    await findCoordinator(s, GROUP, 0);
    assert.deepEqual(await txnCommit(s, pid, epoch, [[0, 10n], [1, 20n]]), [0, 0]);
    assert.deepEqual(await fetchOffsets(s, false), [[-1n, 0], [-1n, 0]]);
    assert.deepEqual(await fetchOffsets(s, true), [[-1n, UNSTABLE], [-1n, UNSTABLE]]);
    assert.equal(await s.txn.endTxn(TXN_ID, pid, epoch, true), ErrorCode.NONE);
    await eventually(async () => (await fetchOffsets(s, true))[0][1] === ErrorCode.NONE);
    assert.deepEqual(await fetchOffsets(s, true), [[10n, 0], [20n, 0]]);

    // 2: aborted (the next transaction may start once the previous one completed).
    await eventually(async () => (await addOffsets(s, pid, epoch)) === ErrorCode.NONE);
    assert.deepEqual(await txnCommit(s, pid, epoch, [[0, 30n]]), [0]);
    assert.deepEqual(await fetchOffsets(s, true), [[-1n, UNSTABLE], [20n, 0]]);
    assert.equal(await s.txn.endTxn(TXN_ID, pid, epoch, false), ErrorCode.NONE);
    await eventually(async () => (await fetchOffsets(s, true))[0][1] === ErrorCode.NONE);
    assert.deepEqual(await fetchOffsets(s, true), [[10n, 0], [20n, 0]]);

    // 3: pending at a SIGKILL, committed after the restart.
    await eventually(async () => (await addOffsets(s, pid, epoch)) === ErrorCode.NONE);
    assert.deepEqual(await txnCommit(s, pid, epoch, [[1, 40n]]), [0]);
    s.client.destroy();
    await broker.stop("SIGKILL");
    broker = await startBroker("deno", { dataDir: broker.dataDir });
    s = await connect(broker);
    await findCoordinator(s, GROUP, 0);
    assert.deepEqual(await fetchOffsets(s, true), [[10n, 0], [-1n, UNSTABLE]]);
    assert.deepEqual(await fetchOffsets(s, false), [[10n, 0], [20n, 0]]);
    await findCoordinator(s, TXN_ID, 1);
    await eventually(async () => (await s.txn.endTxn(TXN_ID, pid, epoch, true)) === ErrorCode.NONE, 10_000);
    await eventually(async () => (await fetchOffsets(s, true))[1][1] === ErrorCode.NONE);
    assert.deepEqual(await fetchOffsets(s, true), [[10n, 0], [40n, 0]]);
  });
});
