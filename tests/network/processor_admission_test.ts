/**
 * The processor's admission control with fake sockets and a fake handler
 * (a MessagePort that answers as told): incomplete requests time out, a
 * client that stops reading is paused and, with the unsent budget low,
 * dropped; failed accepts back off; bad-frame warnings are rate-limited.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TcpConnection } from "../../src/runtime/types.ts";
import { Processor } from "../../src/network/processor.ts";
import { ConnectionQuotas, createQuotaBuffer } from "../../src/network/connection_quotas.ts";
import { createMemoryPoolBuffer, MemoryPool } from "../../src/network/memory_pool.ts";
import { UnsentBudget } from "../../src/network/unsent_budget.ts";
import { type RequestEnvelope, RequestQueueCounter, type ResponseEnvelope } from "../../src/network/request_channel.ts";
import { createMetricsBuffer, P, ProcessorMetrics } from "../../src/metrics/layout.ts";
import { buildSupportedVersions } from "../../src/network/supported_versions.ts";
import { advertisedVersions } from "../../src/handler/apis/registry.ts";
import { LOG_RATE_LIMIT, Logger } from "../../src/util/logger.ts";

class FakeSocket implements TcpConnection {
  remoteAddress = "127.0.0.1";
  remotePort = 40000 + Math.floor(Math.random() * 20000);
  bufferedAmount = 0;
  paused = false;
  destroyed = false;
  written = 0;
  /** When false the "client" does not read: writes stay buffered. */
  reading = true;
  write(data: Uint8Array): void {
    this.written += data.byteLength;
    if (!this.reading) this.bufferedAmount += data.byteLength;
  }
  pauseReading(): void {
    this.paused = true;
  }
  resumeReading(): void {
    this.paused = false;
  }
  end(): void {
    this.destroyed = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

interface Rig {
  processor: Processor;
  requests: RequestEnvelope[];
  lines: string[];
  pool: MemoryPool;
  unsentPool: MemoryPool;
  metrics: ProcessorMetrics;
  answer(r: RequestEnvelope, bytes: number): void;
  stop(): Promise<void>;
}

function rig(options: { requestReadTimeoutMs?: number; writeStallMs?: number; unsentBytes?: number } = {}): Rig {
  const channel = new MessageChannel();
  const requests: RequestEnvelope[] = [];
  channel.port2.onmessage = (e: MessageEvent) => requests.push(e.data as RequestEnvelope);
  const lines: string[] = [];
  const log = new Logger("processor-test");
  log.warn = (m: string) => void lines.push(m);
  log.info = (m: string) => void lines.push(m);
  const pool = new MemoryPool(createMemoryPoolBuffer(64 * 1024 * 1024));
  const unsentPool = new MemoryPool(createMemoryPoolBuffer(options.unsentBytes ?? 64 * 1024 * 1024));
  const metrics = new ProcessorMetrics(createMetricsBuffer(1), 0);
  const processor = new Processor({
    index: 0,
    listenerIndex: 0,
    listenerName: "PLAINTEXT",
    maxRequestBytes: 100 * 1024 * 1024,
    idleTimeoutMs: 600_000,
    requestReadTimeoutMs: options.requestReadTimeoutMs ?? 30_000,
    writeStallMs: options.writeStallMs ?? 10_000,
    supported: buildSupportedVersions(advertisedVersions()),
    handlers: [channel.port1],
    quotas: new ConnectionQuotas(createQuotaBuffer(), {
      maxConnections: 1000,
      maxConnectionsPerIp: 1000,
      perIpOverrides: new Map(),
    }),
    pool,
    unsent: new UnsentBudget(unsentPool, 55 * 1024 * 1024),
    queue: new RequestQueueCounter(RequestQueueCounter.createBuffer(), 500),
    metrics,
    log,
  });
  const queue = new RequestQueueCounter(RequestQueueCounter.createBuffer(), 500);
  return {
    processor,
    requests,
    lines,
    pool,
    unsentPool,
    metrics,
    answer(r, bytes) {
      // What a handler does: release the request's pool bytes, post the answer.
      pool.release(r.frame.byteLength);
      queue.dequeued();
      const frame = new ArrayBuffer(bytes);
      channel.port2.postMessage(
        { conn: r.conn, seq: r.seq, action: "send", frame, length: bytes, error: 0 } satisfies ResponseEnvelope,
        [
          frame,
        ],
      );
    },
    async stop() {
      await processor.shutdown(0);
      channel.port1.close();
      channel.port2.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A size-prefixed Fetch v4 frame (header v1, null client id) asking for `maxBytes`. */
function fetchV4(maxBytes: number): Uint8Array {
  const b = new Uint8Array(4 + 10 + 16 + 1 + 4 + 4);
  const v = new DataView(b.buffer);
  v.setInt32(0, b.byteLength - 4);
  v.setInt16(4, 1);
  v.setInt16(6, 4);
  v.setInt32(8, 7);
  v.setInt16(12, -1);
  v.setInt32(14, -1); // replica id
  v.setInt32(18, 500); // max wait
  v.setInt32(22, 1); // min bytes
  v.setInt32(26, maxBytes);
  return b;
}

function apiVersions(correlationId: number): Uint8Array {
  const b = new Uint8Array(14);
  const v = new DataView(b.buffer);
  v.setInt32(0, 10);
  v.setInt16(4, 18);
  v.setInt32(8, correlationId);
  v.setInt16(12, -1);
  return b;
}

describe("Processor admission control", () => {
  test("requests received in full before the client closed are still handled, their answers dropped", async () => {
    const r = rig();
    try {
      const client = new FakeSocket();
      assert.ok(r.processor.open(client));
      const frames = [apiVersions(1), apiVersions(2), apiVersions(3)];
      const all = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
      frames.reduce((at, f) => (all.set(f, at), at + f.byteLength), 0);
      r.processor.data(client, all);
      // An acks=0 producer closes right after its last request.
      r.processor.close(client);
      for (let i = 0; i < 3; i++) {
        for (let waited = 0; r.requests.length <= i && waited < 2000; waited += 10) await sleep(10);
        assert.equal(r.requests.length, i + 1, `request ${i + 1} reached a handler`);
        assert.equal(r.metrics.cells[P.connections], 1, "kept while requests remain");
        r.answer(r.requests[i], 16);
      }
      for (let waited = 0; r.metrics.cells[P.connections] !== 0 && waited < 2000; waited += 10) await sleep(10);
      assert.equal(r.metrics.cells[P.connections], 0, "forgotten once every request was handled");
      assert.equal(client.written, 0, "nothing is written to a closed socket");
      assert.equal(r.pool.used, 0);
    } finally {
      await r.stop();
    }
  });

  test("a request that stays incomplete past the timeout closes its connection, with a log line", async () => {
    const r = rig({ requestReadTimeoutMs: 200 });
    try {
      const slow = new FakeSocket();
      const fine = new FakeSocket();
      assert.ok(r.processor.open(slow) && r.processor.open(fine));
      const size = new Uint8Array(4);
      new DataView(size.buffer).setInt32(0, 1024 * 1024);
      r.processor.data(slow, size);
      r.processor.data(slow, new Uint8Array(1000));
      assert.equal(r.pool.used, 1000, "only the bytes that came are held");
      await sleep(500);
      assert.ok(slow.destroyed, "the slow connection was kept");
      assert.equal(fine.destroyed, false, "an idle connection between requests is not a slow one");
      assert.equal(r.pool.used, 0);
      assert.ok(
        r.lines.some((l) => /request incomplete after \d+ ms \(1000 bytes received/.test(l)),
        r.lines.join("\n"),
      );
      assert.equal(r.metrics.cells[P.connectionsClosedSlow], 1);
    } finally {
      await r.stop();
    }
  });

  test("a client that stops reading is paused, then dropped when the unsent budget runs low", async () => {
    const MiB = 1024 * 1024;
    const r = rig({ writeStallMs: 200, unsentBytes: 16 * MiB });
    try {
      const stuck = new FakeSocket();
      stuck.reading = false;
      const reader = new FakeSocket();
      r.processor.open(stuck);
      r.processor.open(reader);
      r.processor.data(stuck, fetchV4(50 * MiB));
      await sleep(20);
      assert.equal(r.requests.length, 1);
      const sent = r.requests[0];
      const maxBytes = new DataView(sent.frame).getInt32(22);
      assert.equal(maxBytes, 2 * MiB, "max_bytes lowered to 1/8 of the 16 MiB budget");
      r.answer(sent, 15 * MiB); // more than the credit: the socket's real backlog is what counts
      await sleep(20);
      assert.equal(r.unsentPool.used, 15 * MiB);
      // Paused: its next request is not dispatched while 15 MiB wait unsent.
      r.processor.data(stuck, apiVersions(2));
      await sleep(20);
      assert.equal(r.requests.length, 1);
      // Budget low (1 MiB of 16 left) and no progress for > 200 ms: dropped, memory back.
      await sleep(600);
      assert.ok(stuck.destroyed);
      assert.equal(r.unsentPool.used, 0);
      assert.ok(
        r.lines.some((l) => /15728640 response bytes unsent and not read for \d+ ms/.test(l)),
        r.lines.join("\n"),
      );
      // The reading client is served as usual.
      r.processor.data(reader, fetchV4(MiB));
      await sleep(20);
      assert.equal(r.requests.length, 2);
      assert.equal(reader.destroyed, false);
    } finally {
      await r.stop();
    }
  });

  test("a stalled reader is only paused while the budget has room", async () => {
    const MiB = 1024 * 1024;
    const r = rig({ writeStallMs: 100, unsentBytes: 256 * MiB });
    try {
      const stuck = new FakeSocket();
      stuck.reading = false;
      r.processor.open(stuck);
      r.processor.data(stuck, fetchV4(MiB));
      await sleep(20);
      r.answer(r.requests[0], 5 * MiB);
      await sleep(400);
      assert.equal(stuck.destroyed, false);
      // It reads again: its charge goes back to the budget and it is served.
      stuck.bufferedAmount = 0;
      r.processor.drain(stuck);
      assert.equal(r.unsentPool.used, 0);
    } finally {
      await r.stop();
    }
  });

  test("Fetches wait while the budget is spent and go once it returns", async () => {
    const MiB = 1024 * 1024;
    const r = rig({ writeStallMs: 60_000, unsentBytes: 4 * MiB });
    try {
      r.unsentPool.reserve(4 * MiB);
      const s = new FakeSocket();
      r.processor.open(s);
      r.processor.data(s, fetchV4(MiB));
      await sleep(30);
      assert.equal(r.requests.length, 0);
      assert.ok(r.metrics.cells[P.unsentBlockedEvents] >= 1);
      r.unsentPool.release(4 * MiB);
      await sleep(30);
      assert.equal(r.requests.length, 1);
    } finally {
      await r.stop();
    }
  });

  test("failed accepts back off, doubling up to a second, and log rate-limited", async () => {
    const r = rig();
    try {
      const waits = Array.from(
        { length: 8 },
        () => r.processor.acceptFailed(new Error("Too many open files (os error 24)")),
      );
      assert.deepEqual(waits, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
      assert.ok(r.lines.length <= LOG_RATE_LIMIT.lines);
      assert.match(r.lines[0], /Accepting a connection on listener PLAINTEXT failed \(Too many open files/);
      r.processor.open(new FakeSocket());
      assert.equal(r.processor.acceptFailed(new Error("again")), 50, "a successful accept resets the back-off");
    } finally {
      await r.stop();
    }
  });

  test("100,000 malformed frames write a bounded number of warnings", async () => {
    const r = rig();
    try {
      for (let i = 0; i < 100_000; i++) {
        const s = new FakeSocket();
        r.processor.open(s);
        r.processor.data(s, new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
        assert.ok(s.destroyed);
      }
      assert.ok(r.lines.length <= LOG_RATE_LIMIT.lines, `${r.lines.length} lines`);
      assert.equal(r.metrics.cells[P.connectionsClosedBadInput], 100_000);
    } finally {
      await r.stop();
    }
  });
});
