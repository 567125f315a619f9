/**
 * Differential: the topic configs Kafka 3.9 accepts, against the reference
 * Kafka (4.4). CreateTopics v7 of a topic with every config both brokers know
 * set to a non-default value, then DescribeConfigs v4 of it (values, sources,
 * synonyms, types); each compression.type; an IncrementalAlterConfigs of
 * compression settings; and invalid values of every kind of validator (type,
 * bounds, Kafka's own validators, checks across configs), whose error codes
 * the oracle compares and whose messages are compared here too. The three keys
 * Kafka 4 removed (message.format.version, message.timestamp.difference.max.ms
 * and, for its effect, message.downconversion.enable) are sent alone: Kafka 4.4
 * refuses the first two as unknown where tsbroker, a Kafka 3.9 broker, accepts
 * them (allowed difference "kafka-4-removed-topic-configs"). Finally a batch
 * in another codec is produced to a topic of each compression.type and fetched
 * back: its codec is the topic's and it holds the producer's records on both
 * brokers (to uncompressed, byte for byte as Kafka writes it). Fetch v9 of a
 * zstd topic is answered with the data, as Kafka 4.4 does; Kafka 3.9 answered
 * UNSUPPORTED_COMPRESSION_TYPE below v10, a refusal Kafka 4 dropped.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Body, Oracle } from "./_oracle.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { defaultDescribeConfigsRequest } from "../../src/protocol/generated/describe_configs.ts";
import { defaultFetchPartition, defaultFetchRequest } from "../../src/protocol/generated/fetch.ts";
import { buildBatch, CompressionType, readBatchHeader, RECORDS_OFFSET } from "../../src/log/record_batch.ts";
import { recompressBatch } from "../../src/log/recompress.ts";
import { decompress } from "../../src/log/codecs/codec.ts";

const TOPIC = 2;

/**
 * Non-default, valid values of every topic config Kafka 3.9 and 4.4 both accept, but min.insync.replicas:
 * Kafka 4.4 lists a KIP-966 dynamic default among its synonyms (see allowed_differences.ts), compared apart.
 */
const SHARED_CONFIGS: Record<string, string> = {
  "cleanup.policy": "delete",
  "compression.gzip.level": "5",
  "compression.lz4.level": "3",
  "compression.type": "lz4",
  "compression.zstd.level": "7",
  "delete.retention.ms": "3600000",
  "file.delete.delay.ms": "30000",
  "flush.messages": "100000",
  "flush.ms": "60000",
  "follower.replication.throttled.replicas": "0:1",
  "index.interval.bytes": "8192",
  "leader.replication.throttled.replicas": "*",
  "local.retention.bytes": "-2",
  "local.retention.ms": "-2",
  "max.compaction.lag.ms": "86400000",
  "max.message.bytes": "2000000",
  "message.timestamp.after.max.ms": "7200000",
  "message.timestamp.before.max.ms": "86400000",
  "message.timestamp.type": "CreateTime",
  "min.cleanable.dirty.ratio": "0.25",
  "min.compaction.lag.ms": "1000",
  "preallocate": "true",
  "remote.log.copy.disable": "true",
  "remote.log.delete.on.disable": "true",
  "remote.storage.enable": "false",
  "retention.bytes": "1073741824",
  "retention.ms": "86400000",
  "segment.bytes": "16777216",
  "segment.index.bytes": "1048576",
  "segment.jitter.ms": "1000",
  "segment.ms": "3600000",
  "unclean.leader.election.enable": "true",
};

/** One invalid value (or combination) per kind of check; each becomes its own topic in one CreateTopics. */
const INVALID: Array<[string, Record<string, string>]> = [
  ["int-not-a-number", { "index.interval.bytes": "lots" }],
  ["int-below-min", { "segment.index.bytes": "3" }],
  ["int-above-max", { "compression.lz4.level": "18" }],
  ["int-below-range", { "compression.zstd.level": "-131073" }],
  ["gzip-level", { "compression.gzip.level": "0" }],
  ["gzip-level-high", { "compression.gzip.level": "10" }],
  ["long-not-a-number", { "retention.ms": "1.5" }],
  ["long-too-big", { "flush.messages": "9223372036854775808" }],
  ["long-below-min", { "local.retention.bytes": "-3" }],
  ["double-not-a-number", { "min.cleanable.dirty.ratio": "half" }],
  ["double-above-max", { "min.cleanable.dirty.ratio": "1.5" }],
  ["double-below-min", { "min.cleanable.dirty.ratio": "-0.5" }],
  ["boolean", { "remote.log.copy.disable": "yes" }],
  ["string-choice", { "compression.type": "brotli" }],
  ["string-choice-case", { "message.timestamp.type": "createtime" }],
  ["list-choice", { "cleanup.policy": "compact,shred" }],
  ["throttled-replicas", { "leader.replication.throttled.replicas": "0:1,x" }],
  ["throttled-replicas-star", { "follower.replication.throttled.replicas": "*,0:1" }],
  ["remote-storage", { "remote.storage.enable": "true" }],
  ["compaction-lags", { "min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5" }],
  ["unknown-name", { "compression.level": "3" }],
];

/**
 * Kafka 4.4 words a few of these differently from Kafka 3.9, whose wording tsbroker keeps (checked against
 * 3.9's sources); for those only the error code is compared.
 */
const KAFKA_4_WORDING = new Set<string>([]);

const creatable = (name: string, configs: Record<string, string>) => ({
  ...defaultCreatableTopic(),
  name,
  numPartitions: 1,
  replicationFactor: 1,
  configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
});

const create = (topics: ReturnType<typeof creatable>[]) => ({
  ...defaultCreateTopicsRequest(),
  timeoutMs: 30_000,
  topics,
});

const describeTopic = (name: string, keys: string[] | null = null) => ({
  ...defaultDescribeConfigsRequest(),
  resources: [{ resourceType: TOPIC, resourceName: name, configurationKeys: keys }],
  includeSynonyms: true,
  includeDocumentation: true,
});

describe("differential: Kafka 3.9's topic configs", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("topic_configs_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("a topic with every config, each compression.type, and alterations of them", async () => {
    await o.compare({
      title: "every config",
      apiKey: 19,
      version: 7,
      request: create([creatable("tc-every", SHARED_CONFIGS)]),
    });
    const codecs = ["uncompressed", "gzip", "snappy", "lz4", "zstd", "producer"];
    await o.compare({
      title: "each compression.type",
      apiKey: 19,
      version: 7,
      request: create(codecs.map((c) => creatable(`tc-${c}`, { "compression.type": c }))),
    });
    await o.settle(["tc-every", ...codecs.map((c) => `tc-${c}`)]);
    await o.compare({ title: "every config, described", apiKey: 32, version: 4, request: describeTopic("tc-every") });
    for (const c of codecs) {
      await o.compare({
        title: `compression.type=${c}, described`,
        apiKey: 32,
        version: 4,
        request: describeTopic(`tc-${c}`, ["compression.type", "compression.zstd.level", "compression.gzip.level"]),
      });
    }
    await o.compare({
      title: "compression settings altered",
      apiKey: 44,
      version: 1,
      request: {
        validateOnly: false,
        resources: [{
          resourceType: TOPIC,
          resourceName: "tc-producer",
          configs: [
            { name: "compression.type", configOperation: 0, value: "zstd" },
            { name: "compression.zstd.level", configOperation: 0, value: "19" },
            { name: "local.retention.ms", configOperation: 0, value: "1000" },
          ],
        }],
      },
    });
    await o.compare({
      title: "compression settings altered, described",
      apiKey: 32,
      version: 4,
      settleMs: 10_000,
      request: describeTopic("tc-producer", ["compression.type", "compression.zstd.level", "local.retention.ms"]),
    });
    o.assertNoDifferences();
  });

  test("invalid values of every kind: Kafka's error code, and its message", async () => {
    const c = await o.compare({
      title: "invalid values",
      apiKey: 19,
      version: 7,
      request: create(INVALID.map(([name, configs]) => creatable(`tc-bad-${name}`, configs))),
    });
    o.assertNoDifferences();
    assert.ok(c.kafka && c.tsbroker);
    const wording: string[] = [];
    INVALID.forEach(([name], i) => {
      const [k, t] = [c.kafka!.topics[i] as Body, c.tsbroker!.topics[i] as Body];
      assert.notEqual(t.errorCode, 0, name);
      if (k.errorMessage !== t.errorMessage && !KAFKA_4_WORDING.has(name)) {
        wording.push(`${name}: kafka ${JSON.stringify(k.errorMessage)} ≠ tsbroker ${JSON.stringify(t.errorMessage)}`);
      }
    });
    INVALID.forEach(([name], i) => console.log(`[topic configs] ${name}: ${c.tsbroker!.topics[i].errorMessage}`));
    assert.deepEqual(wording, [], "error messages differ");
  });

  test("the keys Kafka 4 removed: accepted as Kafka 3.9 does", async () => {
    const removed: Record<string, string> = {
      "message.format.version": "2.8",
      "message.timestamp.difference.max.ms": "60000",
      "message.downconversion.enable": "false",
    };
    for (const [name, value] of Object.entries(removed)) {
      const topic = `tc-removed-${name.replaceAll(".", "-")}`;
      const c = await o.compare({
        title: `removed in Kafka 4: ${name}`,
        apiKey: 19,
        version: 7,
        request: create([creatable(topic, { [name]: value })]),
      });
      assert.equal(c.tsbroker?.topics[0].errorCode, 0, `tsbroker refused ${name}`);
      console.log(`[topic configs] Kafka 4.4 on ${name}: ${c.kafka?.topics[0].errorMessage}`);
    }
    o.assertNoDifferences();
  });
  test("batches in another codec are stored and fetched in the topic's, by old fetch versions too", async () => {
    const utf8 = new TextEncoder();
    const plain = buildBatch(
      Array.from({ length: 30 }, (_, i) => ({
        key: i % 4 === 0 ? null : utf8.encode(`k${i}`),
        value: utf8.encode(`recompressed value ${i} `.repeat(8)),
        headers: [["h", utf8.encode(`${i}`)]] as Array<[string, Uint8Array]>,
        timestampDelta: i,
      })),
      { baseTimestamp: BigInt(Date.now()) },
    );
    const inCodec = (codec: number) => {
      const r = recompressBatch(plain, { codec });
      if ("error" in r) throw new Error(r.error.message);
      return r.batch;
    };
    // Each target gets a batch in another codec, the same bytes to both brokers.
    const cases: Array<[string, number, number]> = [
      ["uncompressed", CompressionType.Gzip, CompressionType.None],
      ["gzip", CompressionType.Lz4, CompressionType.Gzip],
      ["snappy", CompressionType.Zstd, CompressionType.Snappy],
      ["lz4", CompressionType.None, CompressionType.Lz4],
      ["zstd", CompressionType.Snappy, CompressionType.Zstd],
    ];
    const topics = cases.map(([target]) => `tc-fetch-${target}`);
    await o.compare({
      title: "topics for recompression",
      apiKey: 19,
      version: 7,
      request: create(cases.map(([target], i) => creatable(topics[i], { "compression.type": target }))),
    });
    await o.settle(topics);
    for (const [i, [target, source]] of cases.entries()) {
      await o.compare({
        title: `produce ${source} into ${target}`,
        apiKey: 0,
        version: 9,
        request: {
          transactionalId: null,
          acks: -1,
          timeoutMs: 10_000,
          topicData: [{ name: topics[i], partitionData: [{ index: 0, records: inCodec(source) }] }],
        },
      });
    }
    const fetch = (topic: string) => ({
      ...defaultFetchRequest(),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [{
        topic,
        topicId: "AAAAAAAAAAAAAAAAAAAAAA",
        partitions: [{ ...defaultFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
      }],
    });
    for (const [i, [target, , codec]] of cases.entries()) {
      const c = await o.compare({
        title: `fetch recompressed to ${target}`,
        apiKey: 1,
        version: 12,
        // Kafka's log may show the produce a moment after acks=all answered, on a loaded machine.
        settleMs: 10_000,
        request: fetch(topics[i]),
      });
      // Each broker's compressor writes its own bytes; what they hold must be the producer's records.
      for (const [side, body] of [["kafka", c.kafka], ["tsbroker", c.tsbroker]] as const) {
        const records = body?.responses[0].partitions[0].records as Uint8Array | null | undefined;
        if (!records?.length) {
          o.assertNoDifferences(); // the produce or fetch that went wrong is among them
          assert.fail(`${side}: nothing fetched from ${topics[i]}`);
        }
        const h = readBatchHeader(records, 0);
        assert.equal(h.compression, codec, `${side}: codec of the batch fetched from ${topics[i]}`);
        assert.equal(h.sizeInBytes, records.length, `${side}: one batch`);
        assert.deepEqual(decompress(codec, records.subarray(RECORDS_OFFSET)), plain.subarray(RECORDS_OFFSET), side);
      }
    }
    for (const v of [9, 10]) {
      await o.compare({ title: `fetch v${v} of a zstd topic`, apiKey: 1, version: v, request: fetch("tc-fetch-zstd") });
      await o.compare({ title: `fetch v${v} of an lz4 topic`, apiKey: 1, version: v, request: fetch("tc-fetch-lz4") });
    }
    o.assertNoDifferences();
  });
});
