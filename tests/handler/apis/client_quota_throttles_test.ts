/**
 * What a throttle does to an answer, through a RequestHandler with a rate
 * table on an in-process broker core: a Fetch over its consumer byte rate
 * answers with no partitions (a full fetch opens no session, an incremental
 * one keeps its id and epoch) and its bytes are not counted; a request
 * quota (KIP-124) throttles every API but the exempt ones, by at most one
 * window; controller mutations (KIP-599) refuse the topics that find the
 * bucket below 0 from the strict versions on, and only throttle before.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { produceRecords, withBroker } from "./_helpers.ts";
import { dispatchTable } from "../../../src/handler/apis/registry.ts";
import { RequestHandler } from "../../../src/handler/request_handler.ts";
import { ClientQuotas } from "../../../src/handler/services/client_quotas.ts";
import { createRateTableBuffer, RateTable } from "../../../src/cluster/quota/rate_table.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { Logger } from "../../../src/util/logger.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { CODECS } from "../../differential/_codecs.ts";
import * as fe from "../../../src/protocol/generated/fetch.ts";
import * as ct from "../../../src/protocol/generated/create_topics.ts";
import * as cp from "../../../src/protocol/generated/create_partitions.ts";
import * as md from "../../../src/protocol/generated/metadata.ts";
import type { LocalBroker } from "../_local_broker.ts";

// deno-lint-ignore no-explicit-any
type Body = any;

/** Sends through one RequestHandler (its own rate table) as `principal` / `clientId`; the answer and its hold. */
function sender(b: LocalBroker) {
  const handler = new RequestHandler(
    dispatchTable(),
    () => b.states[0],
    new Logger("quota-throttle-test"),
    false,
    new ClientQuotas(new RateTable(createRateTableBuffer())),
  );
  return async (clientId: string, apiKey: number, version: number, body: Body) => {
    const codecs = CODECS.get(apiKey)!;
    const w = new Writer(128);
    encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId: 1,
      clientId,
    });
    codecs.encode(w, version, body);
    const result = await handler.handle(w.finish().slice(), {
      listenerIndex: 0,
      principal: "User:ANONYMOUS",
      clientAddress: "x:1",
    });
    if (result.action === "close") throw new Error(result.reason);
    if (result.action === "none") return { body: null, throttleMs: result.throttleMs ?? 0 };
    const r = new Reader(result.bytes, 4);
    decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    return { body: codecs.decode(r, version) as Body, throttleMs: result.throttleMs ?? 0 };
  };
}

async function setQuota(b: LocalBroker, entity: Record<string, string | null>, key: string, value: number) {
  const res = await sender(b)("admin", 49, 1, {
    entries: [{
      entity: Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName })),
      ops: [{ key, value, remove: false }],
    }],
    validateOnly: false,
  });
  assert.equal(res.body.entries[0].errorCode, 0);
}

const fetchRequest = (sessionId: number, sessionEpoch: number, partitions = true) => ({
  ...fe.defaultFetchRequest(),
  maxWaitMs: 0,
  sessionId,
  sessionEpoch,
  topics: partitions
    ? [{
      ...fe.defaultFetchTopic(),
      topic: "t",
      partitions: [{ ...fe.defaultFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
    }]
    : [],
});

describe("client quota throttles", () => {
  test("a throttled Fetch answers no partitions, keeps its session, and its bytes are not counted", async () => {
    await withBroker({ handlers: 1 }, async (b) => {
      await b.createTopic("t", 1);
      const value = new Uint8Array(60_000);
      await produceRecords(
        b,
        "t",
        0,
        buildBatch([{ key: null, value, timestampDelta: 0 }], { baseTimestamp: BigInt(Date.now()) }),
      );
      await setQuota(b, { "client-id": "slow" }, "consumer_byte_rate", 5000);
      const send = sender(b);

      const open = await send("free", 1, 12, fetchRequest(0, 0));
      assert.equal(open.body.responses[0].partitions[0].records.byteLength > 60_000, true, "no quota: records");
      const sessionId = open.body.sessionId;
      assert.ok(sessionId > 0);

      // 60 kB against 5000 B/s over Kafka's 10 s minimum span: about 2 s.
      const full = await send("slow", 1, 12, fetchRequest(0, 0));
      assert.equal(full.body.errorCode, 0);
      assert.deepEqual(full.body.responses, [], "no partitions at all");
      assert.equal(full.body.sessionId, 0, "a throttled full fetch opens no session");
      assert.ok(full.body.throttleTimeMs > 1000 && full.body.throttleTimeMs < 3000, `${full.body.throttleTimeMs}`);
      assert.equal(full.throttleMs, full.body.throttleTimeMs);

      // Not counted: the same fetch again is throttled as long, not for 120 kB (14 s, capped at 11 s).
      const incremental = await send("slow", 1, 12, fetchRequest(sessionId, 1, false));
      assert.equal(incremental.body.errorCode, 0);
      assert.equal(incremental.body.sessionId, sessionId, "an incremental one keeps its session");
      assert.deepEqual(incremental.body.responses, []);
      assert.ok(Math.abs(incremental.body.throttleTimeMs - full.body.throttleTimeMs) < 200, "bytes not counted");

      // The session moved on to epoch 2 and still owes the records.
      const after = await send("free", 1, 12, fetchRequest(sessionId, 2, false));
      assert.equal(after.body.errorCode, 0);
      assert.ok(after.body.responses[0].partitions[0].records.byteLength > 60_000);
    });
  });

  test("request_percentage throttles by at most one window; acks=0 and SaslHandshake are exempt", async () => {
    await withBroker({ handlers: 1 }, async (b) => {
      await b.createTopic("t", 1);
      // 0.0001% of a thread: 1 µs a second, which any request is over.
      await setQuota(b, { "client-id": "busy" }, "request_percentage", 0.0001);
      const send = sender(b);
      const metadata = { ...md.defaultMetadataRequest(), topics: null };
      const busy = await send("busy", 3, 12, metadata);
      assert.equal(busy.body.throttleTimeMs, 1000, "capped at one quota window");
      assert.equal(busy.throttleMs, 1000);
      const versions = await send("busy", 18, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1" });
      assert.equal(versions.throttleMs, 1000, "ApiVersions counts, as in Kafka's KafkaApis");
      const other = await send("idle", 3, 12, metadata);
      assert.equal(other.body.throttleTimeMs, 0);
      assert.equal(other.throttleMs, 0);

      const records = buildBatch([{ key: null, value: new Uint8Array(10), timestampDelta: 0 }], {
        baseTimestamp: BigInt(Date.now()),
      });
      const acksZero = await send("busy", 0, 9, {
        transactionalId: null,
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
      });
      assert.equal(acksZero.body, null);
      assert.equal(acksZero.throttleMs, 0, "acks=0 is exempt");
      const handshake = await send("busy", 17, 1, { mechanism: "PLAIN" });
      assert.equal(handshake.throttleMs, 0, "SaslHandshake is exempt");
    });
  });

  test("controller mutations: strict versions refuse once the bucket is below 0, older ones throttle", async () => {
    await withBroker({ handlers: 1 }, async (b) => {
      // 1 mutation a second: a burst of 11 (11 windows of 1 s).
      await setQuota(b, { "client-id": "admin" }, "controller_mutation_rate", 1);
      const send = sender(b);
      const topic = (name: string, numPartitions: number) => ({
        ...ct.defaultCreatableTopic(),
        name,
        numPartitions,
        replicationFactor: 1,
      });
      const create = (version: number, topics: Body[]) =>
        send("admin", 19, version, { ...ct.defaultCreateTopicsRequest(), timeoutMs: 10_000, topics });

      // 11 tokens: a (10) passes, b (10) too (1 token left: not below 0), c finds -9 and is refused.
      const strict = await create(7, [topic("a", 10), topic("b", 10), topic("c", 1)]);
      assert.deepEqual(strict.body.topics.map((t: Body) => t.errorCode), [0, 0, ErrorCode.THROTTLING_QUOTA_EXCEEDED]);
      assert.equal(strict.body.topics[2].errorMessage, "The throttling quota has been exceeded.");
      assert.ok(
        strict.body.throttleTimeMs > 8000 && strict.body.throttleTimeMs <= 9000,
        `${strict.body.throttleTimeMs}`,
      );
      assert.equal(strict.throttleMs, strict.body.throttleTimeMs, "the connection is held as long");

      // v5 is permissive: created although the bucket is below 0, and throttled.
      const permissive = await create(5, [topic("d", 1)]);
      assert.deepEqual(permissive.body.topics.map((t: Body) => t.errorCode), [0]);
      assert.ok(permissive.body.throttleTimeMs > 9000, `${permissive.body.throttleTimeMs}`);

      const partitions = await send(
        "admin",
        37,
        3,
        {
          topics: [{ name: "d", count: 3, assignments: null }],
          timeoutMs: 10_000,
          validateOnly: false,
        } satisfies cp.CreatePartitionsRequest,
      );
      assert.equal(partitions.body.results[0].errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
      const deleted = await send("admin", 20, 5, { topicNames: ["a"], timeoutMs: 10_000, topics: [] });
      assert.equal(deleted.body.responses[0].errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
      const deletedV4 = await send("admin", 20, 4, { topicNames: ["a"], timeoutMs: 10_000, topics: [] });
      assert.equal(deletedV4.body.responses[0].errorCode, 0, "v4 is permissive");
      assert.ok(deletedV4.body.throttleTimeMs > 0);

      // Another client id is not counted against admin's bucket.
      const other = await send("other", 19, 7, { ...ct.defaultCreateTopicsRequest(), topics: [topic("e", 1)] });
      assert.deepEqual(other.body.topics.map((t: Body) => t.errorCode), [0]);
      assert.equal(other.body.throttleTimeMs, 0);
    });
  });
});
