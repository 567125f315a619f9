/**
 * The processor cuts a connection's byte stream into frames however the
 * bytes are chunked, refuses bad sizes, unknown API keys and unsupported
 * versions by closing the connection (ApiVersions of any version still goes
 * to a handler, which answers it), and gives back every pool byte it took.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { P } from "../../src/metrics/layout.ts";
import { apiVersions, concat, correlationOf, metadata, request, Rig } from "./_processor_rig.ts";

/** The size-prefix bytes alone. */
function sizePrefix(size: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, size);
  return bytes;
}

describe("Processor framing", () => {
  test("a frame fed one byte at a time, size prefix included, arrives whole", async () => {
    const r = new Rig();
    const s = r.open();
    const frame = metadata(7, 20);
    frame.fill(0xab, 14);
    for (let i = 0; i < frame.byteLength; i++) {
      assert.equal(r.requests.length, 0, `dispatched after ${i} bytes`);
      r.processor.data(s, frame.subarray(i, i + 1));
    }
    assert.equal(r.requests.length, 1);
    assert.deepEqual(new Uint8Array(r.requests[0].frame), frame.subarray(4));
    assert.equal(r.pool.used, frame.byteLength - 4, "the frame holds exactly its size in the pool");
    r.handler.answer(r.requests[0]);
    assert.deepEqual(s.correlationIds(), [7]);
    assert.equal(r.pool.used, 0);
    await r.stop();
  });

  test("frames cut at every possible point across two chunks arrive whole and in order", async () => {
    const r = new Rig();
    const bytes = concat([metadata(1, 3), apiVersions(2), metadata(3, 40)]);
    for (let cut = 0; cut <= bytes.byteLength; cut++) {
      const s = r.open();
      r.processor.data(s, bytes.subarray(0, cut));
      r.processor.data(s, bytes.subarray(cut));
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        const last = r.requests[r.requests.length - 1];
        seen.push(correlationOf(last));
        r.handler.answer(last);
      }
      assert.deepEqual(seen, [1, 2, 3], `cut at ${cut}`);
      assert.deepEqual(s.correlationIds(), [1, 2, 3]);
      r.processor.close(s);
    }
    r.assertNothingHeld();
    await r.stop();
  });

  test("many frames in one chunk each reach a handler, one at a time", async () => {
    const r = new Rig();
    const s = r.open();
    const frames = Array.from({ length: 10 }, (_, i) => metadata(100 + i, i));
    r.processor.data(s, concat(frames));
    for (let i = 0; i < 10; i++) {
      assert.equal(r.requests.length, i + 1, "muted: one request with a handler at a time");
      assert.deepEqual(new Uint8Array(r.requests[i].frame), frames[i].subarray(4));
      r.handler.answer(r.requests[i]);
    }
    assert.deepEqual(s.correlationIds(), frames.map((_, i) => 100 + i));
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a frame of exactly socket.request.max.bytes is read; one byte more closes the connection", async () => {
    const r = new Rig({ maxRequestBytes: 64 });
    const fits = r.open();
    r.processor.data(fits, metadata(1, 64 - 10));
    assert.equal(r.requests.length, 1);
    assert.equal(r.requests[0].frame.byteLength, 64);
    r.handler.answer(r.requests[0]);

    const over = r.open();
    r.processor.data(over, sizePrefix(65));
    assert.ok(over.destroyed);
    assert.equal(r.requests.length, 1);
    assert.match(r.lines.join("\n"), /request size 65 exceeds socket.request.max.bytes \(64\)/);
    assert.equal(r.metrics.cells[P.connectionsClosedBadInput], 1);
    assert.equal(fits.closed, false);
    r.processor.close(fits);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a negative size and sizes below a request header close the connection; 8 bytes is enough", async () => {
    const r = new Rig();
    for (const size of [-1, -2147483648, 0, 7]) {
      const s = r.open();
      r.processor.data(s, sizePrefix(size));
      assert.ok(s.destroyed, `size ${size}`);
    }
    assert.equal(r.metrics.cells[P.connectionsClosedBadInput], 4);
    assert.match(r.lines.join("\n"), /request size 4294967295 exceeds socket.request.max.bytes/);
    assert.match(r.lines.join("\n"), /request of 7 bytes is too short to hold a request header/);
    const s = r.open();
    r.processor.data(s, concat([sizePrefix(8), new Uint8Array([0, 3, 0, 12, 0, 0, 0, 5])]));
    assert.equal(r.requests.length, 1);
    r.handler.answer(r.requests[0]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a bad size after good frames closes the connection but the good ones' state is given back", async () => {
    const r = new Rig({ maxRequestBytes: 1000 });
    const s = r.open();
    r.processor.data(s, concat([metadata(1), metadata(2, 100), sizePrefix(5000)]));
    assert.ok(s.destroyed);
    assert.equal(r.requests.length, 0, "the chunk is refused before anything in it is dispatched");
    r.assertNothingHeld();
    await r.stop();
  });

  test("an unknown API key closes the connection without reaching a handler", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, request(999, 0, 1, 8));
    assert.ok(s.destroyed);
    assert.equal(r.requests.length, 0);
    assert.match(
      r.lines.join("\n"),
      /Closing connection from 127\.0\.0\.1:\d+ on listener PLAINTEXT: unknown API key 999/,
    );
    r.assertNothingHeld();
    await r.stop();
  });

  test("an unsupported version of a served API closes the connection", async () => {
    const r = new Rig();
    for (const version of [13, 99, -1]) {
      const s = r.open();
      r.processor.data(s, request(3, version, 1));
      assert.ok(s.destroyed, `Metadata v${version}`);
    }
    assert.equal(r.requests.length, 0);
    assert.match(r.lines.join("\n"), /unsupported version 13 of API key 3/);
    r.assertNothingHeld();
    await r.stop();
  });

  test("ApiVersions of any version goes to a handler (it answers UNSUPPORTED_VERSION itself)", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, concat([request(18, 99, 1), request(18, 4, 2)]));
    assert.equal(r.requests.length, 1);
    r.handler.answer(r.requests[0]);
    r.handler.answer(r.requests[1]);
    assert.deepEqual(s.correlationIds(), [1, 2]);
    assert.equal(s.closed, false);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("an unsupported request queued behind a good one closes the connection when its turn comes", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, concat([metadata(1), request(999, 0, 2), metadata(3)]));
    assert.equal(r.requests.length, 1);
    assert.equal(s.destroyed, false, "not judged before its turn");
    r.handler.answer(r.requests[0]);
    assert.ok(s.destroyed);
    assert.deepEqual(s.correlationIds(), [1]);
    assert.equal(r.requests.length, 1, "nothing after it is dispatched");
    r.assertNothingHeld();
    await r.stop();
  });
});
