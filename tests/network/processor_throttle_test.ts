/**
 * Client-quota throttling in the processor (KIP-219): an answer carrying a
 * throttle time is written at once, then nothing more of that connection goes
 * to a handler until the time is up, and its reading pauses once frames pile
 * up; other connections are not held.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { concat, correlationOf, metadata, Rig } from "./_processor_rig.ts";
import type { RequestEnvelope } from "../../src/network/request_channel.ts";

/** Answer `request` (8-byte body with its correlation id) with a throttle time. */
function answerThrottled(r: Rig, request: RequestEnvelope, throttleMs: number): void {
  r.pool.release(request.frame.byteLength);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setInt32(0, 4);
  new DataView(bytes.buffer).setInt32(4, correlationOf(request));
  r.handler.respond({
    conn: request.conn,
    seq: request.seq,
    action: "send",
    frame: bytes.buffer,
    length: 8,
    error: 0,
    throttleMs,
  });
}

describe("Processor client-quota throttling", () => {
  test("a throttled answer leaves at once; the next request waits out the throttle time", async () => {
    const r = new Rig();
    const s = r.open();
    const other = r.open();
    r.processor.data(s, concat([metadata(1), metadata(2)]));
    assert.equal(r.requests.length, 1);
    answerThrottled(r, r.requests[0], 100);
    assert.deepEqual(s.correlationIds(), [1], "the answer is written at once");
    assert.equal(r.requests.length, 1, "the next request waits");
    r.processor.data(other, metadata(7));
    assert.equal(r.requests.length, 2, "another connection is not held");
    r.handler.answer(r.requests[1]);
    r.clock.advance(99);
    assert.equal(r.requests.length, 2);
    r.clock.advance(1);
    assert.deepEqual(r.requests.map(correlationOf), [1, 7, 2]);
    r.handler.answer(r.requests[2]);
    assert.deepEqual(s.correlationIds(), [1, 2]);
    r.processor.close(s);
    r.processor.close(other);
    r.assertNothingHeld();
    await r.stop();
  });

  test("reading pauses while a throttled connection's frames pile up, and resumes after the throttle", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, metadata(0));
    answerThrottled(r, r.requests[0], 50);
    r.processor.data(s, concat(Array.from({ length: 16 }, (_, i) => metadata(i + 1))));
    assert.equal(s.paused, true, "16 frames waiting");
    assert.equal(r.requests.length, 1);
    r.clock.advance(50);
    assert.equal(r.requests.length, 2, "dispatch resumes");
    while (r.requests.length < 17) r.handler.answer(r.requests[r.requests.length - 1]);
    r.handler.answer(r.requests[16]);
    assert.equal(s.paused, false);
    assert.equal(s.correlationIds().length, 17);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("throttle times that overlap hold the connection until the later one ends", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, metadata(1));
    answerThrottled(r, r.requests[0], 30);
    r.processor.data(s, metadata(2));
    r.clock.advance(30);
    assert.equal(r.requests.length, 2);
    answerThrottled(r, r.requests[1], 80);
    r.processor.data(s, metadata(3));
    r.clock.advance(79);
    assert.equal(r.requests.length, 2);
    r.clock.advance(1);
    assert.equal(r.requests.length, 3);
    r.handler.answer(r.requests[2]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });
});
