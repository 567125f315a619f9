/**
 * A connection's life in the processor under a fake clock: the idle,
 * request-read and write-stall sweeps, closing while a request is with a
 * handler (its answer dropped, every pool byte, credit and queue slot given
 * back), graceful shutdown, and a seeded random run of all of it that ends
 * with nothing held and every answer written in request order.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { P } from "../../src/metrics/layout.ts";
import type { RequestEnvelope } from "../../src/network/request_channel.ts";
import { concat, correlationOf, FakeSocket, fetchV4, metadata, MiB, Rig } from "./_processor_rig.ts";

function sizePrefix(size: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, size);
  return bytes;
}

describe("Processor timeouts", () => {
  test("a connection idle past connections.max.idle.ms is closed; one waiting for an answer is not", async () => {
    const r = new Rig({ idleTimeoutMs: 1000 });
    const idle = r.open();
    const waiting = r.open();
    r.processor.data(waiting, metadata(1));
    r.clock.advance(900);
    r.processor.data(idle, metadata(2));
    r.handler.answer(r.requests[1]);
    r.clock.advance(900);
    assert.equal(idle.closed, false, "activity restarts the idle clock");
    r.clock.advance(400);
    assert.ok(idle.destroyed);
    assert.equal(r.metrics.cells[P.connectionsClosedIdle], 1);
    r.clock.advance(5000);
    assert.equal(waiting.closed, false, "its request is with a handler");
    r.handler.answer(r.requests[0]);
    r.clock.advance(900);
    assert.equal(waiting.closed, false, "the answer restarts the idle clock");
    r.clock.advance(400);
    assert.ok(waiting.destroyed);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a request incomplete after tsbroker.request.read.timeout.ms closes its connection", async () => {
    const r = new Rig({ requestReadTimeoutMs: 500 });
    const slow = r.open();
    const between = r.open();
    r.processor.data(between, metadata(1));
    r.handler.answer(r.requests[0]);
    r.processor.data(slow, sizePrefix(10_000));
    r.processor.data(slow, new Uint8Array(1000));
    assert.equal(r.pool.used, 1000, "only the bytes that came are held");
    r.clock.advance(450);
    r.processor.data(slow, new Uint8Array(1000)); // trickling in does not restart the clock
    r.clock.advance(200);
    assert.ok(slow.destroyed);
    assert.match(r.lines.join("\n"), /request incomplete after \d+ ms \(2000 bytes received; .*=500\)/);
    assert.equal(r.metrics.cells[P.connectionsClosedSlow], 1);
    r.clock.advance(10_000);
    assert.equal(between.closed, false, "a connection between requests is idle, not slow");
    r.processor.close(between);
    r.assertNothingHeld();
    await r.stop();
  });

  test("time the broker itself stopped reading (empty pool) does not count against the request", async () => {
    const r = new Rig({ requestReadTimeoutMs: 500, poolBytes: 1000 });
    r.pool.reserve(1000);
    const s = r.open();
    r.processor.data(s, concat([sizePrefix(100), new Uint8Array(60)]));
    assert.equal(s.paused, true);
    r.clock.advance(2000);
    assert.equal(s.closed, false);
    r.pool.release(1000);
    r.clock.advance(2);
    assert.equal(s.paused, false);
    r.clock.advance(400);
    assert.equal(s.closed, false, "the clock restarted when reading resumed");
    r.clock.advance(300);
    assert.ok(s.destroyed);
    r.assertNothingHeld();
    await r.stop();
  });

  test("with the unsent budget low, output that does not move for the stall time closes; moving output does not", async () => {
    const r = new Rig({ writeStallMs: 200, unsentBytes: 16 * MiB });
    const stuck = r.open();
    const slowReader = r.open(new FakeSocket("10.0.0.2"));
    for (const [s, id] of [[stuck, 1], [slowReader, 2]] as const) {
      s.reading = false;
      r.processor.data(s, metadata(id));
    }
    r.handler.answer(r.requests[0], 8 * MiB);
    r.handler.answer(r.requests[1], 7 * MiB);
    assert.equal(r.unsentPool.used, 15 * MiB + 16);
    for (let t = 0; t < 600; t += 50) {
      slowReader.bufferedAmount -= 1024;
      r.processor.drain(slowReader);
      r.clock.advance(50);
    }
    assert.ok(stuck.destroyed);
    assert.equal(slowReader.closed, false);
    assert.match(r.lines.join("\n"), /8388616 response bytes unsent and not read for \d+ ms/);
    assert.equal(r.unsentPool.used, slowReader.bufferedAmount);
    slowReader.bufferedAmount = 0;
    r.processor.drain(slowReader);
    r.processor.close(slowReader);
    r.assertNothingHeld();
    await r.stop();
  });
});

describe("Processor closing", () => {
  test("a client that closes while its Fetch is with a handler: the answer is dropped, nothing leaks", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, concat([fetchV4(1, MiB), metadata(2), sizePrefix(100), new Uint8Array(10)]));
    assert.equal(r.unsentPool.used, MiB);
    r.processor.close(s);
    assert.equal(r.processor.connectionCount, 1, "kept until its complete requests are handled");
    r.handler.answer(r.requests[0], 1000);
    r.handler.answer(r.requests[1]);
    assert.equal(s.writes.length, 0);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a connection closed for a bad frame while a request is with a handler gives back all it holds", async () => {
    const r = new Rig({ maxRequestBytes: 1000 });
    const s = r.open();
    r.processor.data(s, concat([fetchV4(1, MiB), metadata(2, 50)]));
    r.processor.data(s, sizePrefix(5000));
    assert.ok(s.destroyed);
    assert.equal(r.processor.connectionCount, 0);
    assert.equal(r.unsentPool.used, 0, "the Fetch's credit comes back at once");
    assert.equal(r.pool.used, r.requests[0].frame.byteLength, "only the request a handler holds");
    r.handler.answer(r.requests[0], 100);
    assert.equal(s.writes.length, 0);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a close with only part of a request read frees it at once", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, concat([sizePrefix(100_000), new Uint8Array(60_000)]));
    assert.equal(r.pool.used, 100_000);
    r.processor.close(s, new Error("connection reset"));
    r.assertNothingHeld();
    await r.stop();
  });
});

describe("Processor shutdown", () => {
  test("shutdown stops reading, lets the request with a handler answer, then ends every connection", async () => {
    const r = new Rig();
    const busy = r.open();
    const quiet = r.open(new FakeSocket("10.0.0.2"));
    r.processor.data(busy, concat([metadata(1), metadata(2)]));
    const done = r.processor.shutdown(1000);
    assert.ok(busy.paused && quiet.paused);
    assert.equal(r.processor.open(new FakeSocket()), false, "no new connections while draining");
    await r.clock.advanceAsync(30);
    assert.equal(busy.ended, false);
    r.handler.answer(r.requests[0]);
    await r.clock.advanceAsync(10);
    await done;
    assert.deepEqual(busy.correlationIds(), [1]);
    assert.equal(r.requests.length, 1, "frames still queued are not dispatched");
    assert.ok(busy.ended && quiet.ended);
    assert.equal(r.clock.pending, 0);
    r.assertNothingHeld();
  });

  test("shutdown gives up waiting after its timeout; a late answer is dropped", async () => {
    const r = new Rig();
    const s = r.open();
    r.processor.data(s, fetchV4(1, MiB));
    let finished = false;
    const done = r.processor.shutdown(100).then(() => finished = true);
    await r.clock.advanceAsync(90, 5);
    assert.equal(finished, false);
    await r.clock.advanceAsync(20, 5);
    await done;
    assert.ok(s.ended);
    assert.equal(r.unsentPool.used, 0);
    r.handler.answer(r.requests[0]);
    assert.equal(s.writes.length, 0);
    r.assertNothingHeld();
  });
});

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Client {
  socket: FakeSocket;
  unsent: Uint8Array;
  sent: number[];
  silent: Set<number>;
  closed: boolean;
}

/** One random step: open, send (cut at random), answer/release/drop, close, or let time pass. */
function step(
  r: Rig,
  clients: Client[],
  released: Set<RequestEnvelope>,
  pick: () => number,
  nextId: () => number,
): void {
  const open = clients.filter((c) => !c.closed);
  const any = <T>(list: T[]) => list[Math.floor(pick() * list.length)];
  const roll = pick();
  if (roll < 0.05 || open.length === 0) {
    clients.push({ socket: r.open(), unsent: new Uint8Array(0), sent: [], silent: new Set(), closed: false });
  } else if (roll < 0.35) {
    const c = any(open);
    const frames = Array.from({ length: 1 + Math.floor(pick() * 3) }, () => {
      const id = nextId();
      c.sent.push(id);
      return pick() < 0.2 ? fetchV4(id, MiB) : metadata(id, Math.floor(pick() * 300));
    });
    c.unsent = concat([c.unsent, ...frames]);
  } else if (roll < 0.55) {
    const c = any(open);
    if (!c.socket.paused && !c.socket.closed) {
      const cut = Math.floor(pick() * (c.unsent.byteLength + 1));
      r.processor.data(c.socket, c.unsent.subarray(0, cut));
      c.unsent = c.unsent.slice(cut);
    }
  } else if (roll < 0.85) {
    const inbox = r.handler.inbox;
    if (inbox.length === 0) return;
    const at = Math.floor(pick() * inbox.length);
    const q = inbox[at];
    const action = pick();
    if (action < 0.3 && !released.has(q)) {
      released.add(q);
      r.handler.release(q);
      return;
    }
    inbox.splice(at, 1);
    if (action < 0.4) {
      for (const c of clients) if (c.sent.includes(correlationOf(q))) c.silent.add(correlationOf(q));
      r.handler.none(q);
    } else r.handler.answer(q, Math.floor(pick() * 100));
  } else if (roll < 0.88) {
    const c = any(open);
    c.closed = true;
    r.processor.close(c.socket);
  } else {
    r.clock.advance(1 + Math.floor(pick() * 4));
  }
}
describe("Processor random runs", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`seed ${seed}: answers leave in request order and nothing is held at the end`, async () => {
      const r = new Rig({ poolBytes: 4000, queueCapacity: 3 });
      const pick = random(seed);
      let id = 0;
      const clients: Client[] = [];
      const released = new Set<RequestEnvelope>();
      for (let i = 0; i < 3000; i++) step(r, clients, released, pick, () => ++id);
      // Wind down: every client sends what it has left and every request is answered.
      for (let rounds = 0; rounds < 10_000; rounds++) {
        const inbox = r.handler.inbox;
        const feeding = clients.filter((c) => !c.closed && !c.socket.closed && c.unsent.byteLength > 0);
        if (inbox.length === 0 && feeding.length === 0 && r.clock.pending <= 2) break;
        for (const c of feeding) {
          if (c.socket.paused) continue;
          r.processor.data(c.socket, c.unsent);
          c.unsent = new Uint8Array(0);
        }
        for (const q of inbox.splice(0)) r.handler.answer(q);
        r.clock.advance(2);
      }
      for (const c of clients) {
        const written = c.socket.correlationIds();
        const expected = c.sent.filter((x) => !c.silent.has(x));
        if (c.closed) assert.deepEqual(written, expected.slice(0, written.length), `client ${c.sent[0]}`);
        else assert.deepEqual(written, expected, `client ${c.sent[0]}`);
        assert.equal(c.socket.destroyed, false, "no connection was judged bad or slow");
        if (!c.closed) r.processor.close(c.socket);
      }
      r.assertNothingHeld();
      await r.stop();
    });
  }
});
