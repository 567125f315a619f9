/**
 * AlterConfigs v0–v2 and IncrementalAlterConfigs v0–v1 through a whole
 * in-process broker core (LocalBroker): each version, SET, DELETE, APPEND,
 * SUBTRACT, the legacy API's whole-set replacement, validateOnly, Kafka's
 * errors (duplicate resources and keys, nulls, unknown operations, unknown
 * or invalid topics, invalid values, non-list APPEND, broker and logger
 * resources, unknown types), DescribeConfigs showing the result as
 * DYNAMIC_TOPIC_CONFIG, the result surviving a restart, and an altered
 * segment.bytes rolling an open partition's log.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalBroker } from "../_local_broker.ts";
import { produceRecords, withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import {
  type AlterConfigsResourceResponse,
  decodeAlterConfigsResponse,
  encodeAlterConfigsRequest,
} from "../../../src/protocol/generated/alter_configs.ts";
import {
  decodeIncrementalAlterConfigsResponse,
  encodeIncrementalAlterConfigsRequest,
} from "../../../src/protocol/generated/incremental_alter_configs.ts";
import {
  decodeDescribeConfigsResponse,
  encodeDescribeConfigsRequest,
} from "../../../src/protocol/generated/describe_configs.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const GROUP = 16;
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 };
const DYNAMIC_TOPIC_CONFIG = 1;

type Pair = [string, string | null];
type Change = [string, number, string | null];

async function alter(
  b: LocalBroker,
  version: number,
  resources: Array<[number, string, Pair[]]>,
  validateOnly = false,
): Promise<AlterConfigsResourceResponse[]> {
  const res = await b.call(
    33,
    version,
    {
      resources: resources.map(([resourceType, resourceName, configs]) => ({
        resourceType,
        resourceName,
        configs: configs.map(([name, value]) => ({ name, value })),
      })),
      validateOnly,
    },
    encodeAlterConfigsRequest,
    decodeAlterConfigsResponse,
  );
  assert.equal(res.throttleTimeMs, 0);
  return res.responses;
}

async function incremental(
  b: LocalBroker,
  version: number,
  resources: Array<[number, string, Change[]]>,
  validateOnly = false,
): Promise<AlterConfigsResourceResponse[]> {
  const res = await b.call(
    44,
    version,
    {
      resources: resources.map(([resourceType, resourceName, configs]) => ({
        resourceType,
        resourceName,
        configs: configs.map(([name, configOperation, value]) => ({ name, configOperation, value })),
      })),
      validateOnly,
    },
    encodeIncrementalAlterConfigsRequest,
    decodeIncrementalAlterConfigsResponse,
  );
  assert.equal(res.throttleTimeMs, 0);
  return res.responses;
}

/** The topic's overrides as DescribeConfigs v4 reports them (source DYNAMIC_TOPIC_CONFIG). */
async function overrides(b: LocalBroker, topic: string): Promise<Record<string, string>> {
  const res = await b.call(
    32,
    4,
    {
      resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    },
    encodeDescribeConfigsRequest,
    decodeDescribeConfigsResponse,
  );
  assert.equal(res.results[0].errorCode, ErrorCode.NONE);
  return Object.fromEntries(
    res.results[0].configs.filter((c) => c.configSource === DYNAMIC_TOPIC_CONFIG).map((c) => [c.name, c.value!]),
  );
}

const ok = (r: AlterConfigsResourceResponse) => [r.errorCode, r.errorMessage];

describe("AlterConfigs", () => {
  for (const version of [0, 1, 2]) {
    test(`v${version} replaces a topic's whole set of overrides`, async () => {
      await withBroker({}, async (b) => {
        await b.createTopic("t", 1, { "retention.ms": "60000", "segment.bytes": "1048576" });
        const [r] = await alter(b, version, [[TOPIC, "t", [["retention.ms", "120000"], ["flush.messages", "5"]]]]);
        assert.deepEqual(ok(r), [ErrorCode.NONE, null]);
        assert.equal(r.resourceType, TOPIC);
        assert.equal(r.resourceName, "t");
        // segment.bytes was left out: back to its default.
        assert.deepEqual(await overrides(b, "t"), { "retention.ms": "120000", "flush.messages": "5" });
      });
    });
  }

  test("validateOnly checks and changes nothing", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("t", 1, { "retention.ms": "60000" });
      const [good, bad] = await alter(b, 2, [
        [TOPIC, "t", [["retention.ms", "1"]]],
        [TOPIC, "missing", [["retention.ms", "1"]]],
      ], true);
      assert.deepEqual(ok(good), [ErrorCode.NONE, null]);
      assert.deepEqual(ok(bad), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."]);
      assert.deepEqual(await overrides(b, "t"), { "retention.ms": "60000" });
    });
  });

  test("answers Kafka's errors per resource, in request order", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("t", 1);
      await b.createTopic("u", 1);
      const r = await alter(b, 1, [
        [TOPIC, "t", [["segment.bytes", "1"]]],
        [TOPIC, "u", [["no.such.config", "1"]]],
        [TOPIC, "dup", []],
        [TOPIC, "dup", []],
        [TOPIC, "t2", [["retention.ms", "1"], ["retention.ms", "2"]]],
        [TOPIC, "t3", [["retention.ms", null]]],
        [TOPIC, "bad/name", [["retention.ms", "1"]]],
        [TOPIC, "", [["retention.ms", "1"]]],
        [TOPIC, "gone", [["retention.ms", "x"]]],
        [BROKER, "1", [["log.dirs", "/x"]]],
        [BROKER, "2", [["log.retention.ms", "1"]]],
        [BROKER, "", []],
        [BROKER_LOGGER, "1", [["root", "DEBUG"]]],
        [GROUP, "g", [["consumer.session.timeout.ms", "45000"]]],
        [99, "x", []],
      ]);
      assert.deepEqual(r.map(ok), [
        [ErrorCode.INVALID_CONFIG, "Invalid value 1 for configuration segment.bytes: Value must be at least 14"],
        [ErrorCode.INVALID_CONFIG, "Unknown topic config name: no.such.config"],
        [ErrorCode.INVALID_REQUEST, "Each resource must appear at most once."],
        [ErrorCode.INVALID_REQUEST, "Each resource must appear at most once."],
        [ErrorCode.INVALID_REQUEST, "Error due to duplicate config keys"],
        [ErrorCode.INVALID_REQUEST, "Null value not supported for : retention.ms"],
        [ErrorCode.INVALID_TOPIC_EXCEPTION, r[6].errorMessage],
        [ErrorCode.INVALID_REQUEST, "Default topic resources are not allowed."],
        // Kafka validates the values before looking the topic up.
        [ErrorCode.INVALID_CONFIG, "Invalid value x for configuration retention.ms: Not a number of type LONG"],
        [ErrorCode.INVALID_REQUEST, "Cannot update these configs dynamically: [log.dirs]"],
        [ErrorCode.INVALID_REQUEST, "Unexpected broker id, expected 1, but received 2"],
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, "Unknown resource type 8"],
        [ErrorCode.INVALID_REQUEST, "Unsupported resource type: GROUP"],
        [ErrorCode.INVALID_REQUEST, "Unknown resource type 99"],
      ]);
      assert.ok(r[6].errorMessage!.includes("bad/name"));
      assert.deepEqual(r.map((x) => x.resourceName)[14], "x");
      assert.deepEqual(await overrides(b, "t"), {});
    });
  });
});

describe("IncrementalAlterConfigs", () => {
  for (const version of [0, 1]) {
    test(`v${version} SET and DELETE change only the named keys`, async () => {
      await withBroker({}, async (b) => {
        await b.createTopic("t", 1, { "retention.ms": "60000", "segment.bytes": "1048576" });
        const [r] = await incremental(b, version, [[TOPIC, "t", [
          ["retention.ms", Op.SET, "120000"],
          ["segment.bytes", Op.DELETE, null],
          ["flush.ms", Op.DELETE, null],
          ["max.message.bytes", Op.SET, "2000"],
        ]]]);
        assert.deepEqual(ok(r), [ErrorCode.NONE, null]);
        assert.deepEqual(await overrides(b, "t"), { "retention.ms": "120000", "max.message.bytes": "2000" });
      });
    });
  }

  test("APPEND and SUBTRACT work on cleanup.policy, from its default; other keys are not lists", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("t", 1);
      // Appending what is there already (the default "delete") changes nothing.
      assert.deepEqual((await incremental(b, 1, [[TOPIC, "t", [["cleanup.policy", Op.APPEND, "delete"]]]])).map(ok), [
        [ErrorCode.NONE, null],
      ]);
      assert.deepEqual(await overrides(b, "t"), { "cleanup.policy": "delete" });
      const [compact] = await incremental(b, 1, [[TOPIC, "t", [["cleanup.policy", Op.APPEND, "compact"]]]]);
      assert.deepEqual(ok(compact), [ErrorCode.NONE, null]);
      assert.deepEqual(await overrides(b, "t"), { "cleanup.policy": "delete,compact" });
      const [shred] = await incremental(b, 1, [[TOPIC, "t", [["cleanup.policy", Op.APPEND, "shred"]]]]);
      assert.equal(shred.errorCode, ErrorCode.INVALID_CONFIG);
      assert.match(shred.errorMessage!, /^Invalid value shred for configuration cleanup.policy: /);
      assert.deepEqual(
        (await incremental(b, 1, [[TOPIC, "t", [["cleanup.policy", Op.SUBTRACT, "compact"]]]])).map(ok),
        [[ErrorCode.NONE, null]],
      );
      // Subtracting what is not there leaves the list as it was.
      assert.deepEqual(
        (await incremental(b, 1, [[TOPIC, "t", [["cleanup.policy", Op.SUBTRACT, "compact"]]]])).map(ok),
        [[ErrorCode.NONE, null]],
      );
      assert.deepEqual(await overrides(b, "t"), { "cleanup.policy": "delete" });
      const [notList] = await incremental(b, 1, [[TOPIC, "t", [["retention.ms", Op.APPEND, "1"]]]]);
      assert.deepEqual(ok(notList), [
        ErrorCode.INVALID_CONFIG,
        "Can't APPEND to key retention.ms because its type is not LIST.",
      ]);
      const [unknown] = await incremental(b, 1, [[TOPIC, "t", [["nope", Op.SUBTRACT, "1"]]]]);
      assert.deepEqual(ok(unknown), [
        ErrorCode.INVALID_CONFIG,
        "Can't SUBTRACT to key nope because its type is not LIST.",
      ]);
    });
  });

  test("validateOnly, unknown operations, nulls, unknown topics, brokers and loggers", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("t", 1);
      const r = await incremental(b, 1, [
        [TOPIC, "t", [["retention.ms", Op.SET, "1000"]]],
        [TOPIC, "u", [["retention.ms", 7, "1"]]],
        [TOPIC, "v", [["retention.ms", Op.SET, null]]],
        [TOPIC, "missing", [["retention.ms", Op.SET, "1"]]],
        [BROKER, "", [["log.retention.ms", Op.SET, "1"]]],
        [BROKER, "x", [["log.retention.ms", Op.SET, "1"]]],
        [BROKER_LOGGER, "1", [["root", Op.SET, "DEBUG"]]],
        [BROKER_LOGGER, "3", [["root", Op.SET, "DEBUG"]]],
      ], true);
      assert.deepEqual(r.map(ok), [
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, "Unknown operations type 7"],
        [ErrorCode.INVALID_REQUEST, "Null value not supported for : retention.ms"],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."],
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, "Node id must be an integer, but it is: x"],
        [ErrorCode.NONE, null],
        [ErrorCode.INVALID_REQUEST, "Unexpected node id. Expected 1, but received 3"],
      ]);
      assert.deepEqual(await overrides(b, "t"), {}, "validateOnly changed nothing");
      assert.deepEqual(b.states[0].metadata.image.brokerConfigs?.clusterDefaults, {}, "nor the broker defaults");
      assert.equal(b.states[0].metadata.image.brokerConfigs?.loggerLevels.root, "INFO", "nor the loggers");
    });
  });

  test("altered configs survive a restart", async () => {
    const first = await LocalBroker.start({ handlers: 2 });
    try {
      await first.createTopic("t", 1);
      await incremental(first, 1, [[TOPIC, "t", [["retention.bytes", Op.SET, "4096"]]]]);
      await first.stop();
      const second = await LocalBroker.start({ handlers: 2, dir: first.dir });
      try {
        assert.deepEqual(await overrides(second, "t"), { "retention.bytes": "4096" });
      } finally {
        await second.stop();
      }
    } finally {
      first.remove();
    }
  });

  test("an altered segment.bytes rolls the open partition's log", async () => {
    await withBroker({}, async (b) => {
      const topicId = await b.createTopic("t", 1);
      const local = () => b.replicas.map((r) => r.localPartition(topicId, 0)).find((p) => p !== undefined)!;
      const batch = () => buildBatch([{ key: null, value: new Uint8Array(200) }]);
      await produceRecords(b, "t", 0, batch());
      await produceRecords(b, "t", 0, batch());
      assert.equal(local().log.segmentCount, 1);
      await incremental(b, 1, [[TOPIC, "t", [["segment.bytes", Op.SET, "300"]]]]);
      assert.equal(local().config.segmentBytes, 300);
      await produceRecords(b, "t", 0, batch());
      await produceRecords(b, "t", 0, batch());
      assert.ok(local().log.segmentCount >= 2, `rolled: ${local().log.segmentCount} segments`);
    });
  });
});
