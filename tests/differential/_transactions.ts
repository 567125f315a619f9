/**
 * Helpers of the transactions differential test (transactions_test.ts): the
 * topics it uses, request builders that take each side's producer id and epoch
 * from side.vars (InitProducerId, AddPartitionsToTxn in its v0–3 and v4+
 * forms, AddOffsetsToTxn, EndTxn, transactional Produce), the oracle's start
 * with the topics created and Kafka's transaction coordinator loaded, and the
 * steps that begin a transaction or wait, uncompared, until one has finished.
 */
import { type Body, type Comparison, Oracle, type Side, sleep } from "./_oracle.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";

export const TOPIC = "tx";
/** The read_committed topic: partition 0 holds an aborted then a committed transaction, partition 1 an open one. */
export const READ = "txr";
/** WriteTxnMarkers writes its markers here. */
export const MARKERS = "txw";
const BASE_TIMESTAMP = BigInt(Date.now() - 60_000);
const utf8 = new TextEncoder();
/** DescribeTransactions states of a transaction whose markers are written. */
const DONE = ["Empty", "CompleteCommit", "CompleteAbort"];

export type Vars = Record<string, unknown>;
/** The producer id, and the epoch, that `id`'s InitProducerId gave this side (remembered in side.vars). */
export const pid = (id: string) => (s: Side) => s.vars[`${id}:pid`] as bigint;
export const epoch = (id: string) => (s: Side) => s.vars[`${id}:epoch`] as number;

/** An InitProducerId request for a new producer (no current producer id or epoch). */
export const init = (transactionalId: string | null, transactionTimeoutMs = 60_000) => ({
  transactionalId,
  transactionTimeoutMs,
  producerId: -1n,
  producerEpoch: -1,
});

/** AddPartitionsToTxn at `v`: the v0–3 single-transaction form or the v4+ batched one. */
export function addPartitions(
  v: number,
  id: string,
  topics: Array<[string, number[]]>,
  opts: { pidDelta?: bigint; epochDelta?: number; verifyOnly?: boolean } = {},
) {
  return (s: Side) => {
    const producerId = pid(id)(s) + (opts.pidDelta ?? 0n);
    const producerEpoch = epoch(id)(s) + (opts.epochDelta ?? 0);
    const named = topics.map(([name, partitions]) => ({ name, partitions }));
    return v <= 3
      ? {
        transactions: [],
        v3AndBelowTransactionalId: id,
        v3AndBelowProducerId: producerId,
        v3AndBelowProducerEpoch: producerEpoch,
        v3AndBelowTopics: named,
      }
      : {
        transactions: [{
          transactionalId: id,
          producerId,
          producerEpoch,
          verifyOnly: opts.verifyOnly ?? false,
          topics: named,
        }],
        v3AndBelowTransactionalId: "",
        v3AndBelowProducerId: 0n,
        v3AndBelowProducerEpoch: 0,
        v3AndBelowTopics: [],
      };
  };
}

/** EndTxn for `id`, committing or aborting; the deltas make its producer id or epoch wrong. */
export const endTxn =
  (id: string, committed: boolean, opts: { pidDelta?: bigint; epochDelta?: number } = {}) => (s: Side) => ({
    transactionalId: id,
    producerId: pid(id)(s) + (opts.pidDelta ?? 0n),
    producerEpoch: epoch(id)(s) + (opts.epochDelta ?? 0),
    committed,
  });

/** AddOffsetsToTxn of `groupId` for `id`; the deltas make its producer id or epoch wrong. */
export const addOffsets =
  (id: string, groupId: string, opts: { pidDelta?: bigint; epochDelta?: number } = {}) => (s: Side) => ({
    transactionalId: id,
    producerId: pid(id)(s) + (opts.pidDelta ?? 0n),
    producerEpoch: epoch(id)(s) + (opts.epochDelta ?? 0),
    groupId,
  });

/** A transactional batch of `n` records from `id`'s producer, its sequence continuing per partition. */
export function txnProduce(id: string, topic: string, partition: number, n: number, tag: string, transactional = true) {
  return (s: Side) => {
    const key = `${id}:seq:${topic}-${partition}:${pid(id)(s)}:${epoch(id)(s)}`;
    const seq = (s.vars[key] as number | undefined) ?? 0;
    s.vars[key] = seq + n;
    const records = buildBatch(
      Array.from({ length: n }, (_, i) => ({
        key: utf8.encode(`k${i}`),
        value: utf8.encode(`${tag}-${i}`),
        timestampDelta: i,
      })),
      {
        baseTimestamp: BASE_TIMESTAMP,
        producerId: pid(id)(s),
        producerEpoch: epoch(id)(s),
        baseSequence: seq,
        isTransactional: transactional,
      },
    );
    return {
      transactionalId: transactional ? id : null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    };
  };
}

/** Asks one side (uncompared) until `done` holds or 10 s pass; whether it held. */
export async function waitFor(
  side: Side,
  apiKey: number,
  version: number,
  request: unknown,
  done: (b: Body) => boolean,
) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const out = await side.send(apiKey, version, request);
    if (out.kind === "answer" && done(out.body)) return true;
    await sleep(100);
  }
  return false;
}

/**
 * Starts both brokers, waits until Kafka has created and loaded __transaction_state and __consumer_offsets,
 * and creates the test's topics (compared).
 */
export async function startTransactionsOracle(): Promise<Oracle> {
  const o = await Oracle.start("transactions_test.ts", {}, { "transaction.state.log.num.partitions": "1" });
  // Kafka creates and loads __transaction_state and __consumer_offsets on first use.
  for (const side of o.sides()) {
    for (const keyType of [0, 1]) {
      await o.warmUp(
        side,
        10,
        4,
        { key: "", keyType, coordinatorKeys: ["warm-up"] },
        (b) => b.coordinators[0].errorCode === 0,
      );
    }
    await o.warmUp(side, 22, 4, init("warm-up"), (b) => b.errorCode === 0);
  }
  await o.compare({
    title: "create",
    apiKey: 19,
    version: 7,
    request: {
      ...defaultCreateTopicsRequest(),
      topics: [TOPIC, READ, MARKERS].map((name) => ({
        ...defaultCreatableTopic(),
        name,
        numPartitions: 2,
        replicationFactor: 1,
      })),
    },
  });
  await o.settle([TOPIC, READ, MARKERS]);
  return o;
}

/** InitProducerId for `id` (compared); remembers each side's producer id and epoch. */
export async function begin(o: Oracle, id: string, version = 4, title = "init"): Promise<Comparison> {
  const c = await o.compare({ title, apiKey: 22, version, request: init(id) });
  o.remember(`${id}:pid`, c, (b) => b.producerId);
  o.remember(`${id}:epoch`, c, (b) => b.producerEpoch);
  return c;
}

/** Waits on each side (not compared) until `id`'s transaction has finished (markers written). */
export async function finished(o: Oracle, id: string): Promise<void> {
  for (const side of o.sides()) {
    await o.warmUp(
      side,
      65,
      0,
      { transactionalIds: [id] },
      (b) => DONE.includes(b.transactionStates[0].transactionState),
    );
  }
}

/** Retries InitProducerId on each side (not compared) until it succeeds, remembering the answer. */
export async function reinitUntilDone(o: Oracle, id: string): Promise<void> {
  for (const side of o.sides()) {
    const vars: Vars = side.vars;
    await o.warmUp(side, 22, 4, {
      ...init(id),
    }, (b) => {
      if (b.errorCode !== 0) return false;
      vars[`${id}:pid`] = b.producerId;
      vars[`${id}:epoch`] = b.producerEpoch;
      return true;
    });
  }
}
