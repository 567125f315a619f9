/** RecordAccumulator: batching by batch.size, readiness by linger.ms, flush, and the in-order requeue of retried batches. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Delivery, type ProducerBatch, RecordAccumulator } from "../../src/client/accumulator.ts";
import { readBatchHeader } from "../../src/log/record_batch.ts";
import { zigzagSize } from "../../src/log/zigzag.ts";

const none: Delivery = { resolve() {}, reject() {} };
/** A keyless record with an n-byte value (timestamp, key, value, headers), and its size in a batch (varint length, then attributes, two deltas,
 * null key, value, no headers). */
const rec = (n: number): [number, null, Uint8Array, null] => [1000, null, new Uint8Array(n), null];
const recordBytes = (n: number) => {
  const body = 1 + 1 + 1 + 1 + zigzagSize(n) + n + 1;
  return zigzagSize(body) + body;
};
const all = () => true;

test("records of one partition share a batch until batch.size, then a new batch opens and the first is ready", () => {
  const acc = new RecordAccumulator(1000, 60_000);
  let full = false;
  for (let i = 0; i < 4; i++) full = acc.append("t", 0, ...rec(200), none);
  assert.equal(full, false, "61 + 4 × 209 bytes fit in 1000");
  full = acc.append("t", 0, ...rec(200), none);
  assert.equal(full, true, "the fifth record opens a second batch");
  const { batches } = acc.drain(Date.now(), all);
  assert.equal(batches.length, 1, "one batch per partition per drain");
  assert.equal(batches[0].count, 4);
  const sealed = batches[0].builder.seal({ codec: 0, producerId: 7n, producerEpoch: 1, baseSequence: 0 });
  assert.equal(sealed.length, 61 + 4 * recordBytes(200), "records are written as they are appended");
  assert.equal(readBatchHeader(sealed).recordsCount, 4);
});

test("a batch below batch.size becomes ready once linger.ms has passed, or at once while flushing", () => {
  const acc = new RecordAccumulator(16384, 50);
  acc.append("t", 0, ...rec(10), none);
  const created = Date.now();
  const early = acc.drain(created, all);
  assert.equal(early.batches.length, 0);
  assert.ok(early.nextReadyAt >= created && early.nextReadyAt <= created + 60, "ready at creation + linger");
  acc.beginFlush();
  assert.equal(acc.drain(created, all).batches.length, 1, "flush makes it ready now");
  acc.endFlush();
});

test("batches of different partitions drain together; `accept` can hold one back", () => {
  const acc = new RecordAccumulator(16384, 0);
  acc.append("t", 0, ...rec(10), none);
  acc.append("t", 1, ...rec(10), none);
  acc.append("u", 0, ...rec(10), none);
  const { batches } = acc.drain(Date.now() + 1, (b) => b.topic === "t");
  assert.deepEqual(batches.map((b) => `${b.topic}-${b.partition}`).sort(), ["t-0", "t-1"]);
  assert.equal(acc.drain(Date.now() + 1, all).batches.length, 1, "u-0 is still there");
});

test("failed batches wait for the partition's other in-flight batches, then go back in sequence order", () => {
  const acc = new RecordAccumulator(100, 0);
  for (let i = 0; i < 3; i++) acc.append("t", 0, ...rec(80), none); // three batches
  const drained: ProducerBatch[] = [];
  for (let i = 0; i < 3; i++) drained.push(...acc.drain(Date.now() + 1, all).batches);
  assert.equal(drained.length, 3);
  drained.forEach((b, i) => b.baseSequence = i);
  acc.retry(drained[1], 0);
  assert.equal(acc.drain(Date.now() + 1, all).batches.length, 0, "muted while batches 0 and 2 are in flight");
  acc.retry(drained[2], 0);
  acc.complete(drained[0]);
  const again = acc.drain(Date.now() + 1, all).batches;
  assert.deepEqual(again.map((b) => b.baseSequence), [1], "the lowest sequence goes first");
  acc.complete(again[0]);
  assert.deepEqual(acc.drain(Date.now() + 1, all).batches.map((b) => b.baseSequence), [2]);
});

test("bufferedBytes counts appended records and falls as batches complete", () => {
  const acc = new RecordAccumulator(16384, 0);
  acc.append("t", 0, ...rec(100), none);
  acc.append("t", 0, ...rec(100), none);
  assert.equal(acc.bufferedBytes, 2 * recordBytes(100));
  const [b] = acc.drain(Date.now() + 1, all).batches;
  acc.complete(b);
  assert.equal(acc.bufferedBytes, 0);
  assert.equal(acc.empty, true);
});

test("batches still unsent after delivery.timeout.ms fail, and their bytes are released", () => {
  const acc = new RecordAccumulator(16384, 0);
  const failures: Error[] = [];
  const watch: Delivery = { resolve() {}, reject: (e) => failures.push(e) };
  const before = Date.now();
  acc.append("t", 0, ...rec(10), watch);
  const after = Date.now();
  assert.equal(acc.expire(before + 999, 1000), 0, "not yet");
  assert.equal(acc.expire(after + 1000, 1000), 1);
  assert.equal(failures.length, 1);
  assert.match(failures[0].message, /REQUEST_TIMED_OUT/);
  assert.equal(acc.bufferedBytes, 0);
  assert.equal(acc.empty, true);
});
