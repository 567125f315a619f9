import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeBroker } from "../_in_memory.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { ZERO_UUID } from "../../../src/protocol/io/uuid.ts";
import {
  decodeMetadataResponse,
  defaultMetadataRequest,
  encodeMetadataRequest,
  type MetadataRequest,
} from "../../../src/protocol/generated/metadata.ts";

const KEY = 3;
const request = (topics: string[] | null, extra: Partial<MetadataRequest> = {}): MetadataRequest => ({
  ...defaultMetadataRequest(),
  topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })),
  ...extra,
});

describe("Metadata", () => {
  for (let version = 0; version <= 12; version++) {
    test(`v${version} answers this node as broker, controller and leader of every partition`, async () => {
      const broker = new FakeBroker([{ name: "orders", partitions: 2 }]);
      const all = version === 0 ? request([]) : request(null);
      const response = await broker.call(KEY, version, all, encodeMetadataRequest, decodeMetadataResponse);
      assert.deepEqual(response.brokers, [{ nodeId: 1, host: "broker.example", port: 9092, rack: null }]);
      assert.equal(response.controllerId, version >= 1 ? 1 : -1);
      assert.equal(response.clusterId, version >= 2 ? "MkU3OEVBNTcwNTJENDM2Qg" : null);
      assert.equal(response.topics.length, 1);
      const [topic] = response.topics;
      assert.equal(topic.name, "orders");
      assert.equal(topic.errorCode, ErrorCode.NONE);
      assert.equal(topic.topicId, version >= 10 ? broker.state.metadata.byName.get("orders")!.topicId : ZERO_UUID);
      assert.deepEqual(topic.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]), [
        [0, 1, [1], [1]],
        [1, 1, [1], [1]],
      ]);
    });
  }

  test("v1+ with an empty topic list asks for no topics", async () => {
    const broker = new FakeBroker([{ name: "orders", partitions: 1 }]);
    const response = await broker.call(KEY, 1, request([]), encodeMetadataRequest, decodeMetadataResponse);
    assert.deepEqual(response.topics, []);
  });

  test("unknown topics are auto-created when allowed (always before v4)", async () => {
    const broker = new FakeBroker();
    const response = await broker.call(KEY, 3, request(["new-topic"]), encodeMetadataRequest, decodeMetadataResponse);
    assert.deepEqual(broker.created, [["new-topic"]]);
    assert.equal(response.topics[0].errorCode, ErrorCode.NONE);
    assert.equal(response.topics[0].partitions.length, 1);
  });

  test("v4+ honours AllowAutoTopicCreation=false", async () => {
    const broker = new FakeBroker();
    const response = await broker.call(
      KEY,
      9,
      request(["absent"], { allowAutoTopicCreation: false }),
      encodeMetadataRequest,
      decodeMetadataResponse,
    );
    assert.deepEqual(broker.created, []);
    assert.equal(response.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test("auto.create.topics.enable=false answers UNKNOWN_TOPIC_OR_PARTITION", async () => {
    const broker = new FakeBroker([], ["auto.create.topics.enable=false"]);
    const response = await broker.call(KEY, 12, request(["absent"]), encodeMetadataRequest, decodeMetadataResponse);
    assert.deepEqual(broker.created, []);
    assert.equal(response.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test("an invalid topic name answers INVALID_TOPIC_EXCEPTION and creates nothing", async () => {
    const broker = new FakeBroker();
    const response = await broker.call(
      KEY,
      12,
      request(["bad/name", "x".repeat(250)]),
      encodeMetadataRequest,
      decodeMetadataResponse,
    );
    assert.deepEqual(response.topics.map((t) => t.errorCode), [
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
    ]);
    assert.deepEqual(broker.created, []);
  });

  test("v12 looks topics up by id; an unknown id answers UNKNOWN_TOPIC_ID", async () => {
    const broker = new FakeBroker([{ name: "orders", partitions: 1 }]);
    const id = broker.state.metadata.byName.get("orders")!.topicId;
    const byId = {
      ...defaultMetadataRequest(),
      topics: [{ name: null, topicId: id }, { name: null, topicId: "AAAAAAAAAAAAAAAAAAAAAQ" }],
    };
    const response = await broker.call(KEY, 12, byId, encodeMetadataRequest, decodeMetadataResponse);
    assert.equal(response.topics[0].name, "orders");
    assert.equal(response.topics[0].errorCode, ErrorCode.NONE);
    assert.equal(response.topics[1].errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    assert.equal(response.topics[1].topicId, "AAAAAAAAAAAAAAAAAAAAAQ");
  });
});
