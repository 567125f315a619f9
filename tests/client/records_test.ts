/** The producer's batch encoding and the consumer's decoding agree, for every codec, and match the broker's batch reader. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CODEC_IDS, encodeBatch } from "../../src/client/batch_encoder.ts";
import { decodeRecords } from "../../src/client/records.ts";
import { readBatchHeader, validateBatchForAppend } from "../../src/log/record_batch.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();

function sample() {
  return Array.from({ length: 20 }, (_, i) => ({
    key: i % 3 === 0 ? null : utf8.encode(`key-${i}`),
    value: i === 5 ? null : utf8.encode(`value-${i}-`.repeat(10)),
    headers: [["h", utf8.encode(String(i))]] as Array<[string, Uint8Array | null]>,
  }));
}

for (const [name, codec] of Object.entries(CODEC_IDS)) {
  test(`a ${name} batch round-trips: header fields, keys, values, headers and timestamps`, () => {
    const timestamps = Array.from({ length: 20 }, (_, i) => 1_700_000_000_000 + i * 7);
    const batch = encodeBatch(sample(), { codec, producerId: 42n, producerEpoch: 3, baseSequence: 100, timestamps });
    const h = readBatchHeader(batch);
    assert.equal(h.compression, codec);
    assert.equal(h.producerId, 42n);
    assert.equal(h.producerEpoch, 3);
    assert.equal(h.baseSequence, 100);
    assert.equal(h.recordsCount, 20);
    assert.equal(h.sizeInBytes, batch.length);
    assert.equal(
      validateBatchForAppend(batch, 0, batch.length, { maxMessageBytes: 1 << 20 }),
      null,
      "the broker accepts it",
    );
    // As fetched: the broker stamps base offset 500.
    new DataView(batch.buffer, batch.byteOffset).setBigInt64(0, 500n);
    const { records, nextOffset } = decodeRecords("t", 2, batch, 503n);
    assert.equal(nextOffset, 520n);
    assert.equal(records.length, 17, "records before the fetch offset are dropped");
    const r = records[2]; // offset 505
    assert.equal(r.offset, 505n);
    assert.equal(r.timestamp, timestamps[5]);
    assert.equal(r.value, null);
    assert.equal(text.decode(r.key!), "key-5");
    assert.deepEqual(r.headers.map(([k, v]) => [k, text.decode(v!)]), [["h", "5"]]);
  });
}

test("decodeRecords() skips a partial batch at the end and reports where to fetch next", () => {
  const one = encodeBatch(sample(), {
    codec: 0,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    timestamps: Array(20).fill(1),
  });
  const two = new Uint8Array(one.length * 2 - 10);
  two.set(one);
  two.set(one.subarray(0, one.length - 10), one.length);
  new DataView(two.buffer).setBigInt64(one.length, 20n);
  const { records, nextOffset } = decodeRecords("t", 0, two, 0n);
  assert.equal(records.length, 20);
  assert.equal(nextOffset, 20n);
});
