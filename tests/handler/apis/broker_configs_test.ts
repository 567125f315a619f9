/**
 * Dynamic broker configs and broker loggers through a whole in-process broker
 * core (LocalBroker): IncrementalAlterConfigs and AlterConfigs on BROKER ""
 * (cluster-wide default) and BROKER "1" (this node), their effect on open
 * partitions without an override of their own (and none on those with one),
 * DescribeConfigs' values, sources and synonyms for the broker, the default
 * resource and topics, validateOnly, Kafka's refusals (read-only keys,
 * per-broker keys on the default, bad values, APPEND on a non-list), the
 * values surviving a restart, and BROKER_LOGGER levels set, deleted and
 * refused as Kafka 4.4 does.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalBroker } from "../_local_broker.ts";
import { withBroker } from "./_helpers.ts";
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
  type DescribeConfigsResult,
  encodeDescribeConfigsRequest,
} from "../../../src/protocol/generated/describe_configs.ts";
import type { LogConfig } from "../../../src/log/log_config.ts";

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 };
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT: 3, STATIC: 4, DEFAULT: 5, LOGGER: 6 };

type Change = [string, number, string | null];

async function incremental(
  b: LocalBroker,
  resources: Array<[number, string, Change[]]>,
  validateOnly = false,
): Promise<Array<[number, string | null]>> {
  const res = await b.call(
    44,
    1,
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
  return res.responses.map(ok);
}

async function legacy(
  b: LocalBroker,
  resources: Array<[number, string, Array<[string, string]>]>,
): Promise<Array<[number, string | null]>> {
  const res = await b.call(
    33,
    2,
    {
      resources: resources.map(([resourceType, resourceName, configs]) => ({
        resourceType,
        resourceName,
        configs: configs.map(([name, value]) => ({ name, value })),
      })),
      validateOnly: false,
    },
    encodeAlterConfigsRequest,
    decodeAlterConfigsResponse,
  );
  return res.responses.map(ok);
}

const ok = (r: AlterConfigsResourceResponse): [number, string | null] => [r.errorCode, r.errorMessage];

async function describeOne(
  b: LocalBroker,
  type: number,
  name: string,
  keys: string[] | null,
  h?: number,
): Promise<DescribeConfigsResult> {
  const res = await b.call(
    32,
    4,
    {
      resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
      includeSynonyms: true,
      includeDocumentation: false,
    },
    encodeDescribeConfigsRequest,
    decodeDescribeConfigsResponse,
    h,
  );
  assert.equal(res.results[0].errorCode, ErrorCode.NONE, res.results[0].errorMessage ?? "");
  return res.results[0];
}

/** The open log's settings of partition 0 of `topic`, from whichever handler owns it. */
function logConfig(b: LocalBroker, topicId: string): LogConfig {
  for (const r of b.replicas) {
    const local = r.localPartition(topicId, 0);
    if (local) return local.config;
  }
  throw new Error("no handler owns the partition");
}

describe("dynamic broker configs", () => {
  test("a cluster-wide default re-resolves every partition without an override, and describes as Kafka", async () => {
    await withBroker({ handlers: 2, overrides: ["log.retention.ms=7200000"] }, async (b) => {
      const plain = await b.createTopic("plain", 1);
      const own = await b.createTopic("own", 1, { "retention.ms": "60000" });
      assert.equal(logConfig(b, plain).retentionMs, 7_200_000);
      const r = await incremental(b, [[BROKER, "", [
        ["log.retention.ms", Op.SET, "1234567"],
        ["log.segment.bytes", Op.SET, "2097152"],
        ["message.max.bytes", Op.SET, "2000000"],
      ]]]);
      assert.deepEqual(r, [[ErrorCode.NONE, null]]);
      assert.equal(logConfig(b, plain).retentionMs, 1_234_567, "the open log took the new default");
      assert.equal(logConfig(b, plain).segmentBytes, 2_097_152);
      assert.equal(logConfig(b, plain).maxMessageBytes, 2_000_000);
      assert.equal(logConfig(b, own).retentionMs, 60_000, "its own override still wins");
      assert.equal(logConfig(b, own).segmentBytes, 2_097_152);

      // Every handler sees it: ask each.
      for (const h of [0, 1]) {
        const t = await describeOne(b, TOPIC, "plain", ["retention.ms"], h);
        assert.deepEqual(t.configs.map((c) => [c.value, c.configSource, c.synonyms]), [[
          "1234567",
          Source.DYNAMIC_DEFAULT,
          [
            { name: "log.retention.ms", value: "1234567", source: Source.DYNAMIC_DEFAULT },
            { name: "log.retention.ms", value: "7200000", source: Source.STATIC },
            { name: "log.retention.hours", value: "168", source: Source.DEFAULT },
          ],
        ]]);
      }
      const defaults = await describeOne(b, BROKER, "", null);
      assert.deepEqual(defaults.configs.map((c) => [c.name, c.value, c.configSource, c.readOnly, c.synonyms.length]), [
        ["log.retention.ms", "1234567", Source.DYNAMIC_DEFAULT, false, 1],
        ["log.segment.bytes", "2097152", Source.DYNAMIC_DEFAULT, false, 1],
        ["message.max.bytes", "2000000", Source.DYNAMIC_DEFAULT, false, 1],
      ]);
      const broker = await describeOne(b, BROKER, "1", ["message.max.bytes"]);
      assert.deepEqual(broker.configs[0].synonyms, [
        { name: "message.max.bytes", value: "2000000", source: Source.DYNAMIC_DEFAULT },
        { name: "message.max.bytes", value: "1048588", source: Source.DEFAULT },
      ]);
    });
  });

  test("a per-broker value wins over the default; DELETE goes back layer by layer", async () => {
    await withBroker({ handlers: 2 }, async (b) => {
      const id = await b.createTopic("t", 1);
      await incremental(b, [[BROKER, "", [["log.retention.ms", Op.SET, "1234567"]]]]);
      assert.deepEqual(await incremental(b, [[BROKER, "1", [["log.retention.ms", Op.SET, "7654321"]]]]), [
        [ErrorCode.NONE, null],
      ]);
      assert.equal(logConfig(b, id).retentionMs, 7_654_321);
      const c = (await describeOne(b, BROKER, "1", ["log.retention.ms"])).configs[0];
      assert.equal(c.configSource, Source.DYNAMIC_BROKER);
      assert.deepEqual(c.synonyms.map((s) => [s.value, s.source]), [
        ["7654321", Source.DYNAMIC_BROKER],
        ["1234567", Source.DYNAMIC_DEFAULT],
        ["168", Source.DEFAULT],
      ]);
      await incremental(b, [[BROKER, "1", [["log.retention.ms", Op.DELETE, null]]]]);
      assert.equal(logConfig(b, id).retentionMs, 1_234_567);
      await incremental(b, [[BROKER, "", [["log.retention.ms", Op.DELETE, null]]]]);
      assert.equal(logConfig(b, id).retentionMs, 7 * 24 * 3_600_000);
      const t = (await describeOne(b, TOPIC, "t", ["retention.ms"])).configs[0];
      assert.equal(t.configSource, Source.DEFAULT);
      assert.deepEqual(t.synonyms, [], "Kafka drops synonyms before log.retention.ms, which is unset");
    });
  });

  test("a list key: APPEND and SUBTRACT start from the default; the open log turns compacted", async () => {
    await withBroker({}, async (b) => {
      const id = await b.createTopic("t", 1);
      assert.deepEqual(await incremental(b, [[BROKER, "", [["log.cleanup.policy", Op.APPEND, "compact"]]]]), [
        [ErrorCode.NONE, null],
      ]);
      assert.equal((await describeOne(b, BROKER, "", ["log.cleanup.policy"])).configs[0].value, "delete,compact");
      await incremental(b, [[BROKER, "", [["log.cleanup.policy", Op.SUBTRACT, "delete"]]]]);
      const t = (await describeOne(b, TOPIC, "t", ["cleanup.policy"])).configs[0];
      assert.deepEqual([t.value, t.configSource], ["compact", Source.DYNAMIC_DEFAULT]);
      assert.equal(logConfig(b, id).compact, true);
      assert.equal(logConfig(b, id).deleteByRetention, false);
    });
  });

  test("AlterConfigs replaces the resource's whole set; validateOnly changes nothing", async () => {
    await withBroker({}, async (b) => {
      await incremental(b, [[BROKER, "", [["log.retention.ms", Op.SET, "1234567"]]]]);
      assert.deepEqual(await incremental(b, [[BROKER, "", [["log.retention.bytes", Op.SET, "1"]]]], true), [
        [ErrorCode.NONE, null],
      ]);
      assert.deepEqual(await legacy(b, [[BROKER, "", [["log.retention.bytes", "999999"]]]]), [[ErrorCode.NONE, null]]);
      const defaults = await describeOne(b, BROKER, "", null);
      assert.deepEqual(defaults.configs.map((c) => [c.name, c.value]), [["log.retention.bytes", "999999"]]);
    });
  });

  test("Kafka's refusals: read-only keys, per-broker keys on the default, bad values, APPEND on a non-list", async () => {
    await withBroker({}, async (b) => {
      const r = await incremental(b, [
        [BROKER, "", [["log.dirs", Op.SET, "/x"]]],
        [BROKER, "1", [["node.id", Op.SET, "2"], ["log.retention.hours", Op.SET, "5"]]],
        [TOPIC, "none", []],
      ]);
      assert.deepEqual(r.slice(0, 2), [
        [ErrorCode.INVALID_REQUEST, "Cannot update these configs dynamically: [log.dirs]"],
        [ErrorCode.INVALID_REQUEST, "Cannot update these configs dynamically: [node.id, log.retention.hours]"],
      ]);
      const values = await incremental(b, [[BROKER, "", [["log.retention.ms", Op.SET, "abc"]]]]);
      assert.deepEqual(values, [[
        ErrorCode.INVALID_REQUEST,
        "Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
      ]]);
      const cases: Array<[Change, number, string]> = [
        [["message.max.bytes", Op.SET, "-5"], ErrorCode.INVALID_REQUEST, "Value must be at least 0"],
        [
          ["log.message.timestamp.type", Op.SET, "Foo"],
          ErrorCode.INVALID_REQUEST,
          "String must be one of: CreateTime, LogAppendTime",
        ],
        [
          ["listeners", Op.SET, "PLAINTEXT://:9999"],
          ErrorCode.INVALID_REQUEST,
          "Cannot update these configs at default cluster level, broker id must be specified: [listeners]",
        ],
        [
          ["log.retention.ms", Op.APPEND, "5"],
          ErrorCode.INVALID_CONFIG,
          "Config value append is not allowed for config key: log.retention.ms",
        ],
        [["num.io.threads", Op.SET, "4"], ErrorCode.INVALID_REQUEST, "tsbroker starts its handler Workers once"],
      ];
      for (const [change, code, text] of cases) {
        const [[got, message]] = await incremental(b, [[BROKER, "", [change]]]);
        assert.equal(got, code, change[0]);
        assert.ok(message?.includes(text), `${change[0]}: ${message}`);
      }
      // DELETE of anything is fine, as in Kafka; names tsbroker does not know are stored, hidden as Kafka does.
      assert.deepEqual(await incremental(b, [[BROKER, "", [["log.dirs", Op.DELETE, null]]]]), [[ErrorCode.NONE, null]]);
      assert.deepEqual(await incremental(b, [[BROKER, "", [["no.such.key", Op.SET, "3"]]]]), [[ErrorCode.NONE, null]]);
      const defaults = await describeOne(b, BROKER, "", null);
      assert.deepEqual(defaults.configs.map((c) => [c.name, c.value, c.isSensitive, c.readOnly, c.configType]), [
        ["no.such.key", null, true, true, 0],
      ]);
    });
  });

  test("dynamic configs survive a restart and apply before the partitions open", async () => {
    const first = await LocalBroker.start({ handlers: 2 });
    let dir = first.dir;
    try {
      await first.createTopic("t", 1);
      await incremental(first, [
        [BROKER, "", [["log.retention.bytes", Op.SET, "4096"]]],
        [BROKER, "1", [["log.segment.bytes", Op.SET, "3145728"]]],
      ]);
    } finally {
      dir = first.dir;
      await first.stop();
    }
    const second = await LocalBroker.start({ handlers: 2, dir });
    try {
      const id = second.states[0].metadata.byName.get("t")!.topicId;
      assert.equal(logConfig(second, id).retentionBytes, 4096);
      assert.equal(logConfig(second, id).segmentBytes, 3_145_728);
      const c = await describeOne(second, BROKER, "1", ["log.retention.bytes", "log.segment.bytes"]);
      assert.deepEqual(c.configs.map((x) => [x.name, x.value, x.configSource]), [
        ["log.retention.bytes", "4096", Source.DYNAMIC_DEFAULT],
        ["log.segment.bytes", "3145728", Source.DYNAMIC_BROKER],
      ]);
    } finally {
      await second.stop();
    }
  });
});

describe("broker loggers", () => {
  const levels = async (b: LocalBroker) =>
    Object.fromEntries((await describeOne(b, BROKER_LOGGER, "1", null)).configs.map((c) => [c.name, c.value]));

  test("SET and DELETE change levels; a logger without its own follows root", async () => {
    await withBroker({ handlers: 2 }, async (b) => {
      assert.deepEqual(await levels(b), { root: "INFO", broker: "INFO", "handler-0": "INFO", "handler-1": "INFO" });
      assert.deepEqual(
        await incremental(b, [[BROKER_LOGGER, "1", [["root", Op.SET, "WARN"], ["handler-1", Op.SET, "TRACE"]]]]),
        [[ErrorCode.NONE, null]],
      );
      assert.deepEqual(await levels(b), { root: "WARN", broker: "WARN", "handler-0": "WARN", "handler-1": "TRACE" });
      await incremental(b, [[BROKER_LOGGER, "1", [["handler-1", Op.DELETE, null]]]]);
      assert.equal((await levels(b))["handler-1"], "WARN");
      await incremental(b, [[BROKER_LOGGER, "1", [["root", Op.SET, "ERROR"]]]], true);
      assert.equal((await levels(b)).root, "WARN", "validateOnly changed nothing");
      await incremental(b, [[BROKER_LOGGER, "1", [["root", Op.SET, "INFO"]]]]);
    });
  });

  test("Kafka's refusals, checked before any change applies", async () => {
    await withBroker({}, async (b) => {
      const valid = "Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN";
      const r = await incremental(b, [
        [BROKER_LOGGER, "1", [["root", Op.SET, "DEBUG"], ["handler-0", Op.SET, "OFF"]]],
      ]);
      assert.deepEqual(r, [[
        ErrorCode.INVALID_CONFIG,
        `Cannot set the log level of handler-0 to OFF as it is not a supported log level. ${valid}`,
      ]]);
      assert.equal((await levels(b)).root, "INFO", "the valid SET did not apply either");
      const cases: Array<[Change, number, string]> = [
        [["root", Op.SET, "warn"], ErrorCode.INVALID_CONFIG, `to warn as it is not a supported log level. ${valid}`],
        [["no.such.logger", Op.SET, "DEBUG"], ErrorCode.INVALID_CONFIG, "Logger no.such.logger does not exist!"],
        [
          ["root", Op.DELETE, null],
          ErrorCode.INVALID_REQUEST,
          "Removing the log level of the root logger is not allowed",
        ],
        [
          ["root", Op.APPEND, "INFO"],
          ErrorCode.INVALID_REQUEST,
          "APPEND operation is not allowed for the BROKER_LOGGER resource",
        ],
        [
          ["root", Op.SUBTRACT, "INFO"],
          ErrorCode.INVALID_REQUEST,
          "SUBTRACT operation is not allowed for the BROKER_LOGGER resource",
        ],
      ];
      for (const [change, code, text] of cases) {
        const [[got, message]] = await incremental(b, [[BROKER_LOGGER, "1", [change]]]);
        assert.equal(got, code, change.join(" "));
        assert.ok(message?.endsWith(text), `${change.join(" ")}: ${message}`);
      }
      assert.deepEqual(await legacy(b, [[BROKER_LOGGER, "1", [["root", "INFO"]]]]), [
        [ErrorCode.INVALID_REQUEST, "Unknown resource type 8"],
      ]);
    });
  });
});
