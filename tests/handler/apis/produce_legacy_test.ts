/**
 * Produce v0–v2 with legacy message sets, end to end through the handler:
 * up-converted to one v2 batch, stored with offsets, readable by Fetch.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalBroker } from "../_local_broker.ts";
import { crc32 } from "../../../src/log/legacy_message_set.ts";
import { readBatchHeader } from "../../../src/log/record_batch.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../../src/protocol/generated/produce.ts";
import { decodeFetchResponse, encodeFetchRequest } from "../../../src/protocol/generated/fetch.ts";

const enc = new TextEncoder();

/** One uncompressed magic-1 message: offset, size, crc, magic, attributes, timestamp, key, value. */
function message(offset: bigint, timestamp: bigint, key: string, value: string): Uint8Array {
  const k = enc.encode(key);
  const v = enc.encode(value);
  const body = new Uint8Array(1 + 1 + 8 + 4 + k.length + 4 + v.length);
  const d = new DataView(body.buffer);
  d.setInt8(0, 1);
  d.setBigInt64(2, timestamp);
  d.setInt32(10, k.length);
  body.set(k, 14);
  d.setInt32(14 + k.length, v.length);
  body.set(v, 18 + k.length);
  const out = new Uint8Array(12 + 4 + body.length);
  const o = new DataView(out.buffer);
  o.setBigInt64(0, offset);
  o.setInt32(8, 4 + body.length);
  o.setUint32(12, crc32(body));
  out.set(body, 16);
  return out;
}

describe("Produce v0–v2 (legacy message sets)", () => {
  for (const version of [0, 1, 2]) {
    test(`v${version}: a magic-1 message set is stored as one v2 batch and fetched back`, async () => {
      const broker = await LocalBroker.start({ handlers: 2 });
      try {
        await broker.createTopic("legacy", 1);
        const set = new Uint8Array([...message(0n, 1000n, "a", "one"), ...message(1n, 1001n, "b", "two")]);
        const produce = (records: Uint8Array) =>
          broker.call(
            0,
            version,
            {
              transactionalId: null,
              acks: -1,
              timeoutMs: 1000,
              topicData: [{ name: "legacy", partitionData: [{ index: 0, records }] }],
            },
            encodeProduceRequest,
            decodeProduceResponse,
          );
        const first = (await produce(set)).responses[0].partitionResponses[0];
        assert.deepEqual([first.errorCode, first.baseOffset], [0, 0n]);
        const second = (await produce(set)).responses[0].partitionResponses[0];
        assert.deepEqual([second.errorCode, second.baseOffset], [0, 2n]);
        const corrupt = set.slice();
        corrupt[set.length - 1] ^= 1;
        assert.equal((await produce(corrupt)).responses[0].partitionResponses[0].errorCode, 2);
        const topicId = broker.states[0].metadata.byName.get("legacy")!.topicId;
        const fetched = await broker.call(
          1,
          4,
          {
            clusterId: null,
            replicaId: -1,
            replicaState: { replicaId: -1, replicaEpoch: -1n },
            maxWaitMs: 0,
            minBytes: 0,
            maxBytes: 1 << 20,
            isolationLevel: 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [{
              topic: "legacy",
              topicId,
              partitions: [{
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: 0n,
                lastFetchedEpoch: -1,
                logStartOffset: -1n,
                partitionMaxBytes: 1 << 20,
                replicaDirectoryId: "AAAAAAAAAAAAAAAAAAAAAA",
              }],
            }],
            forgottenTopicsData: [],
            rackId: "",
          },
          encodeFetchRequest,
          decodeFetchResponse,
        );
        const records = fetched.responses[0].partitions[0].records!;
        const headers = [readBatchHeader(records, 0)];
        headers.push(readBatchHeader(records, headers[0].sizeInBytes));
        assert.deepEqual(headers.map((h) => [h.magic, h.baseOffset, h.recordsCount, h.baseTimestamp, h.maxTimestamp]), [
          [2, 0n, 2, 1000n, 1001n],
          [2, 2n, 2, 1000n, 1001n],
        ]);
      } finally {
        await broker.stop();
        broker.remove();
      }
    });
  }
});
