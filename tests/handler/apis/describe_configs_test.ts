/**
 * DescribeConfigs v0–v4 through a whole in-process broker core (LocalBroker):
 * a topic with and without overrides, the broker (Kafka's keys and
 * tsbroker's own), the loggers (root and one per thread), the requested-keys filter, synonyms
 * (v1+), configType and documentation (v3+), isDefault (v0), and Kafka's
 * errors (unknown or invalid topic, another or non-numeric broker id, empty
 * logger name, resource types tsbroker has no configs for, unknown types).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import {
  decodeCreateTopicsResponse,
  encodeCreateTopicsRequest,
} from "../../../src/protocol/generated/create_topics.ts";
import {
  decodeDescribeConfigsResponse,
  type DescribeConfigsResource,
  type DescribeConfigsResourceResult,
  type DescribeConfigsResult,
  encodeDescribeConfigsRequest,
} from "../../../src/protocol/generated/describe_configs.ts";
import { TOPIC_CONFIG_NAMES } from "../../../src/cluster/topic_config.ts";
import { CONFIG_KEY_NAMES, keySpec } from "../../../src/config/keys.ts";
import { isDynamicKey } from "../../../src/config/dynamic_keys.ts";
import { RELOADABLE_SSL_KEYS } from "../../../src/config/tls_settings.ts";

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const Source = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5, DYNAMIC_BROKER_LOGGER_CONFIG: 6 };
const Type = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, LIST: 7 };
const VERSIONS = [0, 1, 2, 3, 4];
/** Overrides that make some broker keys "set" (different from their defaults). */
const c0 = (r: { configs: { name: string; readOnly: boolean }[] }, name: string) =>
  r.configs.find((c) => c.name === name)!;

const OVERRIDES = ["log.retention.ms=7200000", "num.partitions=3", "tsbroker.log.level=warn", "node.id=1"];

async function createTopic(broker: LocalBroker, name: string, configs: [string, string][]): Promise<void> {
  const res = await broker.call(
    19,
    7,
    {
      topics: [{
        name,
        numPartitions: 1,
        replicationFactor: 1,
        assignments: [],
        configs: configs.map(([name, value]) => ({ name, value })),
      }],
      timeoutMs: 5000,
      validateOnly: false,
    },
    encodeCreateTopicsRequest,
    decodeCreateTopicsResponse,
  );
  assert.equal(res.topics[0].errorCode, ErrorCode.NONE);
}

async function describeConfigs(
  broker: LocalBroker,
  version: number,
  resources: DescribeConfigsResource[],
  includeSynonyms = false,
  includeDocumentation = false,
): Promise<DescribeConfigsResult[]> {
  const res = await broker.call(
    32,
    version,
    { resources, includeSynonyms, includeDocumentation },
    encodeDescribeConfigsRequest,
    decodeDescribeConfigsResponse,
  );
  assert.equal(res.throttleTimeMs, 0);
  return res.results;
}

const res = (resourceType: number, resourceName: string, configurationKeys: string[] | null = null) => ({
  resourceType,
  resourceName,
  configurationKeys,
});

function byName(result: DescribeConfigsResult): Map<string, DescribeConfigsResourceResult> {
  return new Map(result.configs.map((c) => [c.name, c]));
}

describe("DescribeConfigs", () => {
  test("topics with and without overrides, at every version", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      await createTopic(b, "plain", []);
      await createTopic(b, "over", [["segment.bytes", "1048576"], ["retention.ms", "60000"]]);
      for (const v of VERSIONS) {
        const [plain, over] = await describeConfigs(b, v, [res(TOPIC, "plain"), res(TOPIC, "over")], true, true);
        for (const r of [plain, over]) {
          assert.equal(r.errorCode, ErrorCode.NONE);
          assert.equal(r.errorMessage, null);
          assert.equal(r.resourceType, TOPIC);
          assert.deepEqual(r.configs.map((c) => c.name), [...TOPIC_CONFIG_NAMES]);
        }
        const p = byName(plain);
        const o = byName(over);
        assert.equal(p.get("segment.bytes")?.value, "1073741824");
        assert.equal(o.get("segment.bytes")?.value, "1048576");
        assert.equal(p.get("retention.ms")?.value, "7200000");
        assert.equal(o.get("retention.ms")?.value, "60000");
        assert.equal(p.get("cleanup.policy")?.value, "delete");
        for (const c of [...plain.configs, ...over.configs]) {
          assert.equal(c.readOnly, false);
          assert.equal(c.isSensitive, false);
        }
        if (v === 0) {
          // v0 has isDefault instead of a source, and no synonyms, types or documentation.
          assert.equal(p.get("segment.bytes")?.isDefault, true);
          assert.equal(o.get("segment.bytes")?.isDefault, false);
          assert.equal(p.get("retention.ms")?.isDefault, false, "inherited from a set broker key");
          assert.equal(o.get("segment.bytes")?.synonyms.length, 0);
          continue;
        }
        assert.equal(p.get("segment.bytes")?.configSource, Source.DEFAULT_CONFIG);
        assert.equal(o.get("segment.bytes")?.configSource, Source.TOPIC_CONFIG);
        assert.equal(p.get("retention.ms")?.configSource, Source.STATIC_BROKER_CONFIG);
        assert.deepEqual(o.get("retention.ms")?.synonyms, [
          { name: "retention.ms", value: "60000", source: Source.TOPIC_CONFIG },
          { name: "log.retention.ms", value: "7200000", source: Source.STATIC_BROKER_CONFIG },
          { name: "log.retention.hours", value: "168", source: Source.DEFAULT_CONFIG },
        ]);
        assert.deepEqual(p.get("max.message.bytes")?.synonyms, [
          { name: "message.max.bytes", value: "1048588", source: Source.DEFAULT_CONFIG },
        ]);
        assert.deepEqual(p.get("cleanup.policy")?.synonyms, [
          { name: "log.cleanup.policy", value: "delete", source: Source.DEFAULT_CONFIG },
        ], "Kafka's broker key, at the default tsbroker fixes");
        if (v < 3) continue; // no configType or documentation on the wire

        assert.equal(p.get("segment.bytes")?.configType, Type.INT);
        assert.equal(p.get("retention.ms")?.configType, Type.LONG);
        assert.equal(p.get("preallocate")?.configType, Type.BOOLEAN);
        assert.equal(p.get("cleanup.policy")?.configType, Type.LIST);
        assert.equal(p.get("message.timestamp.type")?.configType, Type.STRING);
        assert.match(p.get("preallocate")?.documentation ?? "", /no effect/);
      }
    });
  });

  test("without includeSynonyms or includeDocumentation the entries carry neither", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      await createTopic(b, "t", [["retention.ms", "60000"]]);
      for (const v of [1, 3, 4]) {
        const [r] = await describeConfigs(b, v, [res(TOPIC, "t", ["retention.ms"])]);
        assert.deepEqual(r.configs[0].synonyms, []);
        if (v >= 3) assert.equal(r.configs[0].documentation, null);
        assert.equal(r.configs[0].configSource, Source.TOPIC_CONFIG);
        if (v >= 3) assert.equal(r.configs[0].configType, Type.LONG, "the type is sent regardless");
      }
    });
  });

  test("requested keys filter the list: null and [] mean all, unknown names are left out", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      await createTopic(b, "t", []);
      for (const v of VERSIONS) {
        const [some, none, all] = await describeConfigs(b, v, [
          res(TOPIC, "t", ["segment.ms", "no.such.config", "retention.bytes"]),
          res(TOPIC, "t", []),
          res(BROKER, "1", ["num.partitions", "nope"]),
        ]);
        assert.deepEqual(some.configs.map((c) => c.name), ["retention.bytes", "segment.ms"]);
        assert.equal(none.configs.length, TOPIC_CONFIG_NAMES.length);
        assert.deepEqual(all.configs.map((c) => [c.name, c.value]), [["num.partitions", "3"]]);
      }
    });
  });

  test("the broker: every key of the table, the dynamic ones read-write, set keys static, with synonyms and types", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      for (const v of VERSIONS) {
        const [r, dynamicDefaults] = await describeConfigs(b, v, [res(BROKER, "1"), res(BROKER, "")], true, true);
        assert.equal(r.errorCode, ErrorCode.NONE);
        assert.deepEqual(r.configs.map((c) => c.name), [...CONFIG_KEY_NAMES].sort());
        // Only Kafka's PASSWORD-type keys are sensitive, and their values are never sent.
        // Read-write: the keys applied while running, and the key and trust stores reloaded per listener.
        assert.ok(
          r.configs.every((c) => c.readOnly === !(isDynamicKey(c.name) || RELOADABLE_SSL_KEYS.includes(c.name))),
        );
        assert.deepEqual(
          r.configs.filter((c) => c.isSensitive).map((c) => c.name),
          [...CONFIG_KEY_NAMES].filter((k) => keySpec(k).sensitive).sort(),
        );
        assert.ok(r.configs.every((c) => !c.isSensitive || c.value === null));
        assert.equal(c0(r, "log.retention.ms").readOnly, false);
        assert.equal(c0(r, "log.dirs").readOnly, true);
        assert.deepEqual(dynamicDefaults, { ...dynamicDefaults, errorCode: ErrorCode.NONE, configs: [] });
        const c = byName(r);
        assert.equal(c.get("num.partitions")?.value, "3");
        assert.equal(c.get("tsbroker.log.level")?.value, "warn");
        assert.equal(c.get("listeners")?.value?.startsWith("PLAINTEXT://"), true);
        assert.equal(c.get("log.roll.ms")?.value, null, "unset, as Kafka's null default");
        assert.equal(c.get("log.flush.interval.messages")?.value, "9223372036854775807");
        if (v === 0) {
          assert.equal(c.get("num.partitions")?.isDefault, false);
          assert.equal(c.get("message.max.bytes")?.isDefault, true);
          continue;
        }
        assert.equal(c.get("num.partitions")?.configSource, Source.STATIC_BROKER_CONFIG);
        assert.equal(c.get("message.max.bytes")?.configSource, Source.DEFAULT_CONFIG);
        // Set to its default value, node.id is still the operator's: STATIC_BROKER_CONFIG, as Kafka says.
        assert.equal(c.get("node.id")?.configSource, Source.STATIC_BROKER_CONFIG);
        assert.deepEqual(c.get("num.partitions")?.synonyms, [
          { name: "num.partitions", value: "3", source: Source.STATIC_BROKER_CONFIG },
          { name: "num.partitions", value: "1", source: Source.DEFAULT_CONFIG },
        ]);
        assert.deepEqual(c.get("log.retention.hours")?.synonyms, [
          { name: "log.retention.hours", value: "168", source: Source.DEFAULT_CONFIG },
        ]);
        assert.deepEqual(c.get("log.retention.ms")?.synonyms, [
          { name: "log.retention.ms", value: "7200000", source: Source.STATIC_BROKER_CONFIG },
          { name: "log.retention.hours", value: "168", source: Source.DEFAULT_CONFIG },
        ]);
        assert.deepEqual(c.get("log.roll.ms")?.synonyms, [], "Kafka drops synonyms before the key's own");
        if (v >= 3) {
          assert.equal(c.get("num.partitions")?.configType, Type.INT);
          assert.equal(c.get("listeners")?.configType, Type.LIST);
          assert.equal(c.get("tsbroker.log.level")?.configType, Type.STRING);
          assert.equal(c.get("auto.create.topics.enable")?.configType, Type.BOOLEAN);
          assert.match(c.get("num.partitions")?.documentation ?? "", /./);
        }
      }
    });
  });

  test("the broker loggers: root at tsbroker.log.level in log4j's spelling, and one per thread", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      for (const v of VERSIONS) {
        const [r] = await describeConfigs(b, v, [res(BROKER_LOGGER, "1")], true, true);
        assert.equal(r.errorCode, ErrorCode.NONE);
        assert.deepEqual(r.configs.map((c) => [c.name, c.value, c.readOnly]), [
          ["root", "WARN", false],
          ["broker", "WARN", false],
          ["handler-0", "WARN", false],
          ["handler-1", "WARN", false],
        ]);
        const root = r.configs[0];
        assert.equal(root.isSensitive, false);
        assert.deepEqual(root.synonyms, []);
        if (v >= 1) assert.equal(root.configSource, Source.DYNAMIC_BROKER_LOGGER_CONFIG);
        if (v >= 3) assert.equal(root.documentation, "", "Kafka sets none, so its default goes out");
      }
    });
  });

  test("Kafka's errors, per resource, with the others answered", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      await createTopic(b, "t", []);
      for (const v of VERSIONS) {
        const results = await describeConfigs(b, v, [
          res(TOPIC, "missing"),
          res(TOPIC, "bad/name"),
          res(BROKER, "2"),
          res(BROKER, "one"),
          res(BROKER_LOGGER, ""),
          res(BROKER_LOGGER, "7"),
          res(16, "some-group"),
          res(TOPIC, "t", ["segment.bytes"]),
        ]);
        const got = results.map((r) => [r.resourceType, r.resourceName, r.errorCode, r.errorMessage, r.configs.length]);
        assert.deepEqual(got.slice(0, 7), [
          [TOPIC, "missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, 0],
          [TOPIC, "bad/name", ErrorCode.INVALID_TOPIC_EXCEPTION, got[1][3], 0],
          [
            BROKER,
            "2",
            ErrorCode.INVALID_REQUEST,
            "Unexpected broker id, expected 1 or empty string, but received 2",
            0,
          ],
          [BROKER, "one", ErrorCode.INVALID_REQUEST, "Broker id must be an integer, but it is: one", 0],
          [BROKER_LOGGER, "", ErrorCode.INVALID_REQUEST, "Broker id must not be empty", 0],
          [BROKER_LOGGER, "7", ErrorCode.INVALID_REQUEST, "Unexpected broker id, expected 1 but received 7", 0],
          [16, "some-group", ErrorCode.INVALID_REQUEST, "Unsupported resource type: GROUP", 0],
        ]);
        assert.match(String(got[1][3]), /characters other than ASCII alphanumerics/);
        assert.deepEqual(got[7], [TOPIC, "t", ErrorCode.NONE, null, 1]);
      }
    });
  });

  test("a resource type Kafka does not know fails the whole request with INVALID_REQUEST", async () => {
    await withBroker({ overrides: OVERRIDES }, async (b) => {
      const results = await describeConfigs(b, 4, [res(TOPIC, "t"), res(99, "x")]);
      assert.deepEqual(results.map((r) => [r.resourceType, r.errorCode]), [
        [TOPIC, ErrorCode.INVALID_REQUEST],
        [99, ErrorCode.INVALID_REQUEST],
      ]);
    });
  });
});
