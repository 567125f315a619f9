/**
 * Hand-assembled wire bytes (from the protocol spec) for a few messages that
 * real clients send first; the codecs must decode them and reproduce them
 * byte for byte.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { uuidFromBytes, ZERO_UUID } from "../../src/protocol/io/uuid.ts";
import { readRequestHeader, writeResponseHeader } from "../../src/protocol/api_headers.ts";
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
} from "../../src/protocol/generated/headers.ts";
import {
  type ApiVersionsResponse,
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from "../../src/protocol/generated/api_versions.ts";
import {
  decodeMetadataRequest,
  decodeMetadataResponse,
  encodeMetadataRequest,
  encodeMetadataResponse,
  type MetadataResponse,
} from "../../src/protocol/generated/metadata.ts";
import { bytes, frame, hex, i32 } from "./bytes_util.ts";

function assertBytes(actual: Uint8Array, expected: Uint8Array, what: string) {
  assert.equal(hex(actual), hex(expected), what);
}

describe("golden bytes", () => {
  // librdkafka 2.0.2 opens every connection with this (client.id "rdkafka").
  const apiVersionsV3 = frame(bytes(
    [0x00, 0x12], // api key 18 (ApiVersions)
    [0x00, 0x03], // api version 3
    i32(1), // correlation id
    [0x00, 0x07],
    "rdkafka", // client id: int16 length even in header v2
    0x00, // header tagged fields: none
    0x0b,
    "librdkafka", // ClientSoftwareName: compact string, length + 1
    0x06,
    "2.0.2", // ClientSoftwareVersion
    0x00, // body tagged fields: none
  ));

  test("ApiVersions v3 request as sent by librdkafka", () => {
    const r = new Reader(apiVersionsV3);
    assert.equal(r.readInt32(), apiVersionsV3.length - 4);
    const header = readRequestHeader(r);
    assert.deepEqual(header, {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 1,
      clientId: "rdkafka",
    });
    const req = decodeApiVersionsRequest(r, 3);
    assert.deepEqual(req, {
      clientSoftwareName: "librdkafka",
      clientSoftwareVersion: "2.0.2",
    });
    assert.equal(r.remaining(), 0);

    const w = new Writer(8);
    w.reserveSizePrefix();
    encodeRequestHeader(w, 2, header);
    encodeApiVersionsRequest(w, 3, req);
    assertBytes(w.finishWithSizePrefix(), apiVersionsV3, "re-encoded frame");
  });

  test("ApiVersions v3 response: header v0 and tagged fields", () => {
    const msg: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      supportedFeatures: [{
        name: "metadata.version",
        minVersion: 1,
        maxVersion: 21,
      }],
      finalizedFeaturesEpoch: 5n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    const expected = frame(bytes(
      i32(7), // correlation id; ApiVersions responses always use header v0 (no tagged fields)
      [0x00, 0x00], // error code
      0x02,
      [0x00, 0x12, 0x00, 0x00, 0x00, 0x04],
      0x00, // ApiKeys: 1 entry + its tagged fields
      i32(0), // throttle time
      0x02, // 2 tagged fields, in tag order; defaults (empty, false) are omitted
      0x00,
      0x17, // tag 0 SupportedFeatures, 23 bytes
      0x02,
      0x11,
      "metadata.version",
      [0x00, 0x01, 0x00, 0x15],
      0x00,
      0x01,
      0x08,
      [0, 0, 0, 0, 0, 0, 0, 5], // tag 1 FinalizedFeaturesEpoch
    ));
    const w = new Writer();
    w.reserveSizePrefix();
    writeResponseHeader(w, 18, 3, 7);
    encodeApiVersionsResponse(w, 3, msg);
    assertBytes(w.finishWithSizePrefix(), expected, "ApiVersions v3 response");

    const r = new Reader(expected, 4);
    assert.deepEqual(decodeResponseHeader(r, 0), { correlationId: 7 });
    assert.deepEqual(decodeApiVersionsResponse(r, 3), msg);
    assert.equal(r.remaining(), 0);
  });

  test("Metadata v0 request for topic 'test'", () => {
    const wire = frame(bytes(
      [0x00, 0x03, 0x00, 0x00],
      i32(42),
      [0x00, 0x06],
      "client", // header v1
      i32(1),
      [0x00, 0x04],
      "test", // Topics: int32 count, int16-length names
    ));
    const r = new Reader(wire, 4);
    const header = readRequestHeader(r);
    assert.deepEqual(header, {
      requestApiKey: 3,
      requestApiVersion: 0,
      correlationId: 42,
      clientId: "client",
    });
    const req = decodeMetadataRequest(r, 0);
    assert.deepEqual(req, {
      topics: [{ topicId: ZERO_UUID, name: "test" }],
      allowAutoTopicCreation: true, // v4+ field: absent, so its default
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(r.remaining(), 0);
    const w = new Writer();
    w.reserveSizePrefix();
    encodeRequestHeader(w, 1, header);
    encodeMetadataRequest(w, 0, req);
    assertBytes(w.finishWithSizePrefix(), wire, "re-encoded");
  });

  test("Metadata v12 response (flexible)", () => {
    const topicIdBytes = Uint8Array.from({ length: 16 }, (_, i) => i);
    const msg: MetadataResponse = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: "localhost", port: 9092, rack: null }],
      clusterId: "c1",
      controllerId: 1,
      topics: [{
        errorCode: 0,
        name: "test",
        topicId: uuidFromBytes(topicIdBytes),
        isInternal: false,
        partitions: [{
          errorCode: 0,
          partitionIndex: 0,
          leaderId: 1,
          leaderEpoch: 0,
          replicaNodes: [1],
          isrNodes: [1],
          offlineReplicas: [],
        }],
        topicAuthorizedOperations: -2147483648,
      }],
      clusterAuthorizedOperations: -2147483648, // v8-10 only: not on the wire in v12
    };
    assert.equal(msg.topics[0].topicId, "AAECAwQFBgcICQoLDA0ODw");
    const expected = bytes(
      i32(99),
      0x00, // response header v1: correlation id + tagged fields
      i32(0), // ThrottleTimeMs
      0x02, // Brokers: compact array of 1
      i32(1),
      0x0a,
      "localhost",
      i32(9092),
      0x00, /* Rack null */
      0x00,
      0x03,
      "c1", // ClusterId
      i32(1), // ControllerId
      0x02, // Topics: 1
      [0x00, 0x00],
      0x05,
      "test",
      topicIdBytes,
      0x00, /* IsInternal */
      0x02, // Partitions: 1
      [0x00, 0x00],
      i32(0),
      i32(1),
      i32(0),
      [0x02, ...i32(1)],
      [0x02, ...i32(1)],
      0x01,
      0x00,
      i32(-2147483648), // TopicAuthorizedOperations
      0x00, // topic tagged fields
      0x00, // response tagged fields
    );
    const w = new Writer();
    writeResponseHeader(w, 3, 12, 99);
    encodeMetadataResponse(w, 12, msg);
    assertBytes(w.finish(), expected, "Metadata v12 response");

    const r = new Reader(expected);
    assert.deepEqual(decodeResponseHeader(r, 1), { correlationId: 99 });
    assert.deepEqual(decodeMetadataResponse(r, 12), msg);
    assert.equal(r.remaining(), 0);
  });

  test("request header v1 with null client id", () => {
    const r = new Reader(
      bytes([0x00, 0x03, 0x00, 0x05], i32(-5), [0xff, 0xff]),
    );
    assert.deepEqual(decodeRequestHeader(r, 1), {
      requestApiKey: 3,
      requestApiVersion: 5,
      correlationId: -5,
      clientId: null,
    });
    assert.equal(r.remaining(), 0);
  });

  test("request header v2 skips unknown tagged fields", () => {
    const wire = bytes(
      [0x00, 0x12, 0x00, 0x03],
      i32(7),
      [0x00, 0x03],
      "cli",
      0x02, // two tagged fields, neither known to the header schema
      0x05,
      0x02,
      [0xab, 0xcd],
      0x81,
      0x01,
      0x00, // tag 129 (two-byte varint), empty
    );
    const r = new Reader(wire);
    assert.deepEqual(readRequestHeader(r), {
      requestApiKey: 18,
      requestApiVersion: 3,
      correlationId: 7,
      clientId: "cli",
    });
    assert.equal(r.remaining(), 0);
  });

  test("header v0 (no client id) decodes to the default client id", () => {
    const r = new Reader(bytes([0x00, 0x07, 0x00, 0x00], i32(1)));
    assert.deepEqual(decodeRequestHeader(r, 0), {
      requestApiKey: 7,
      requestApiVersion: 0,
      correlationId: 1,
      clientId: "",
    });
  });
});
