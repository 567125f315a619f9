/**
 * Bounded work per request (issue 17, cases 1 and 3) on an in-process
 * broker: the broker-wide partition limit (tsbroker.max.partitions) and
 * Kafka's 10,000-partitions-per-request cap refuse CreateTopics,
 * CreatePartitions and auto-creation with POLICY_VIOLATION, validateOnly
 * included; requests repeating names answer as Kafka does without redoing
 * the work; a request with more list entries than
 * tsbroker.request.max.list.entries closes its connection before it is
 * decoded into objects.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { maxPartitions } from "../../../src/cluster/partition_limit.ts";
import {
  type CreatableTopic,
  type CreatableTopicResult,
  decodeCreateTopicsResponse,
  encodeCreateTopicsRequest,
} from "../../../src/protocol/generated/create_topics.ts";
import {
  type CreatePartitionsTopicResult,
  decodeCreatePartitionsResponse,
  encodeCreatePartitionsRequest,
} from "../../../src/protocol/generated/create_partitions.ts";
import { decodeMetadataResponse, encodeMetadataRequest } from "../../../src/protocol/generated/metadata.ts";
import {
  decodeDescribeGroupsResponse,
  encodeDescribeGroupsRequest,
} from "../../../src/protocol/generated/describe_groups.ts";
import {
  decodeDeleteGroupsResponse,
  encodeDeleteGroupsRequest,
} from "../../../src/protocol/generated/delete_groups.ts";
import { requestFrame } from "../../integration/_wire.ts";

const LIMIT = 120;
/** __consumer_offsets is kept small so the limit's arithmetic stays readable. */
const limited = { overrides: [`tsbroker.max.partitions=${LIMIT}`, "offsets.topic.num.partitions=4"] };

function creatable(name: string, numPartitions: number): CreatableTopic {
  return { name, numPartitions, replicationFactor: 1, assignments: [], configs: [] };
}

async function createTopics(b: LocalBroker, topics: CreatableTopic[], validateOnly = false) {
  const res = await b.call(
    19,
    7,
    { topics, timeoutMs: 5000, validateOnly },
    encodeCreateTopicsRequest,
    decodeCreateTopicsResponse,
  );
  return res.topics;
}

async function createPartitions(b: LocalBroker, name: string, count: number, validateOnly = false) {
  const res = await b.call(
    37,
    3,
    { topics: [{ name, count, assignments: null }], timeoutMs: 5000, validateOnly },
    encodeCreatePartitionsRequest,
    decodeCreatePartitionsResponse,
  );
  return res.results[0];
}

async function metadata(b: LocalBroker, names: string[], allowAutoTopicCreation = true) {
  const res = await b.call(
    3,
    9,
    {
      topics: names.map((name) => ({ topicId: "AAAAAAAAAAAAAAAAAAAAAA", name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
    encodeMetadataRequest,
    decodeMetadataResponse,
  );
  return res.topics;
}

function partitionsHeld(b: LocalBroker): number {
  return b.states[0].metadata.image.topics.reduce((n, t) => n + t.partitions, 0);
}

function assertRefusedForLimit(r: CreatableTopicResult | CreatePartitionsTopicResult): void {
  assert.equal(r.errorCode, ErrorCode.POLICY_VIOLATION);
  assert.match(r.errorMessage ?? "", new RegExp(`limit of ${LIMIT} \\(tsbroker\\.max\\.partitions`));
}

describe("partition limit", () => {
  test("unset, tsbroker.max.partitions allows 3 descriptors per partition in storage's half of the open files", () => {
    const config = loadConfig({ overrides: [] });
    assert.equal(maxPartitions(config, 20000), 3290);
    assert.equal(maxPartitions(config, 1024), 128);
    assert.equal(maxPartitions(config, null), 10880);
    assert.equal(maxPartitions(loadConfig({ overrides: ["tsbroker.max.partitions=7"] }), 20000), 7);
  });

  test("CreateTopics: a topic past the limit is POLICY_VIOLATION naming the limit; validateOnly answers the same", async () => {
    await withBroker(limited, async (b) => {
      for (const validateOnly of [true, false]) {
        const [fits, over] = await createTopics(b, [creatable("fits", 100), creatable("over", 21)], validateOnly);
        assert.equal(fits.errorCode, ErrorCode.NONE);
        assertRefusedForLimit(over);
      }
      assert.equal(partitionsHeld(b), 100);
      assert.ok(!b.states[0].metadata.byName.has("over"));
      // Exactly up to the limit is allowed.
      const [last] = await createTopics(b, [creatable("last", LIMIT - 100)]);
      assert.equal(last.errorCode, ErrorCode.NONE);
      const [more] = await createTopics(b, [creatable("more", 1)], true);
      assertRefusedForLimit(more);
    });
  });

  test("CreateTopics: more than 10,000 partitions in one request is refused whole, as Kafka's controller does", async () => {
    await withBroker({}, async (b) => {
      const results = await createTopics(b, [creatable("huge", 20_000), creatable("small", 1)]);
      for (const r of results) {
        assert.equal(r.errorCode, ErrorCode.POLICY_VIOLATION);
        assert.equal(r.errorMessage, "Excessively large number of partitions per request.");
      }
      assert.equal(b.states[0].metadata.image.topics.length, 0);
    });
  });

  test("CreatePartitions past the limit is POLICY_VIOLATION, validateOnly too; up to it is allowed", async () => {
    await withBroker(limited, async (b) => {
      await b.createTopic("grow", 10);
      assertRefusedForLimit(await createPartitions(b, "grow", LIMIT + 1, true));
      assertRefusedForLimit(await createPartitions(b, "grow", LIMIT + 1));
      assert.equal(partitionsHeld(b), 10);
      assert.equal((await createPartitions(b, "grow", LIMIT)).errorCode, ErrorCode.NONE);
      assert.equal(partitionsHeld(b), LIMIT);
    });
  });

  test("Metadata auto-creation stops at the limit; the rest stay LEADER_NOT_AVAILABLE and are not created", async () => {
    await withBroker({ overrides: [...limited.overrides, "num.partitions=50"] }, async (b) => {
      const topics = await metadata(b, ["a1", "a2", "a3"]);
      // The two that fit are created before the answer; the third is refused and left missing.
      assert.deepEqual(topics.map((t) => t.errorCode), [
        ErrorCode.NONE,
        ErrorCode.NONE,
        ErrorCode.LEADER_NOT_AVAILABLE,
      ]);
      assert.equal(partitionsHeld(b), 100);
      const again = await metadata(b, ["a1", "a2", "a3"], false);
      assert.deepEqual(again.map((t) => t.errorCode), [
        ErrorCode.NONE,
        ErrorCode.NONE,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ]);
    });
  });
});

describe("repeated names", () => {
  test("Metadata answers a topic named many times once, as Kafka's set of topics does", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("t", 2);
      const names = [...Array.from({ length: 50_000 }, () => "t"), "", "missing", "t"];
      const topics = await metadata(b, names, false);
      assert.deepEqual(topics.map((t) => [t.name, t.errorCode]), [
        ["t", ErrorCode.NONE],
        ["", ErrorCode.INVALID_TOPIC_EXCEPTION],
        ["missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      assert.equal(topics[0].partitions.length, 2);
    });
  });

  test("DescribeGroups answers every id listed, duplicates included, in request order", async () => {
    await withBroker({}, async (b) => {
      const ids = Array.from({ length: 60_000 }, (_, i) => (i % 3 === 0 ? "" : `g${i % 7000}`));
      const res = await b.call(
        15,
        5,
        { groups: ids, includeAuthorizedOperations: false },
        encodeDescribeGroupsRequest,
        decodeDescribeGroupsResponse,
      );
      assert.equal(res.groups.length, ids.length);
      res.groups.forEach((g, i) => {
        assert.equal(g.groupId, ids[i]);
        assert.equal(g.errorCode, ErrorCode.NONE);
        assert.equal(g.groupState, "Dead");
      });
    });
  });

  test("DeleteGroups answers each distinct name once, in request order", async () => {
    await withBroker({}, async (b) => {
      const names = Array.from({ length: 20_000 }, (_, i) => `d${i % 5000}`);
      const res = await b.call(
        42,
        2,
        { groupsNames: names },
        encodeDeleteGroupsRequest,
        decodeDeleteGroupsResponse,
      );
      assert.deepEqual(
        res.results.map((r) => r.groupId),
        Array.from({ length: 5000 }, (_, i) => `d${i}`),
      );
      assert.ok(res.results.every((r) => r.errorCode === ErrorCode.GROUP_ID_NOT_FOUND));
    });
  });
});

describe("list entries per request", () => {
  test("a request with more list entries than tsbroker.request.max.list.entries closes the connection", async () => {
    await withBroker({ overrides: ["tsbroker.request.max.list.entries=1000"] }, async (b) => {
      const frame = (groups: string[]) =>
        requestFrame(15, 5, 1, "c", { groups, includeAuthorizedOperations: false }, encodeDescribeGroupsRequest)
          .subarray(4);
      const over = await b.raw(frame(Array.from({ length: 1001 }, () => "")));
      assert.equal(over.action, "close");
      assert.match(
        (over as { reason: string }).reason,
        /DescribeGroups request has more than 1000 list entries \(tsbroker\.request\.max\.list\.entries\)/,
      );
      // Nested lists count too: 500 topics of 2 partitions each are 1,500 entries.
      const nested = requestFrame(
        37,
        3,
        2,
        "c",
        {
          topics: Array.from(
            { length: 500 },
            (_, i) => ({ name: `t${i}`, count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] }),
          ),
          timeoutMs: 1000,
          validateOnly: true,
        },
        encodeCreatePartitionsRequest,
      ).subarray(4);
      assert.equal((await b.raw(nested)).action, "close");
      const atLimit = await b.raw(frame(Array.from({ length: 1000 }, () => "")));
      assert.equal(atLimit.action, "send");
    });
  });
});
