/**
 * Connection creation rates (KIP-612) on a fake clock: the shared rate and
 * its delays (connection_rate.ts), the broker-wide
 * and per-listener limits of ConnectionQuotas, and the processor's acceptor
 * wait, which holds connections over the rate instead of closing them.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rateMeterBytes, SharedRate } from "../../src/network/connection_rate.ts";
import { ConnectionQuotas, createQuotaBuffer, type QuotaLimits } from "../../src/network/connection_quotas.ts";
import { HELD_CONNECTIONS_MAX } from "../../src/network/accept_throttle.ts";
import { apiVersions, FakeSocket, Rig } from "./_processor_rig.ts";

const WINDOW = { samples: 11, windowMs: 1000 };

function meter(window = WINDOW): SharedRate {
  return new SharedRate(new SharedArrayBuffer(rateMeterBytes()), 0, window);
}

/** An acceptor taking one connection after another, each after its delay: the times it takes them. */
function acceptSerially(rate: SharedRate, quota: number, count: number, start = 0): number[] {
  const taken: number[] = [];
  let now = start;
  for (let i = 0; i < count; i++) {
    now += rate.record(now, quota);
    taken.push(now);
  }
  return taken;
}

describe("SharedRate (the connection creation rate)", () => {
  test("after a quiet spell Kafka's burst passes at once (quota × 10 windows), then each waits its turn", () => {
    const rate = meter();
    for (let i = 0; i < 100; i++) assert.equal(rate.record(0, 10), 0, `connection ${i + 1}`);
    assert.equal(rate.record(0, 10), 100);
    assert.equal(rate.record(0, 10), 200, "the next one waits behind it");
  });

  test("an acceptor that waits each delay out holds the quota in every 4 s after the burst, over a minute", () => {
    const taken = acceptSerially(meter(), 20, 1500);
    for (let from = 10_000; from < 60_000; from += 4000) {
      const perSecond = taken.filter((t) => t >= from && t < from + 4000).length / 4;
      assert.ok(Math.abs(perSecond - 20) <= 0.5, `${perSecond}/s from ${from} ms, quota 20/s`);
    }
  });

  test("the burst refills at the quota while nobody connects", () => {
    const rate = meter();
    acceptSerially(rate, 10, 300);
    const quietFrom = 20_000;
    const after = acceptSerially(rate, 10, 60, quietFrom + 5000);
    // 5 s quiet: 50 connections' worth came back, the rest are spaced at the quota.
    assert.equal(after.filter((t) => t === quietFrom + 5000).length, 50);
    assert.equal(after[59] - after[49], 1000);
  });

  test("a quota of 0 makes every connection wait one window, as Kafka's capped delay does", () => {
    assert.equal(meter().record(0, 0), 1000);
  });

  test("two views of one buffer (two Workers) record into one rate", () => {
    const buffer = new SharedArrayBuffer(rateMeterBytes());
    const first = new SharedRate(buffer, 0, WINDOW);
    const second = new SharedRate(buffer, 0, WINDOW);
    for (let i = 0; i < 50; i++) first.record(0, 10);
    for (let i = 0; i < 50; i++) assert.equal(second.record(0, 10), 0);
    assert.equal(second.record(0, 10), 100);
    assert.equal(first.record(0, 10), 200);
  });
});

function quotas(limits: Partial<QuotaLimits>, buffer = createQuotaBuffer({ listeners: 2, window: WINDOW })) {
  return new ConnectionQuotas(buffer, {
    maxConnections: 1000,
    maxConnectionsPerIp: 1000,
    perIpOverrides: new Map(),
    ...limits,
  });
}

describe("ConnectionQuotas: listener limits and creation rates", () => {
  test("listener.name.<l>.max.connections and max.connections both apply", () => {
    const buffer = createQuotaBuffer({ listeners: 2, window: WINDOW });
    const internal = quotas({ maxConnections: 3, listenerIndex: 0, maxListenerConnections: 2 }, buffer);
    const external = quotas({ maxConnections: 3, listenerIndex: 1 }, buffer);
    assert.equal(internal.tryAcquire("10.0.0.1"), "ok");
    assert.equal(internal.tryAcquire("10.0.0.2"), "ok");
    assert.equal(internal.tryAcquire("10.0.0.3"), "listener max.connections");
    assert.equal(internal.listenerTotal, 2);
    assert.equal(external.tryAcquire("10.0.0.3"), "ok");
    assert.equal(external.tryAcquire("10.0.0.4"), "max.connections");
    internal.release("10.0.0.1");
    assert.equal(internal.listenerTotal, 1);
    assert.equal(internal.tryAcquire("10.0.0.1"), "ok");
    assert.equal(internal.total, 3);
  });

  test("a per-IP refusal gives the listener's count back", () => {
    const q = quotas({ maxConnectionsPerIp: 1, listenerIndex: 0, maxListenerConnections: 5 });
    assert.equal(q.tryAcquire("10.0.0.1"), "ok");
    assert.equal(q.tryAcquire("10.0.0.1"), "max.connections.per.ip");
    assert.equal(q.listenerTotal, 1);
    assert.equal(q.total, 1);
  });

  test("the delay is the longer of the broker's and the listener's; other listeners share the broker's rate", () => {
    const buffer = createQuotaBuffer({ listeners: 2, window: WINDOW });
    const first = quotas(
      { listenerIndex: 0, maxConnectionCreationRate: 20, maxListenerConnectionCreationRate: 5 },
      buffer,
    );
    const second = quotas({ listenerIndex: 1, maxConnectionCreationRate: 20 }, buffer);
    for (let i = 0; i < 50; i++) assert.equal(first.recordCreation(0), 0);
    // The listener's 5/s is spent (its burst of 50): 200 ms; the broker's 20/s is not.
    assert.equal(first.recordCreation(0), 200);
    for (let i = 0; i < 149; i++) assert.equal(second.recordCreation(0), 0, `second listener, connection ${i + 1}`);
    // 201 connections broker-wide, past the broker's burst of 200: 50 ms for the second listener.
    assert.equal(second.recordCreation(0), 50);
    assert.ok(first.rateLimited && second.rateLimited);
    assert.ok(!quotas({ listenerIndex: 0 }).rateLimited);
  });
});

/** A processor whose listener takes `rate` connections per second, on the rig's fake clock. */
function throttledRig(rate: number): Rig {
  const clock = { now: () => 0 };
  const rig = new Rig({
    quotas: quotas({ listenerIndex: 0, maxListenerConnectionCreationRate: rate }),
    sharedNow: () => clock.now(),
  });
  clock.now = () => rig.clock.now();
  return rig;
}

describe("Processor: the acceptor waits over the creation rate", () => {
  test("a connection over the rate is held, reading paused, and served once its delay is over", () => {
    const rig = throttledRig(1);
    const early = Array.from({ length: 10 }, () => rig.open());
    assert.ok(early.every((s) => !s.paused));
    const held = rig.open();
    const behind = rig.open();
    assert.ok(held.paused && behind.paused && !held.closed, "held, not closed");
    assert.equal(rig.processor.connectionCount, 10);
    // Past the burst of 10 at 1/s: a 1,000 ms wait.
    rig.clock.advance(999);
    assert.equal(rig.processor.connectionCount, 10);
    rig.clock.advance(1);
    assert.ok(!held.paused, "the held connection is served");
    assert.equal(rig.processor.connectionCount, 11);
    assert.ok(behind.paused, "the one behind it waits its own delay, recorded only now");
    rig.clock.advance(1000);
    assert.ok(!behind.paused);
    held.resumeReading();
    rig.processor.data(held, apiVersions(7));
    assert.equal(rig.requests.length, 1, "a served connection's requests are dispatched");
  });

  test("a held connection the client closes is forgotten; the backlog is bounded", () => {
    const rig = throttledRig(1);
    for (let i = 0; i < 11; i++) rig.open();
    const sockets: FakeSocket[] = [];
    for (let i = 0; i < HELD_CONNECTIONS_MAX - 1; i++) sockets.push(rig.open());
    const refused = new FakeSocket();
    assert.equal(rig.processor.open(refused), false, "past the backlog a connection is closed");
    assert.ok(rig.lines.some((l) => l.includes("already wait for max.connection.creation.rate")));
    rig.processor.close(sockets[0]);
    assert.ok(rig.processor.open(new FakeSocket()), "a place freed by a closed connection is taken again");
  });

  test("shutdown closes what still waits and leaves no timer", async () => {
    const rig = throttledRig(1);
    for (let i = 0; i < 10; i++) rig.open();
    const held = rig.open();
    await rig.stop();
    assert.ok(held.destroyed);
  });
});
