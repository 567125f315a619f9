/**
 * Muting and response order: one request of a connection is with a handler
 * at a time, unless the handler releases it early; answers leave in request
 * order however they come back, with at most 16 requests outstanding.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { P } from "../../src/metrics/layout.ts";
import { concat, correlationOf, fetchV4, metadata, MiB, Rig } from "./_processor_rig.ts";

const frames = (from: number, count: number) => concat(Array.from({ length: count }, (_, i) => metadata(from + i)));

describe("Processor muting and ordering", () => {
  test("the second pipelined request is dispatched only once the first is answered", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, metadata(1));
    r.processor.data(s, metadata(2));
    assert.deepEqual(r.requests.map(correlationOf), [1]);
    r.clock.advance(7);
    assert.deepEqual(r.requests.map(correlationOf), [1], "time alone does not unmute");
    r.handler.answer(r.requests[0], 100);
    assert.deepEqual(s.correlationIds(), [1]);
    assert.deepEqual(r.requests.map(correlationOf), [1, 2]);
    assert.equal(r.api(3).sumMs, 7, "latency counts from dispatch to answer");
    r.handler.answer(r.requests[1]);
    assert.deepEqual(s.correlationIds(), [1, 2]);
    assert.equal(r.api(3).count, 2);
    assert.equal(r.metrics.cells[P.bytesOut], 108 + 8);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a released request lets the next one go; answers are still written in request order", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, frames(1, 4));
    const [q1] = r.requests;
    r.handler.release(q1);
    const q2 = r.requests[1];
    assert.equal(correlationOf(q2), 2);
    r.handler.release(q2);
    const q3 = r.requests[2];
    assert.equal(r.requests.length, 3);
    r.handler.answer(q3);
    assert.deepEqual(s.correlationIds(), [], "3 waits for 1 and 2");
    assert.equal(r.requests.length, 4, "answering the newest unmutes");
    r.handler.answer(q2);
    assert.deepEqual(s.correlationIds(), []);
    r.handler.answer(q1);
    assert.deepEqual(s.correlationIds(), [1, 2, 3]);
    r.handler.answer(r.requests[3]);
    assert.deepEqual(s.correlationIds(), [1, 2, 3, 4]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("releasing an older request does not unmute: the newest still holds the connection", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, frames(1, 3));
    r.handler.release(r.requests[0]);
    assert.equal(r.requests.length, 2);
    r.handler.answer(r.requests[0]);
    assert.deepEqual(s.correlationIds(), [1]);
    assert.equal(r.requests.length, 2, "request 2 is with its handler, unreleased");
    r.handler.answer(r.requests[1]);
    assert.equal(r.requests.length, 3);
    r.handler.answer(r.requests[2]);
    assert.deepEqual(s.correlationIds(), [1, 2, 3]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("at most 16 released requests wait for answers; the 17th goes when the oldest is written", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, frames(1, 12));
    r.processor.data(s, frames(13, 8));
    for (let released = 0; released < r.requests.length; released++) r.handler.release(r.requests[released]);
    assert.equal(r.requests.length, 16);
    r.handler.answer(r.requests[5]);
    assert.equal(r.requests.length, 16, "an answer that cannot be written yet frees no place");
    r.handler.answer(r.requests[0]);
    assert.equal(r.requests.length, 17);
    assert.deepEqual(s.correlationIds(), [1]);
    r.handler.release(r.requests[16]);
    assert.equal(r.requests.length, 17);
    // Answer everything, newest first: nothing is written until request 2's answer is in.
    for (let i = r.requests.length - 1; i >= 1; i--) if (i !== 5) r.handler.answer(r.requests[i]);
    for (let i = 17; i < 20; i++) {
      assert.equal(r.requests.length, i + 1);
      r.handler.release(r.requests[i]);
      r.handler.answer(r.requests[i]);
    }
    assert.deepEqual(s.correlationIds(), Array.from({ length: 20 }, (_, i) => i + 1));
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a request without an answer (acks=0) unmutes and writes nothing", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, frames(1, 2));
    r.handler.none(r.requests[0]);
    assert.equal(r.requests.length, 2);
    r.handler.answer(r.requests[1]);
    assert.deepEqual(s.correlationIds(), [2]);
    assert.equal(r.api(3).count, 2);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a handler's close drops the connection and what waits on it, with its reason in the log", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, frames(1, 3));
    r.handler.release(r.requests[0]);
    r.handler.close(r.requests[1], "the record batch is corrupt");
    assert.ok(s.destroyed);
    assert.match(r.lines.join("\n"), /Closing connection from .* on listener PLAINTEXT: the record batch is corrupt/);
    r.handler.answer(r.requests[0]);
    assert.deepEqual(s.correlationIds(), [], "the answer that comes after the close is dropped");
    r.assertNothingHeld();
    await r.stop();
  });

  test("a response's further chunks are written after its frame, in order", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, metadata(1));
    const q = r.requests[0];
    r.pool.release(q.frame.byteLength);
    const head = new Uint8Array([0, 0, 0, 10, 0, 0, 0, 1]);
    const records = new Uint8Array([9, 9, 1, 2, 3, 9]);
    r.handler.respond({
      conn: q.conn,
      seq: q.seq,
      action: "send",
      frame: head.buffer,
      length: 8,
      more: [{ buffer: records.buffer, offset: 2, length: 3 }, { buffer: new ArrayBuffer(3), offset: 0, length: 3 }],
      error: 0,
    });
    assert.deepEqual(concat(s.writes), new Uint8Array([0, 0, 0, 10, 0, 0, 0, 1, 1, 2, 3, 0, 0, 0]));
    assert.equal(r.metrics.cells[P.bytesOut], 14);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a connection's Fetches always go to one handler; other requests go round robin", async () => {
    const r = new Rig({ handlerCount: 3 });
    const seen: Array<{ handler: number; conn: number; apiKey: number }> = [];
    const serve = () => {
      for (let progressed = true; progressed;) {
        progressed = false;
        r.handlers.forEach((h, handler) => {
          for (const q of h.inbox.splice(0)) {
            seen.push({ handler, conn: q.conn, apiKey: new DataView(q.frame).getInt16(0) });
            h.answer(q);
            progressed = true;
          }
        });
      }
    };
    const clients = [r.open(), r.open()];
    for (let i = 0; i < 6; i++) {
      for (const s of clients) r.processor.data(s, concat([fetchV4(i, MiB), metadata(100 + i)]));
      serve();
    }
    for (const conn of new Set(seen.map((x) => x.conn))) {
      const handlers = new Set(seen.filter((x) => x.conn === conn && x.apiKey === 1).map((x) => x.handler));
      assert.equal(handlers.size, 1, `connection ${conn}'s Fetches went to handlers ${[...handlers]}`);
    }
    const others = seen.filter((x) => x.apiKey !== 1).map((x) => x.handler);
    assert.equal(others.length, 12);
    assert.deepEqual([0, 1, 2].map((h) => others.filter((x) => x === h).length), [4, 4, 4]);
    for (const s of clients) r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });
});
