/** The producer's default partitioner: Kafka's murmur2 (checked against values Java's Utils.murmur2 gives) and stickiness. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { keyedPartition, murmur2, StickyPartitioner } from "../../src/client/partitioner.ts";

const utf8 = new TextEncoder();

test("murmur2() equals Java's Utils.murmur2 for keys of every tail length", () => {
  // Values printed by org.apache.kafka.common.utils.Utils.murmur2 (also in Kafka's UtilsTest).
  const known: Array<[string, number]> = [
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ];
  for (const [key, hash] of known) assert.equal(murmur2(utf8.encode(key)), hash, key);
});

test("keyedPartition() is the positive hash modulo the partition count", () => {
  // murmur2("foobar") = -790332482; & 0x7fffffff = 1357151166; mod 7 = 1357151166 % 7.
  assert.equal(keyedPartition(utf8.encode("foobar"), 7), 1357151166 % 7);
  for (let i = 0; i < 200; i++) {
    const p = keyedPartition(utf8.encode(`key-${i}`), 8);
    assert.ok(p >= 0 && p < 8);
    assert.equal(keyedPartition(utf8.encode(`key-${i}`), 8), p, "same key, same partition");
  }
});

test("StickyPartitioner keeps one partition while a batch.size batch has room, then moves to another", () => {
  let r = 0;
  const randoms = [0.1, 0.9, 0.5];
  const sticky = new StickyPartitioner(1000, () => randoms[r++ % randoms.length]);
  const first = sticky.partition("t", 4, 300);
  assert.equal(sticky.partition("t", 4, 300), first);
  assert.equal(sticky.partition("t", 4, 300), first, "61 + 900 bytes fit in a 1000-byte batch");
  const second = sticky.partition("t", 4, 300);
  assert.notEqual(second, first, "the fourth would not fit: a new partition, never the same one");
  assert.equal(sticky.partition("t", 4, 300), second);
  assert.equal(sticky.partition("other", 1, 10), 0, "a topic of one partition always gets partition 0");
});
