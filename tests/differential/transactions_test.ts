/**
 * Differential: transactions (issue 13) — InitProducerId (22) with
 * transactional ids, AddPartitionsToTxn (24), AddOffsetsToTxn (25), EndTxn
 * (26), WriteTxnMarkers (27), TxnOffsetCommit (28), DescribeTransactions (65),
 * ListTransactions (66), with FindCoordinator key type 1 (10), transactional Produce (0),
 * read_committed Fetch (1) and ListOffsets (2), and OffsetFetch require_stable
 * (9) — at every version both brokers advertise, against the reference Kafka.
 *
 * Each transactional id is driven through the same steps on both brokers; the
 * producer ids each broker hands out differ, so requests are built per side
 * from the answers remembered (side.vars) and the ids in answers are aliased.
 * Error paths: epochs bumped on re-init, wrong epochs (PRODUCER_FENCED or
 * INVALID_PRODUCER_EPOCH by version), unknown producer ids, unknown topics,
 * EndTxn without a transaction (INVALID_TXN_STATE), InitProducerId during an
 * open transaction (CONCURRENT_TRANSACTIONS), invalid transaction timeouts,
 * a transactional produce to a partition not added (KIP-890 verification).
 *
 * Between steps that complete asynchronously on Kafka (markers written after
 * EndTxn answers) the test waits on each side, uncompared, until
 * DescribeTransactions shows the transaction finished. The request builders,
 * the brokers' start and those waits are in _transactions.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Body, Oracle, type Side, sleep, SUITE_COVERAGE } from "./_oracle.ts";
import {
  addOffsets,
  addPartitions,
  begin,
  endTxn,
  epoch,
  finished,
  init,
  MARKERS,
  pid,
  READ,
  reinitUntilDone,
  startTransactionsOracle,
  TOPIC,
  txnProduce,
  type Vars,
  waitFor,
} from "./_transactions.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../src/protocol/generated/fetch.ts";
import { defaultListOffsetsPartition } from "../../src/protocol/generated/list_offsets.ts";

describe("differential: transactions", () => {
  let o: Oracle;

  before(async () => {
    o = await startTransactionsOracle();
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("FindCoordinator: transactional ids (key type 1)", async () => {
    for (const v of o.common(10)) {
      if (v === 0) continue; // key type from v1
      const request = v >= 4
        ? { key: "", keyType: 1, coordinatorKeys: ["tx-a", "tx-b"] }
        : { key: "tx-a", keyType: 1, coordinatorKeys: [] };
      await o.compare({ title: "transactional id", apiKey: 10, version: v, request });
    }
    o.assertNoDifferences();
  });

  test("InitProducerId: transactional ids, the epoch bump on re-init, KIP-360, fencing, invalid timeouts", async () => {
    for (const v of o.common(22)) {
      const id = `ti-${v}`;
      await begin(o, id, v, "transactional id");
      await begin(o, id, v, "re-init bumps the epoch");
      if (v >= 3) {
        // KIP-360: naming the current producer id and epoch bumps the epoch (a producer recovering its own id).
        const c = await o.compare({
          title: "re-init with the current producer id and epoch",
          apiKey: 22,
          version: v,
          request: (s: Side) => ({ ...init(id), producerId: pid(id)(s), producerEpoch: epoch(id)(s) }),
        });
        await o.compare({
          title: "re-init with an old epoch",
          apiKey: 22,
          version: v,
          request: (s: Side) => ({ ...init(id), producerId: pid(id)(s), producerEpoch: epoch(id)(s) }),
        });
        await o.compare({
          title: "re-init with another producer id",
          apiKey: 22,
          version: v,
          request: (s: Side) => ({ ...init(id), producerId: pid(id)(s) + 1000n, producerEpoch: 0 }),
        });
        o.remember(`${id}:pid`, c, (b) => b.producerId);
        o.remember(`${id}:epoch`, c, (b) => b.producerEpoch);
      }
      for (const timeout of [0, -1, 900_001, 2_000_000_000]) {
        await o.compare({
          title: `invalid transaction timeout ${timeout}`,
          apiKey: 22,
          version: v,
          request: init(`ti-bad-${v}-${timeout}`, timeout),
        });
      }
    }
    o.assertNoDifferences();
  });

  test("AddPartitionsToTxn: added, unknown topic and partition, wrong epoch, unknown producer id, verify-only", async () => {
    for (const v of o.common(24)) {
      const id = `ta-${v}`;
      await begin(o, id);
      await o.compare({ title: "add", apiKey: 24, version: v, request: addPartitions(v, id, [[TOPIC, [0, 1]]]) });
      await o.compare({ title: "add again", apiKey: 24, version: v, request: addPartitions(v, id, [[TOPIC, [0]]]) });
      await o.compare({
        title: "unknown topic beside a known one",
        apiKey: 24,
        version: v,
        request: addPartitions(v, id, [[TOPIC, [1]], ["tx-none", [0]]]),
      });
      await o.compare({
        title: "unknown partition",
        apiKey: 24,
        version: v,
        request: addPartitions(v, id, [[TOPIC, [7]]]),
      });
      await o.compare({
        title: "epoch above the current one",
        apiKey: 24,
        version: v,
        request: addPartitions(v, id, [[TOPIC, [0]]], { epochDelta: 1 }),
      });
      await o.compare({
        title: "epoch below the current one",
        apiKey: 24,
        version: v,
        request: addPartitions(v, id, [[TOPIC, [0]]], { epochDelta: -1 }),
      });
      await o.compare({
        title: "unknown producer id",
        apiKey: 24,
        version: v,
        request: addPartitions(v, id, [[TOPIC, [0]]], { pidDelta: 1000n }),
      });
      await o.compare({
        title: "unknown transactional id",
        apiKey: 24,
        version: v,
        request: (s: Side) => {
          s.vars[`${id}-none:pid`] = pid(id)(s);
          s.vars[`${id}-none:epoch`] = epoch(id)(s);
          return addPartitions(v, `${id}-none`, [[TOPIC, [0]]])(s);
        },
      });
      if (v >= 4) {
        await o.compare({
          title: "verify only: an added partition",
          apiKey: 24,
          version: v,
          request: addPartitions(v, id, [[TOPIC, [0]]], { verifyOnly: true }),
        });
        const other = `ta-${v}-v`;
        await begin(o, other);
        await o.compare({
          title: "verify only: a partition not added",
          apiKey: 24,
          version: v,
          request: addPartitions(v, other, [[TOPIC, [0]]], { verifyOnly: true }),
        });
      }
      await o.compare({ title: "abort", apiKey: 26, version: 3, request: endTxn(id, false) });
      await finished(o, id);
    }
    o.assertNoDifferences();
  });

  test("AddOffsetsToTxn: added, wrong epoch, unknown producer id", async () => {
    for (const v of o.common(25)) {
      const id = `to-${v}`;
      await begin(o, id);
      await o.compare({ title: "add offsets", apiKey: 25, version: v, request: addOffsets(id, `g-${id}`) });
      await o.compare({ title: "add offsets again", apiKey: 25, version: v, request: addOffsets(id, `g-${id}`) });
      await o.compare({
        title: "wrong epoch",
        apiKey: 25,
        version: v,
        request: addOffsets(id, `g-${id}`, { epochDelta: -1 }),
      });
      await o.compare({
        title: "unknown producer id",
        apiKey: 25,
        version: v,
        request: addOffsets(id, `g-${id}`, { pidDelta: 1000n }),
      });
      await o.compare({ title: "abort", apiKey: 26, version: 3, request: endTxn(id, false) });
      await finished(o, id);
    }
    o.assertNoDifferences();
  });

  test("EndTxn: commit, abort, without a transaction, wrong epoch, unknown producer id; InitProducerId while open", async () => {
    for (const v of o.common(26)) {
      const id = `te-${v}`;
      await begin(o, id);
      await o.compare({ title: "without a transaction", apiKey: 26, version: v, request: endTxn(id, true) });
      await o.compare({ title: "abort without a transaction", apiKey: 26, version: v, request: endTxn(id, false) });
      await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, id, [[TOPIC, [0]]]) });
      await o.compare({ title: "produce", apiKey: 0, version: 9, request: txnProduce(id, TOPIC, 0, 2, `e${v}`) });
      await o.compare({ title: "wrong epoch", apiKey: 26, version: v, request: endTxn(id, true, { epochDelta: -1 }) });
      await o.compare({
        title: "unknown producer id",
        apiKey: 26,
        version: v,
        request: endTxn(id, true, { pidDelta: 1000n }),
      });
      await o.compare({ title: "commit", apiKey: 26, version: v, request: endTxn(id, true) });
      await finished(o, id);
      await o.compare({ title: "abort after the commit", apiKey: 26, version: v, request: endTxn(id, false) });
      // An open transaction: re-init aborts it first and answers CONCURRENT_TRANSACTIONS until that is done.
      await o.compare({ title: "add again", apiKey: 24, version: 3, request: addPartitions(3, id, [[TOPIC, [1]]]) });
      await o.compare({ title: "produce again", apiKey: 0, version: 9, request: txnProduce(id, TOPIC, 1, 1, `o${v}`) });
      // Kafka answers CONCURRENT_TRANSACTIONS while it aborts (its client retries); tsbroker waits for the abort
      // instead (up to 1 s) and answers at once. Kafka is asked again until it answers the same: the producer must
      // end with the same id and epoch on both.
      await o.compare({
        title: "re-init while a transaction is open",
        apiKey: 22,
        version: 4,
        request: init(id),
        settleMs: 10_000,
      });
      await reinitUntilDone(o, id);
      await o.compare({ title: "abort", apiKey: 26, version: v, request: endTxn(id, false) });
    }
    o.assertNoDifferences();
  });

  test("Produce: a transactional batch needs its partition added first (KIP-890 verification)", async () => {
    for (const v of o.common(0).filter((v) => v >= 3)) {
      const id = `tp-${v}`;
      await begin(o, id);
      await o.compare({
        title: "transactional produce to a partition not added",
        apiKey: 0,
        version: v,
        request: txnProduce(id, TOPIC, 0, 1, `np${v}`),
      });
      // Kafka took no sequence for the refused batch: start the partition's sequence again.
      for (const side of o.sides()) delete side.vars[`${id}:seq:${TOPIC}-0:${pid(id)(side)}:${epoch(id)(side)}`];
      await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, id, [[TOPIC, [0]]]) });
      await o.compare({
        title: "transactional produce after the add",
        apiKey: 0,
        version: v,
        request: txnProduce(id, TOPIC, 0, 2, `p${v}`),
      });
      await o.compare({ title: "commit", apiKey: 26, version: 3, request: endTxn(id, true) });
      await finished(o, id);
    }
    o.assertNoDifferences();
  });

  test("TxnOffsetCommit and OffsetFetch require_stable: pending until the commit, dropped on abort", async () => {
    const fetchOffsets = (v: number, groupId: string, requireStable: boolean) =>
      v >= 8
        ? {
          groupId: "",
          topics: null,
          groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] }],
          requireStable,
        }
        : { groupId, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }], groups: [], requireStable };
    for (const v of o.common(28)) {
      for (const commit of [true, false]) {
        const id = `tc-${v}-${commit ? "c" : "a"}`;
        const group = `g-${id}`;
        await begin(o, id);
        const txnCommit = (extra: Vars = {}) => (s: Side) => ({
          transactionalId: id,
          groupId: group,
          producerId: pid(id)(s),
          producerEpoch: epoch(id)(s),
          generationId: -1,
          memberId: "",
          groupInstanceId: null,
          topics: [{
            name: TOPIC,
            partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: "m" }],
          }],
          ...extra,
        });
        await o.compare({ title: "add offsets", apiKey: 25, version: 3, request: addOffsets(id, group) });
        await o.compare({ title: "commit offsets", apiKey: 28, version: v, request: txnCommit() });
        await o.compare({
          title: "commit offsets with a wrong epoch",
          apiKey: 28,
          version: v,
          request: (s: Side) => ({ ...txnCommit()(s), producerEpoch: epoch(id)(s) + 1 }),
        });
        await o.compare({
          title: "commit offsets of a group not added",
          apiKey: 28,
          version: v,
          request: txnCommit({ groupId: `${group}-not-added` }),
        });
        if (v >= 3) {
          await o.compare({
            title: "commit offsets as an unknown member",
            apiKey: 28,
            version: v,
            request: txnCommit({ generationId: 3, memberId: "nobody" }),
          });
        }
        for (const fv of o.common(9).filter((x) => x >= 7)) {
          await o.compare({
            title: "fetch require_stable while pending",
            apiKey: 9,
            version: fv,
            request: fetchOffsets(fv, group, true),
          });
          await o.compare({
            title: "fetch while pending",
            apiKey: 9,
            version: fv,
            request: fetchOffsets(fv, group, false),
          });
        }
        await o.compare({ title: commit ? "commit" : "abort", apiKey: 26, version: 3, request: endTxn(id, commit) });
        await finished(o, id);
        // The marker reaches __consumer_offsets after EndTxn answers: wait (uncompared, 10 s at most) until the
        // offsets are stable on each side; if they never are, the comparison below shows it.
        for (const side of o.sides()) {
          await waitFor(side, 9, 7, fetchOffsets(7, group, true), (b) => b.topics[0].partitions[0].errorCode !== 88);
        }
        for (const fv of o.common(9).filter((x) => x >= 7)) {
          await o.compare({
            title: `fetch require_stable after the ${commit ? "commit" : "abort"}`,
            apiKey: 9,
            version: fv,
            request: fetchOffsets(fv, group, true),
            settleMs: 5000,
          });
        }
      }
    }
    o.assertNoDifferences();
  });

  test("DescribeTransactions and ListTransactions: states, filters, v1's duration filter", async () => {
    const id = "td-open";
    await begin(o, id);
    await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, id, [[TOPIC, [0, 1]]]) });
    await o.compare({ title: "add offsets", apiKey: 25, version: 3, request: addOffsets(id, "g-td") });
    const done = "td-done";
    await begin(o, done);
    await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, done, [[TOPIC, [1]]]) });
    await o.compare({ title: "commit", apiKey: 26, version: 3, request: endTxn(done, true) });
    await finished(o, done);
    for (const v of o.common(65)) {
      await o.compare({
        title: "open, finished, unknown",
        apiKey: 65,
        version: v,
        request: { transactionalIds: [id, done, "td-none"] },
      });
    }
    for (const v of o.common(66)) {
      const list = (stateFilters: string[], ids: string[], durationFilter = -1n) => (s: Side) => ({
        stateFilters,
        producerIdFilters: ids.map((x) => pid(x)(s)),
        durationFilter,
      });
      await o.compare({ title: "by producer id", apiKey: 66, version: v, request: list([], [id, done]) });
      await o.compare({
        title: "by state and producer id",
        apiKey: 66,
        version: v,
        request: list(["Ongoing"], [id, done]),
      });
      await o.compare({
        title: "unknown state filter",
        apiKey: 66,
        version: v,
        request: list(["Bogus", "Ongoing"], [id]),
      });
      if (v >= 1) {
        await o.compare({
          title: "running longer than an hour",
          apiKey: 66,
          version: v,
          request: list([], [id, done], 3_600_000n),
        });
        await o.compare({
          title: "running longer than 0 ms",
          apiKey: 66,
          version: v,
          request: list([], [id, done], 0n),
        });
      }
    }
    await o.compare({ title: "abort", apiKey: 26, version: 3, request: endTxn(id, false) });
    await finished(o, id);
    o.assertNoDifferences();
  });

  test("read_committed Fetch and ListOffsets: aborted transactions listed, the LSO held by an open one", async () => {
    const [a, c, open] = ["tr-abort", "tr-commit", "tr-open"];
    for (const id of [a, c, open]) await begin(o, id);
    await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, a, [[READ, [0]]]) });
    await o.compare({ title: "produce", apiKey: 0, version: 9, request: txnProduce(a, READ, 0, 3, "aborted") });
    await o.compare({ title: "abort", apiKey: 26, version: 3, request: endTxn(a, false) });
    await finished(o, a);
    await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, c, [[READ, [0]]]) });
    await o.compare({ title: "produce", apiKey: 0, version: 9, request: txnProduce(c, READ, 0, 2, "committed") });
    await o.compare({ title: "commit", apiKey: 26, version: 3, request: endTxn(c, true) });
    await finished(o, c);
    await o.compare({ title: "add", apiKey: 24, version: 3, request: addPartitions(3, open, [[READ, [1]]]) });
    await o.compare({ title: "produce", apiKey: 0, version: 9, request: txnProduce(open, READ, 1, 2, "open") });
    // Settled: both brokers' answers are final once the markers are in (checked above).
    await sleep(100);
    const fetch = (v: number, isolationLevel: number) => async (s: Side) => ({
      ...defaultFetchRequest(),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionEpoch: -1,
      topics: [{
        topic: READ,
        topicId: v >= 13 ? await s.topicId(READ) : "AAAAAAAAAAAAAAAAAAAAAA",
        partitions: [0, 1].map((partition) => ({
          ...defaultFetchPartition(),
          partition,
          fetchOffset: 0n,
          partitionMaxBytes: 1 << 20,
        })),
      }],
    });
    for (const v of o.common(1).filter((v) => v >= 4)) {
      await o.compare({ title: "read_committed fetch", apiKey: 1, version: v, request: fetch(v, 1) });
      await o.compare({ title: "read_uncommitted fetch", apiKey: 1, version: v, request: fetch(v, 0) });
    }
    for (const v of o.common(2).filter((v) => v >= 2)) {
      for (const isolationLevel of [0, 1]) {
        for (const timestamp of [-1n, -2n]) {
          await o.compare({
            title: `list offsets ${timestamp}, isolation level ${isolationLevel}`,
            apiKey: 2,
            version: v,
            request: {
              replicaId: -1,
              isolationLevel,
              topics: [{
                name: READ,
                partitions: [0, 1].map((partitionIndex) => ({
                  ...defaultListOffsetsPartition(),
                  partitionIndex,
                  timestamp,
                })),
              }],
            },
          });
        }
      }
    }
    await o.compare({ title: "abort the open one", apiKey: 26, version: 3, request: endTxn(open, false) });
    await finished(o, open);
    o.assertNoDifferences();
  });

  test("WriteTxnMarkers: an abort marker for an open transaction's partition ends it there; unknown topics", async () => {
    for (const v of o.advertised(27)) {
      const id = `tw-${v}`;
      // A partition per version: tsbroker writes the v0 marker that Kafka (without v0) does not.
      const partition = v % 2;
      await begin(o, id);
      await o.compare({
        title: "add",
        apiKey: 24,
        version: 3,
        request: addPartitions(3, id, [[MARKERS, [partition]]]),
      });
      await o.compare({
        title: "produce",
        apiKey: 0,
        version: 9,
        request: txnProduce(id, MARKERS, partition, 2, `w${v}`),
      });
      const lso = {
        replicaId: -1,
        isolationLevel: 1,
        topics: [{
          name: MARKERS,
          partitions: [{ ...defaultListOffsetsPartition(), partitionIndex: partition, timestamp: -1n }],
        }],
      };
      await o.compare({ title: "LSO held by the open transaction", apiKey: 2, version: 7, request: lso });
      const marker = await o.compare({
        title: "abort marker",
        apiKey: 27,
        version: v,
        request: (s: Side) => ({
          markers: [{
            producerId: pid(id)(s),
            producerEpoch: epoch(id)(s),
            transactionResult: false,
            topics: [{ name: MARKERS, partitionIndexes: [partition] }, { name: "txw-none", partitionIndexes: [0] }],
            coordinatorEpoch: 0,
          }],
        }),
      });
      if (o.kafkaSupports(27, v)) {
        await o.compare({ title: "LSO after the marker", apiKey: 2, version: 7, request: lso });
      } else {
        // Kafka 4 closes the connection on v0 (KIP-896); tsbroker answers it as it answers v1.
        const topics = marker.tsbroker.markers[0].topics;
        assert.deepEqual(
          topics.map((t: Body) => [t.name, t.partitions[0].errorCode]).sort(),
          [[MARKERS, 0], ["txw-none", 3]],
        );
      }
      await o.compare({ title: "abort", apiKey: 26, version: 3, request: endTxn(id, false) });
      await finished(o, id);
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of the transactional APIs", () => {
    o.assertCovered(SUITE_COVERAGE["transactions_test.ts"]);
  });
});
