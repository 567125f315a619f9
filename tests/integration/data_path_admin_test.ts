/**
 * Topic administration as real clients drive it: confluent-kafka-python's
 * AdminClient (CreateTopics v4, DeleteTopics v1, CreatePartitions v0) and
 * kafkajs' admin (CreateTopics v3, DeleteTopics v1, CreatePartitions v1)
 * against a broker with auto.create.topics.enable=false: validateOnly,
 * per-topic configs, the default partition count, Kafka's error codes
 * (INVALID_REPLICATION_FACTOR, TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION,
 * INVALID_CONFIG, INVALID_PARTITIONS, UNKNOWN_TOPIC_OR_PARTITION), partition
 * directories appearing and going, and a deleted topic re-created empty.
 * Then, on the raw protocol, what no client here sends: DeleteTopics v6 by
 * topic id and ListOffsets v9 (earliest, latest, max timestamp, by time).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, runCommand, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { adminOps, until } from "./_data_path.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { ZERO_UUID } from "../../src/protocol/io/uuid.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from "../../src/protocol/generated/delete_topics.ts";
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from "../../src/protocol/generated/list_offsets.ts";
import {
  decodeMetadataResponse,
  defaultMetadataRequest,
  encodeMetadataRequest,
} from "../../src/protocol/generated/metadata.ts";

function partitionDirs(broker: BrokerProcess, topic: string): string[] {
  return fs.readdirSync(broker.dataDir).filter((d) => new RegExp(`^${topic}-\\d+$`).test(d)).sort();
}

const call = wireCaller("data-path-admin");

describe("topic administration", () => {
  let broker: BrokerProcess;
  let admin: Admin;
  before(async () => {
    broker = await startBroker("deno", { overrides: { "auto.create.topics.enable": false, "num.partitions": 3 } });
    admin = new Kafka({ clientId: "admin-test", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });
  after(async () => {
    await admin.disconnect();
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
  });

  test("AdminClient CreateTopics: validateOnly, configs, default partitions and Kafka's errors", async () => {
    const results = await adminOps(broker, [
      { op: "create", topic: "adm-validate", partitions: 4, validateOnly: true },
      { op: "describe", topic: "adm-validate" },
      {
        op: "create",
        topic: "adm-a",
        partitions: 4,
        config: { "retention.ms": "86400000", "segment.bytes": "1048576" },
      },
      { op: "describe", topic: "adm-a" },
      { op: "create", topic: "adm-a", partitions: 4 },
      { op: "create", topic: "adm-rf", partitions: 1, replicationFactor: 3 },
      { op: "create", topic: "adm-rf", partitions: 1, replicationFactor: 3, validateOnly: true },
      { op: "create", topic: "adm-default", partitions: -1, replicationFactor: -1 },
      { op: "describe", topic: "adm-default" },
      { op: "create", topic: "bad/name" },
      { op: "create", topic: ".." },
      { op: "create", topic: "x".repeat(250) },
      { op: "create", topic: "adm-badcfg", config: { "no.such.config": "1" } },
      { op: "create", topic: "adm-badcfg", config: { "retention.ms": "soon" } },
      { op: "describe", topic: "adm-badcfg" },
    ]);
    const [validate, noValidate, a, aMd, again, rf, rfValidate, dflt, dfltMd, slash, dots, long, cfg, cfgValue, noCfg] =
      results;
    assert.deepEqual(validate, { ok: true });
    assert.equal(noValidate.error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "validateOnly must not create the topic");
    assert.deepEqual(partitionDirs(broker, "adm-validate"), []);
    assert.deepEqual(a, { ok: true });
    assert.deepEqual(aMd.partitions, [0, 1, 2, 3]);
    assert.deepEqual(partitionDirs(broker, "adm-a"), ["adm-a-0", "adm-a-1", "adm-a-2", "adm-a-3"]);
    assert.equal(again.code, ErrorCode.TOPIC_ALREADY_EXISTS);
    assert.equal(rf.code, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.equal(rfValidate.code, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.deepEqual(dflt, { ok: true });
    assert.deepEqual(dfltMd.partitions, [0, 1, 2], "-1 partitions means num.partitions");
    for (const bad of [slash, dots, long]) {
      assert.equal(bad.code, ErrorCode.INVALID_TOPIC_EXCEPTION, JSON.stringify(bad));
    }
    assert.equal(cfg.code, ErrorCode.INVALID_CONFIG);
    assert.equal(cfgValue.code, ErrorCode.INVALID_CONFIG);
    assert.equal(noCfg.error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test("AdminClient CreatePartitions grows a topic and refuses to shrink it", async () => {
    const [grow, md, shrink, same, validate, md2, missing] = await adminOps(broker, [
      { op: "partitions", topic: "adm-a", count: 6 },
      { op: "describe", topic: "adm-a" },
      { op: "partitions", topic: "adm-a", count: 2 },
      { op: "partitions", topic: "adm-a", count: 6 },
      { op: "partitions", topic: "adm-a", count: 8, validateOnly: true },
      { op: "describe", topic: "adm-a" },
      { op: "partitions", topic: "adm-missing", count: 2 },
    ]);
    assert.deepEqual(grow, { ok: true });
    assert.deepEqual(md.partitions, [0, 1, 2, 3, 4, 5]);
    assert.equal(shrink.code, ErrorCode.INVALID_PARTITIONS);
    assert.equal(same.code, ErrorCode.INVALID_PARTITIONS);
    assert.deepEqual(validate, { ok: true });
    assert.deepEqual(md2.partitions, [0, 1, 2, 3, 4, 5]);
    assert.equal(missing.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(partitionDirs(broker, "adm-a").length, 6);
    const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", "adm-a", "-p", "5"], { input: "new\n" });
    assert.equal(put.code, 0, put.stderr);
    const got = await runCommand("kcat", ["-C", "-b", broker.bootstrap, "-t", "adm-a", "-p", "5", "-e", "-q"]);
    assert.equal(got.stdout, "new\n");
  });

  test("AdminClient DeleteTopics removes the topic and its directories; re-created it starts empty", async () => {
    const [del, md, again] = await adminOps(broker, [
      { op: "delete", topic: "adm-a" },
      { op: "describe", topic: "adm-a" },
      { op: "delete", topic: "adm-a" },
    ]);
    assert.deepEqual(del, { ok: true });
    assert.equal(md.error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(again.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await until("adm-a's partition directories are gone", () => partitionDirs(broker, "adm-a").length === 0);
    const [recreate, md2] = await adminOps(broker, [
      { op: "create", topic: "adm-a", partitions: 2 },
      { op: "describe", topic: "adm-a" },
    ]);
    assert.deepEqual(recreate, { ok: true });
    assert.deepEqual(md2.partitions, [0, 1]);
    const q = await runCommand("kcat", ["-Q", "-b", broker.bootstrap, "-t", "adm-a:0:-1", "-t", "adm-a:1:-1"]);
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual([...q.stdout.matchAll(/ offset (-?\d+)/g)].map((m) => m[1]), ["0", "0"]);
  });

  test("kafkajs admin: validateOnly, configEntries, replication factor 3, createPartitions, deleteTopics", async () => {
    assert.equal(
      await admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: [{ topic: "kjs-v", numPartitions: 2 }],
      }),
      true,
    );
    assert.ok(!(await admin.listTopics()).includes("kjs-v"));
    assert.equal(
      await admin.createTopics({
        topics: [{
          topic: "kjs-a",
          numPartitions: 2,
          replicationFactor: 1,
          configEntries: [{ name: "cleanup.policy", value: "delete" }, { name: "max.message.bytes", value: "50000" }],
        }],
      }),
      true,
    );
    const errorType = (e: unknown) =>
      (e as { errors?: Array<{ type: string }>; type?: string }).errors?.[0]?.type ??
        (e as { type?: string }).type;
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: "kjs-rf", numPartitions: 1, replicationFactor: 3 }] }),
      (e) => errorType(e) === "INVALID_REPLICATION_FACTOR",
    );
    await assert.rejects(
      admin.createTopics({ topics: [{ topic: "kjs-zero", numPartitions: 0 }] }),
      (e) => errorType(e) === "INVALID_PARTITIONS",
    );
    await admin.createPartitions({ topicPartitions: [{ topic: "kjs-a", count: 4 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: ["kjs-a"] });
    assert.deepEqual(topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3]);
    await admin.deleteTopics({ topics: ["kjs-a"] });
    assert.ok(!(await admin.listTopics()).includes("kjs-a"));
    await until("kjs-a's partition directories are gone", () => partitionDirs(broker, "kjs-a").length === 0);
  });

  test("raw DeleteTopics v6 by topic id; ListOffsets v9 earliest, latest, max timestamp and by time", async () => {
    const created = await adminOps(broker, [{ op: "create", topic: "raw-t", partitions: 1 }]);
    assert.deepEqual(created, [{ ok: true }]);
    const client = await WireClient.connect(broker.port);
    try {
      // Five one-record batches; the largest timestamp is the third.
      const t0 = BigInt(Date.now()) - 60_000n;
      const stamps = [t0, t0 + 10n, t0 + 50n, t0 + 20n, t0 + 30n];
      for (const [i, baseTimestamp] of stamps.entries()) {
        const records = buildBatch([{ key: null, value: new TextEncoder().encode(`r${i}`) }], { baseTimestamp });
        const produced = await call(
          client,
          0,
          9,
          {
            transactionalId: null,
            acks: -1,
            timeoutMs: 5000,
            topicData: [{ name: "raw-t", partitionData: [{ index: 0, records }] }],
          },
          encodeProduceRequest,
          decodeProduceResponse,
        );
        assert.equal(produced.responses[0].partitionResponses[0].baseOffset, BigInt(i));
      }
      const listOffsets = async (version: number, timestamp: bigint) => {
        const response = await call(
          client,
          2,
          version,
          {
            replicaId: -1,
            isolationLevel: 0,
            topics: [{
              name: "raw-t",
              partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }],
            }],
          },
          encodeListOffsetsRequest,
          decodeListOffsetsResponse,
        );
        const p = response.topics[0].partitions[0];
        assert.equal(p.errorCode, 0, `ListOffsets v${version} timestamp ${timestamp}`);
        return [p.offset, p.timestamp];
      };
      for (const version of [1, 5, 9]) {
        assert.deepEqual((await listOffsets(version, -2n))[0], 0n, "earliest");
        assert.deepEqual((await listOffsets(version, -1n))[0], 5n, "latest");
        assert.deepEqual(await listOffsets(version, t0 + 15n), [2n, t0 + 50n], "first record at or after t0+15");
        assert.deepEqual(await listOffsets(version, t0 + 51n), [-1n, -1n], "no record that late");
      }
      assert.deepEqual(await listOffsets(9, -3n), [2n, t0 + 50n], "max timestamp");

      const md = defaultMetadataRequest();
      md.topics = [{ topicId: ZERO_UUID, name: "raw-t" }];
      md.allowAutoTopicCreation = false;
      const topicId = (await call(client, 3, 12, md, encodeMetadataRequest, decodeMetadataResponse)).topics[0].topicId;
      const unknownId = "AAAAAAAAAAAAAAAAAAAAAQ";
      const deleted = await call(
        client,
        20,
        6,
        {
          topics: [{ name: null, topicId }, { name: null, topicId: unknownId }],
          topicNames: [],
          timeoutMs: 5000,
        },
        encodeDeleteTopicsRequest,
        decodeDeleteTopicsResponse,
      );
      const byId = new Map(deleted.responses.map((r) => [r.topicId, r]));
      assert.equal(byId.get(topicId)?.errorCode, 0);
      assert.equal(byId.get(topicId)?.name, "raw-t");
      assert.equal(byId.get(unknownId)?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
      const [gone] = await adminOps(broker, [{ op: "describe", topic: "raw-t" }]);
      assert.equal(gone.error, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } finally {
      client.destroy();
    }
  });
});
