/**
 * Back-pressure: reading pauses while a connection has too many frames
 * waiting or the memory pool is empty (retried every 2 ms), dispatch waits
 * while its output is large, the request queue is full or (for Fetch) the
 * unsent-response budget is spent, and everything resumes as those clear.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { P } from "../../src/metrics/layout.ts";
import { concat, correlationOf, FakeSocket, fetchMaxBytes, fetchV4, metadata, MiB, Rig } from "./_processor_rig.ts";

describe("Processor back-pressure", () => {
  test("reading pauses with 16 frames waiting and resumes below 8", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, concat(Array.from({ length: 15 }, (_, i) => metadata(i))));
    assert.equal(s.paused, false, "15 frames: 1 dispatched, 14 waiting");
    r.processor.data(s, metadata(15));
    r.processor.data(s, metadata(16));
    assert.equal(s.paused, true);
    for (let answered = 0; answered < 9; answered++) {
      assert.equal(s.paused, true, `after ${answered} answers`);
      r.handler.answer(r.requests[answered]);
    }
    assert.equal(s.paused, false, "7 frames waiting");
    while (r.requests.length < 17) r.handler.answer(r.requests[r.requests.length - 1]);
    r.handler.answer(r.requests[16]);
    assert.equal(s.correlationIds().length, 17);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("an empty memory pool pauses reading; it is retried every 2 ms and resumes when memory frees", async () => {
    const r = new Rig({ poolBytes: 1000 });
    r.pool.reserve(1000);
    const s = r.open();
    r.processor.data(s, metadata(1, 50));
    assert.equal(s.paused, true);
    assert.equal(r.metrics.cells[P.memoryBlockedEvents], 1);
    r.processor.data(s, metadata(2)); // bytes the runtime had already read: kept, in order
    assert.equal(r.metrics.cells[P.memoryBlockedEvents], 2);
    r.clock.advance(2);
    assert.equal(r.metrics.cells[P.memoryBlockedEvents], 3, "retried, still empty");
    assert.equal(r.requests.length, 0);
    r.pool.release(1000);
    r.clock.advance(1);
    assert.equal(r.requests.length, 0, "not before the retry");
    r.clock.advance(1);
    assert.deepEqual(r.requests.map(correlationOf), [1]);
    assert.equal(s.paused, false);
    r.handler.answer(r.requests[0]);
    r.handler.answer(r.requests[1]);
    assert.deepEqual(s.correlationIds(), [1, 2]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a frame larger than the whole pool is read (the pool overdraws rather than deadlock)", async () => {
    const r = new Rig({ poolBytes: 100 });
    const s = r.open();
    r.processor.data(s, metadata(1, 5000));
    assert.equal(r.requests.length, 1);
    assert.equal(r.pool.used, 5010);
    r.handler.answer(r.requests[0]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("complete frames waiting behind a dry pool are still dispatched: they hold the memory it waits for", async () => {
    const r = new Rig({ poolBytes: 110, queueCapacity: 1 });
    r.handler.holdQueue = true;
    const a = r.open();
    const b = r.open(new FakeSocket("10.0.0.2"));
    r.processor.data(a, metadata(1)); // 10 pool bytes, and the one queue slot
    r.processor.data(b, concat([metadata(2, 90), metadata(3, 20).subarray(0, 9)])); // 100 bytes: the pool is dry
    assert.equal(r.pool.available, 0);
    assert.ok(b.paused);
    assert.equal(r.requests.length, 1, "the queue is full");
    r.handler.dequeueHeld(); // the handler takes request 1 but is still handling it
    r.handler.holdQueue = false;
    r.clock.advance(2);
    assert.deepEqual(r.requests.map(correlationOf), [1, 2]);
    r.handler.answer(r.requests[1]);
    r.clock.advance(2);
    assert.equal(b.paused, false);
    r.processor.data(b, metadata(3, 20).subarray(9));
    r.handler.answer(r.requests[2]);
    r.handler.answer(r.requests[0]);
    assert.deepEqual(b.correlationIds(), [2, 3]);
    r.processor.close(a);
    r.processor.close(b);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a connection with more than 4 MiB unsent dispatches nothing until its output drains", async () => {
    const r = new Rig();
    const s = r.open();
    s.reading = false;
    r.processor.data(s, metadata(1));
    r.handler.answer(r.requests[0], 4 * MiB - 8);
    assert.equal(s.bufferedAmount, 4 * MiB);
    assert.equal(r.unsentPool.used, 4 * MiB, "what the socket holds is charged to the unsent budget");
    r.processor.data(s, metadata(2));
    assert.equal(r.requests.length, 2, "4 MiB exactly is not over the bound");
    r.handler.answer(r.requests[1], 100);
    r.processor.data(s, metadata(3));
    assert.equal(r.requests.length, 2);
    assert.equal(s.paused, false, "reading goes on: frames queue up to their own bound");
    s.bufferedAmount = 0;
    r.processor.drain(s);
    assert.equal(r.requests.length, 3);
    assert.equal(r.unsentPool.used, 0);
    r.handler.answer(r.requests[2]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("with queued.max.requests waiting, dispatch waits and is retried until the queue has room", async () => {
    const r = new Rig({ queueCapacity: 2 });
    r.handler.holdQueue = true;
    const [a, b, c] = [r.open(), r.open(), r.open()];
    r.processor.data(a, metadata(1));
    r.processor.data(b, metadata(2));
    r.processor.data(c, fetchV4(3, MiB));
    assert.equal(r.requests.length, 2);
    assert.equal(r.queue.size, 2);
    assert.equal(r.unsentPool.used, 0, "a Fetch waiting for the queue holds no unsent credit");
    r.clock.advance(10);
    assert.equal(r.requests.length, 2);
    r.handler.dequeueHeld();
    r.handler.holdQueue = false;
    r.clock.advance(2);
    assert.equal(r.requests.length, 3);
    assert.equal(r.unsentPool.used, MiB);
    for (const q of r.requests) r.handler.answer(q);
    for (const s of [a, b, c]) {
      assert.equal(s.correlationIds().length, 1);
      r.processor.close(s);
    }
    r.assertNothingHeld();
    await r.stop();
  });

  test("a Fetch takes unsent credit (max_bytes lowered to 1/8 of what is left), replaced by the real backlog", async () => {
    const r = new Rig({ unsentBytes: 32 * MiB });
    const s = r.open();
    s.reading = false;
    r.processor.data(s, fetchV4(1, 50 * MiB));
    assert.equal(fetchMaxBytes(r.requests[0]), 4 * MiB);
    assert.equal(r.unsentPool.used, 4 * MiB);
    r.handler.answer(r.requests[0], MiB - 8);
    assert.equal(r.unsentPool.used, MiB, "the credit is given back and the socket's backlog charged");
    r.processor.data(s, fetchV4(2, 100));
    assert.equal(fetchMaxBytes(r.requests[1]), 100, "a small max_bytes is kept");
    assert.equal(r.unsentPool.used, MiB + 100);
    r.handler.answer(r.requests[1]);
    s.bufferedAmount = 0;
    r.processor.drain(s);
    assert.equal(r.unsentPool.used, 0);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("with the unsent budget spent, Fetches wait (retried) while other requests go", async () => {
    const r = new Rig({ unsentBytes: 4 * MiB });
    r.unsentPool.reserve(4 * MiB);
    const fetcher = r.open();
    const other = r.open();
    r.processor.data(fetcher, fetchV4(1, MiB));
    r.processor.data(other, metadata(2));
    assert.deepEqual(r.requests.map(correlationOf), [2]);
    r.clock.advance(20);
    assert.ok(r.metrics.cells[P.unsentBlockedEvents] >= 2, "retried");
    assert.equal(r.requests.length, 1);
    r.unsentPool.release(4 * MiB);
    r.clock.advance(2);
    assert.deepEqual(r.requests.map(correlationOf), [2, 1]);
    for (const q of r.requests) r.handler.answer(q);
    for (const s of [fetcher, other]) r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("one connection paused on its own bounds does not hold up another", async () => {
    const r = new Rig();
    const busy = r.open();
    const quiet = r.open(new FakeSocket("10.0.0.2"));
    r.processor.data(busy, concat(Array.from({ length: 20 }, (_, i) => metadata(i))));
    assert.equal(busy.paused, true);
    r.processor.data(quiet, metadata(100));
    assert.equal(correlationOf(r.requests[1]), 100);
    r.handler.answer(r.requests[1]);
    assert.deepEqual(quiet.correlationIds(), [100]);
    assert.equal(quiet.paused, false);
    r.processor.close(busy);
    r.processor.close(quiet);
    assert.equal(r.processor.connectionCount, 1, "kept while its complete requests are handled");
    r.handler.answer(r.requests[0]);
    for (let i = 2; i < 21; i++) r.handler.answer(r.requests[i]);
    assert.equal(busy.writes.length, 0, "a closed client's answers are dropped");
    r.assertNothingHeld();
    await r.stop();
  });
});
