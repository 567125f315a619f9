/** KIP-227 fetch sessions: sessionless, full, incremental, errors, eviction and closing, as Kafka 3.9 answers. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  defaultFetchPartition,
  defaultFetchRequest,
  defaultPartitionData,
  type FetchRequest,
  type PartitionData,
} from "../../../src/protocol/generated/fetch.ts";
import {
  FetchSessionCache,
  type FetchSessionResponse,
  type FetchTarget,
  nextEpoch,
  shardOf,
} from "../../../src/handler/services/fetch_session_cache.ts";

const FETCH_SESSION_ID_NOT_FOUND = 70;
const INVALID_FETCH_SESSION_EPOCH = 71;
const FETCH_SESSION_TOPIC_ID_ERROR = 106;
const OFFSET_OUT_OF_RANGE = 1;

type Part = [topic: string, partition: number, fetchOffset?: number];

/** A Fetch request; topics are names for v<13 and ids for v13+. */
function request(
  version: number,
  sessionId: number,
  sessionEpoch: number,
  parts: Part[],
  forgotten: [string, number[]][] = [],
  replicaId = -1,
): FetchRequest {
  const r = defaultFetchRequest();
  r.sessionId = sessionId;
  r.sessionEpoch = sessionEpoch;
  r.replicaId = replicaId;
  r.replicaState.replicaId = replicaId;
  for (const [topic, partition, offset] of parts) {
    let t = r.topics.at(-1);
    if (!t || (version >= 13 ? t.topicId : t.topic) !== topic) {
      t = {
        topic: version >= 13 ? "" : topic,
        topicId: version >= 13 ? topic : "AAAAAAAAAAAAAAAAAAAAAA",
        partitions: [],
      };
      r.topics.push(t);
    }
    t.partitions.push({
      ...defaultFetchPartition(),
      partition,
      fetchOffset: BigInt(offset ?? 0),
      partitionMaxBytes: 1024,
    });
  }
  r.forgottenTopicsData = forgotten.map(([topic, partitions]) => ({
    topic: version >= 13 ? "" : topic,
    topicId: version >= 13 ? topic : "AAAAAAAAAAAAAAAAAAAAAA",
    partitions,
  }));
  return r;
}

interface State {
  hw: bigint;
  records?: number;
  error?: number;
  logStart?: bigint;
}

/** Reads every target from `log` (default: high watermark 10, no records). */
function read(targets: readonly FetchTarget[], log: Record<string, State> = {}): PartitionData[] {
  return targets.map((t) => {
    const s = log[`${t.topic}-${t.partition}`] ?? { hw: 10n };
    return {
      ...defaultPartitionData(),
      partitionIndex: t.partition,
      errorCode: s.error ?? 0,
      highWatermark: s.hw,
      logStartOffset: s.logStart ?? 0n,
      records: s.records ? new Uint8Array(s.records) : null,
    };
  });
}

/** The partitions of a response as "topic-partition". */
function answered(response: FetchSessionResponse, version = 7): string[] {
  return response.responses.flatMap((t) =>
    t.partitions.map((p) => `${version >= 13 ? t.topicId : t.topic}-${p.partitionIndex}`)
  );
}

function targetsOf(targets: readonly FetchTarget[]): string[] {
  return targets.map((t) => `${t.topic}-${t.partition}`);
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("fetch sessions", () => {
  test("nextEpoch and shardOf", () => {
    assert.equal(nextEpoch(0), 1);
    assert.equal(nextEpoch(-1), -1);
    assert.equal(nextEpoch(2147483647), 1);
    assert.equal(shardOf(5, 1), 0);
    const range = Math.floor(2147483647 / 8);
    assert.equal(shardOf(range * 3 + 1, 8), 3);
    assert.equal(shardOf(2147483646, 8), 7);
  });

  test("sessionless (epoch -1, and every request before v7): all partitions, session id 0, nothing cached", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const ctx = cache.newContext(6, request(6, 0, -1, [["a", 0], ["a", 1], ["b", 0]]));
    assert.equal(ctx.kind, "sessionless");
    assert.deepEqual(targetsOf(ctx.targets), ["a-0", "a-1", "b-0"]);
    const out = ctx.respond(read(ctx.targets));
    assert.equal(out.sessionId, 0);
    assert.equal(out.errorCode, 0);
    assert.deepEqual(answered(out), ["a-0", "a-1", "b-0"]);
    assert.deepEqual(out.responses.map((t) => t.topic), ["a", "b"]);
    assert.equal(cache.size, 0);
  });

  test("full fetch (epoch 0) creates a session; incremental fetches omit unchanged partitions", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0, 5], ["a", 1, 7]]));
    assert.equal(full.kind, "full");
    const first = full.respond(read(full.targets));
    assert.ok(first.sessionId > 0);
    assert.deepEqual(answered(first), ["a-0", "a-1"]);
    assert.equal(cache.size, 1);
    assert.equal(cache.totalPartitions, 2);

    // Epoch 1, nothing asked: both partitions read from the session's cached offsets; nothing changed.
    const inc1 = cache.newContext(12, request(12, first.sessionId, 1, []));
    assert.equal(inc1.kind, "incremental");
    assert.deepEqual(inc1.targets.map((t) => t.fetchOffset), [5n, 7n]);
    const out1 = inc1.respond(read(inc1.targets));
    assert.deepEqual(out1, { errorCode: 0, sessionId: first.sessionId, responses: [] });

    // Epoch 2: a-1 gets records, a-0's high watermark moves; both are answered.
    const inc2 = cache.newContext(12, request(12, first.sessionId, 2, []));
    const out2 = inc2.respond(read(inc2.targets, { "a-0": { hw: 11n }, "a-1": { hw: 12n, records: 100 } }));
    assert.deepEqual(answered(out2), ["a-0", "a-1"]);

    // Epoch 3: same watermarks, no records: nothing; the partition that had records moved to the back.
    const inc3 = cache.newContext(12, request(12, first.sessionId, 3, []));
    assert.deepEqual(targetsOf(inc3.targets), ["a-0", "a-1"]);
    const out3 = inc3.respond(read(inc3.targets, { "a-0": { hw: 11n }, "a-1": { hw: 12n } }));
    assert.deepEqual(answered(out3), []);

    // Records on a-0 move it behind a-1 for the next round.
    const inc4 = cache.newContext(12, request(12, first.sessionId, 4, []));
    inc4.respond(read(inc4.targets, { "a-0": { hw: 11n, records: 10 }, "a-1": { hw: 12n } }));
    const inc5 = cache.newContext(12, request(12, first.sessionId, 5, []));
    assert.deepEqual(targetsOf(inc5.targets), ["a-1", "a-0"]);
  });

  test("incremental add, update and forget", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0, 5], ["a", 1, 7]]));
    const { sessionId } = full.respond(read(full.targets));

    // Add b-0, move a-0's offset, forget a-1.
    const inc = cache.newContext(12, request(12, sessionId, 1, [["a", 0, 9], ["b", 0, 3]], [["a", [1]]]));
    assert.deepEqual(targetsOf(inc.targets), ["a-0", "b-0"]);
    assert.deepEqual(inc.targets.map((t) => t.fetchOffset), [9n, 3n]);
    // The new partition is always answered (nothing was sent for it yet); a-0 unchanged is left out.
    assert.deepEqual(answered(inc.respond(read(inc.targets))), ["b-0"]);
    assert.equal(cache.totalPartitions, 2);
  });

  test("errors are always answered and re-sent once they clear", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const { sessionId } = full.respond(read(full.targets));
    const failing = cache.newContext(12, request(12, sessionId, 1, []));
    const out = failing.respond(read(failing.targets, { "a-0": { hw: 10n, error: OFFSET_OUT_OF_RANGE } }));
    assert.deepEqual(answered(out), ["a-0"]);
    // Back to normal with the very same watermark: answered once more, so the client sees it recovered.
    const ok = cache.newContext(12, request(12, sessionId, 2, []));
    assert.deepEqual(answered(ok.respond(read(ok.targets))), ["a-0"]);
    const quiet = cache.newContext(12, request(12, sessionId, 3, []));
    assert.deepEqual(answered(quiet.respond(read(quiet.targets))), []);
  });

  test("wrong epoch, unknown id and a topic-id mismatch are session errors with no partitions", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const { sessionId } = full.respond(read(full.targets));

    const wrong = cache.newContext(12, request(12, sessionId, 5, [["a", 0]]));
    assert.equal(wrong.kind, "error");
    assert.deepEqual(wrong.respond([]), { errorCode: INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] });

    const unknown = cache.newContext(12, request(12, sessionId + 1, 1, [["a", 0]]));
    assert.deepEqual(unknown.respond([]), { errorCode: FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] });

    const ids = cache.newContext(13, request(13, sessionId, 1, []));
    assert.deepEqual(ids.respond([]), { errorCode: FETCH_SESSION_TOPIC_ID_ERROR, sessionId: 0, responses: [] });

    // The session is intact after errors: epoch 1 still works.
    assert.equal(cache.newContext(12, request(12, sessionId, 1, [])).kind, "incremental");
  });

  test("a duplicate request that moved the epoch on makes the earlier response INVALID_FETCH_SESSION_EPOCH", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const { sessionId } = full.respond(read(full.targets));
    const first = cache.newContext(12, request(12, sessionId, 1, []));
    const second = cache.newContext(12, request(12, sessionId, 2, []));
    assert.deepEqual(first.respond(read(first.targets)), {
      errorCode: INVALID_FETCH_SESSION_EPOCH,
      sessionId,
      responses: [],
    });
    assert.equal(second.respond(read(second.targets)).errorCode, 0);
  });

  test("v13+ keys partitions by topic id", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const idA = "AAAAAAAAAAAAAAAAAAAAAQ";
    const idB = "AAAAAAAAAAAAAAAAAAAAAg";
    const full = cache.newContext(13, request(13, 0, 0, [[idA, 0], [idB, 0]]));
    assert.deepEqual(targetsOf(full.targets), [`${idA}-0`, `${idB}-0`]);
    const first = full.respond(read(full.targets));
    assert.deepEqual(first.responses.map((t) => t.topicId), [idA, idB]);
    const inc = cache.newContext(17, request(17, first.sessionId, 1, [], [[idB, [0]]]));
    assert.deepEqual(targetsOf(inc.targets), [`${idA}-0`]);
    const out = inc.respond(read(inc.targets, { [`${idA}-0`]: { hw: 99n } }));
    assert.deepEqual(answered(out, 13), [`${idA}-0`]);
  });

  test("epoch -1 with a session id closes the session and is answered sessionless", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const { sessionId } = full.respond(read(full.targets));
    const close = cache.newContext(12, request(12, sessionId, -1, [["a", 0]]));
    assert.equal(close.kind, "sessionless");
    assert.equal(close.respond(read(close.targets)).sessionId, 0);
    assert.equal(cache.size, 0);
    assert.equal(cache.newContext(12, request(12, sessionId, 1, [])).kind, "error");
  });

  test("a full fetch naming an old session replaces it with a new one", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const a = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const old = a.respond(read(a.targets)).sessionId;
    const b = cache.newContext(12, request(12, old, 0, [["b", 0]]));
    const fresh = b.respond(read(b.targets)).sessionId;
    assert.notEqual(fresh, old);
    assert.equal(cache.size, 1);
    assert.equal(cache.newContext(12, request(12, old, 1, [])).respond([]).errorCode, FETCH_SESSION_ID_NOT_FOUND);
  });

  test("forgetting every partition closes the session", () => {
    const cache = new FetchSessionCache({ maxSessions: 10 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const { sessionId } = full.respond(read(full.targets));
    const inc = cache.newContext(12, request(12, sessionId, 1, [], [["a", [0]]]));
    assert.equal(inc.kind, "sessionless");
    assert.deepEqual(inc.respond(read(inc.targets)), { errorCode: 0, sessionId: 0, responses: [] });
    assert.equal(cache.size, 0);
  });

  test("no slots: full fetches are answered with session id 0", () => {
    const cache = new FetchSessionCache({ maxSessions: 0 });
    const full = cache.newContext(12, request(12, 0, 0, [["a", 0]]));
    const out = full.respond(read(full.targets));
    assert.equal(out.sessionId, 0);
    assert.deepEqual(answered(out), ["a-0"]);
    assert.equal(cache.size, 0);
  });

  test("cache full: young consumer sessions are kept; stale ones, then smaller old ones, are evicted", () => {
    const c = clock();
    const cache = new FetchSessionCache({ maxSessions: 2, evictionMs: 1000, now: c.now });
    const open = (parts: Part[]) => {
      const ctx = cache.newContext(12, request(12, 0, 0, parts));
      return ctx.respond(read(ctx.targets)).sessionId;
    };
    const use = (id: number, epoch: number) => {
      const ctx = cache.newContext(12, request(12, id, epoch, []));
      assert.equal(ctx.kind, "incremental");
      ctx.respond(read(ctx.targets));
    };
    const s1 = open([["a", 0]]);
    const s2 = open([["a", 0], ["a", 1]]);
    assert.ok(s1 > 0 && s2 > 0);
    // Both young: a bigger consumer session cannot evict them.
    assert.equal(open([["a", 0], ["a", 1], ["a", 2]]), 0);
    assert.equal(cache.evictions, 0);

    // s1 unused for longer than evictionMs is stale: any new session takes its place.
    c.t += 600;
    use(s2, 1);
    c.t += 600;
    const s3 = open([["b", 0]]);
    assert.ok(s3 > 0);
    assert.equal(cache.evictions, 1);
    assert.equal(cache.newContext(12, request(12, s1, 1, [])).respond([]).errorCode, FETCH_SESSION_ID_NOT_FOUND);

    // Both used just now, so nothing is stale; s2, created 1.5 s ago, became evictable at that use, s3 is
    // still young. A session with more partitions than s2 replaces it; one with fewer does not.
    c.t += 300;
    use(s2, 2);
    use(s3, 1);
    assert.equal(open([["c", 0]]), 0);
    const s4 = open([["c", 0], ["c", 1], ["c", 2]]);
    assert.ok(s4 > 0);
    assert.equal(cache.evictions, 2);
    assert.equal(cache.newContext(12, request(12, s2, 3, [])).respond([]).errorCode, FETCH_SESSION_ID_NOT_FOUND);
    assert.equal(cache.newContext(12, request(12, s3, 2, [])).kind, "incremental");
    assert.equal(cache.size, 2);
  });

  test("follower (privileged) sessions may evict young consumer sessions", () => {
    const c = clock();
    const cache = new FetchSessionCache({ maxSessions: 1, evictionMs: 1000, now: c.now });
    const consumer = cache.newContext(12, request(12, 0, 0, [["a", 0], ["a", 1]]));
    const s1 = consumer.respond(read(consumer.targets)).sessionId;
    const follower = cache.newContext(12, request(12, 0, 0, [["a", 0]], [], 2));
    const s2 = follower.respond(read(follower.targets)).sessionId;
    assert.ok(s2 > 0 && s2 !== s1);
    assert.equal(cache.evictions, 1);
  });

  test("session ids stay within the shard's range", () => {
    let r = 0;
    const random = () => (r = (r + 0.37) % 1);
    const cache = new FetchSessionCache({ maxSessions: 100, shard: 3, shardCount: 8, random });
    for (let i = 0; i < 20; i++) {
      const ctx = cache.newContext(12, request(12, 0, 0, [["a", i]]));
      const id = ctx.respond(read(ctx.targets)).sessionId;
      assert.equal(shardOf(id, 8), 3, String(id));
    }
    assert.equal(cache.size, 20);
  });
});
