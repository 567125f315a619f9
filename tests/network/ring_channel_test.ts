import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRingBuffer, type RingMessage, RingReader, RingWriter } from "../../src/network/ring_channel.ts";
import {
  createRingLinkBuffers,
  HandlerRingPort,
  ProcessorRingPort,
  readRequest,
  readResponse,
  sendRequest,
  sendResponse,
} from "../../src/network/ring_envelopes.ts";
import type { RequestEnvelope, ResponseEnvelope } from "../../src/network/request_channel.ts";
import type { HandlerPort } from "../../src/network/processor_options.ts";
import { BatchingPort } from "../../src/network/batch_port.ts";
import type { EchoInit } from "../../scripts/bench/channel_echo_worker.ts";

interface Received {
  words: number[];
  bytes: Uint8Array;
  owned: boolean;
}

/** A writer and a reader on one ring in this thread, with a promise for the n-th message. */
function ring(capacity: number, maxInline?: number) {
  const buffer = createRingBuffer(capacity);
  const channel = new MessageChannel();
  const received: Received[] = [];
  let want = 0;
  let arrived = () => {};
  const writer = new RingWriter(buffer, channel.port1, maxInline);
  const reader = new RingReader(buffer, channel.port2, (m: RingMessage) => {
    received.push({ words: [...m.words], bytes: m.owned ? m.payload : m.payload.slice(), owned: m.owned });
    if (received.length === want) arrived();
  });
  const until = (count: number) => {
    if (received.length >= count) return Promise.resolve();
    want = count;
    return new Promise<void>((resolve) => (arrived = resolve));
  };
  const close = () => {
    reader.stop();
    channel.port1.close();
    channel.port2.close();
  };
  return { writer, reader, received, until, close };
}

/** Bytes that say which message they belong to, so a mix-up or an overwrite shows. */
function pattern(id: number, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (id * 31 + i) & 0xff;
  return bytes;
}

function assertMessage(got: Received, id: number, length: number): void {
  assert.equal(got.words[0], id, `message ${id} out of order`);
  assert.equal(got.words[1], length);
  assert.deepEqual(got.bytes, pattern(id, length), `payload of message ${id}`);
}

describe("RingWriter and RingReader", () => {
  test("deliver words and bytes in order while the ring wraps around many times", async () => {
    const r = ring(4096, 1024);
    let sent = 0;
    for (let batch = 0; batch < 50; batch++) {
      for (let i = 0; i < 10; i++, sent++) {
        r.writer.send([sent, (sent * 37) % 1000], [pattern(sent, (sent * 37) % 1000)]);
      }
      await r.until(sent);
    }
    r.received.forEach((got, id) => assertMessage(got, id, (id * 37) % 1000));
    assert.ok(r.received.every((m) => !m.owned));
    assert.equal(r.writer.outOfBand, 0);
    r.close();
  });

  test("gather several parts into one payload; words beyond those given read as 0", async () => {
    const r = ring(4096);
    r.writer.send([7], [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
    await r.until(1);
    assert.deepEqual(r.received[0].words, [7, 0, 0, 0, 0, 0]);
    assert.deepEqual(r.received[0].bytes, new Uint8Array([1, 2, 3]));
    r.close();
  });

  test("a full ring keeps copies in a backlog and writes them, in order, as the reader frees space", async () => {
    const r = ring(4096, 1024);
    const reused = new Uint8Array(1000);
    // All sent in one task: the reader cannot run, so the ring fills and the rest waits in the backlog.
    for (let id = 0; id < 40; id++) {
      reused.set(pattern(id, 1000));
      r.writer.send([id, 1000], [reused]);
    }
    assert.ok(r.writer.backlogged > 30, `backlog ${r.writer.backlogged}`);
    reused.fill(0); // the backlog holds copies, so reusing the buffer changes nothing that was sent
    await r.until(40);
    r.received.forEach((got, id) => assertMessage(got, id, 1000));
    assert.equal(r.writer.backlogged, 0);
    r.close();
  });

  test("messages larger than maxInline go over the port, in order with the ring's", async () => {
    const r = ring(8192, 1024);
    const kept = pattern(1, 5000);
    const sizes = [10, 5000, 20, 3000, 1024, 1025, 0];
    sizes.forEach((size, id) => r.writer.send([id, size], [id === 1 ? kept : pattern(id, size)], id === 3));
    await r.until(sizes.length);
    sizes.forEach((size, id) => assertMessage(r.received[id], id, size));
    assert.deepEqual(r.received.map((m) => m.owned), [false, true, false, true, false, true, false]);
    assert.equal(r.writer.outOfBand, 3);
    assert.equal(kept.byteLength, 5000, "a part not given is copied, not transferred");
    r.close();
  });

  test("a given large part transfers its buffer", async () => {
    const r = ring(8192, 1024);
    const whole = pattern(0, 6000);
    const given = whole.subarray(1000);
    r.writer.send([0, 5000], [given], true);
    await r.until(1);
    assert.equal(whole.byteLength, 0, "the buffer was transferred");
    assert.deepEqual(r.received[0].bytes, pattern(0, 6000).subarray(1000));
    r.close();
  });

  test("a large message given in several parts arrives as payload and more, buffers transferred", async () => {
    const buffer = new ArrayBuffer(3000);
    const channel = new MessageChannel();
    const ringBuffer = createRingBuffer(8192);
    const got = Promise.withResolvers<RingMessage>();
    const reader = new RingReader(ringBuffer, channel.port2, (m) => got.resolve({ ...m, more: [...m.more] }));
    new RingWriter(ringBuffer, channel.port1, 1024).send(
      [1],
      [new Uint8Array(buffer, 0, 1000).fill(1), new Uint8Array(0), new Uint8Array(buffer, 1000, 2000).fill(2)],
      true,
    );
    const m = await got.promise;
    assert.equal(buffer.byteLength, 0);
    assert.ok(m.owned);
    assert.deepEqual(m.payload, new Uint8Array(1000).fill(1));
    assert.deepEqual(m.more, [new Uint8Array(0), new Uint8Array(2000).fill(2)]);
    reader.stop();
    channel.port1.close();
    channel.port2.close();
  });

  test("a large message with its first part given: that part is transferred, the others ride in the ring", async () => {
    const buffer = new ArrayBuffer(4000);
    const channel = new MessageChannel();
    const ringBuffer = createRingBuffer(8192);
    const got = Promise.withResolvers<{ payload: Uint8Array; more: number; rest: Uint8Array; owned: boolean }>();
    const reader = new RingReader(
      ringBuffer,
      channel.port2,
      (m) => got.resolve({ payload: m.payload, more: m.more.length, rest: m.rest.slice(), owned: m.owned }),
    );
    const kept = new Uint8Array([7, 8, 9]);
    new RingWriter(ringBuffer, channel.port1, 1024).send([1], [new Uint8Array(buffer).fill(3), kept], 1);
    const m = await got.promise;
    assert.equal(buffer.byteLength, 0, "the given part was transferred");
    assert.equal(kept.byteLength, 3, "the part not given was copied");
    assert.deepEqual(m, {
      payload: new Uint8Array(4000).fill(3),
      more: 0,
      rest: new Uint8Array([7, 8, 9]),
      owned: true,
    });
    reader.stop();
    channel.port1.close();
    channel.port2.close();
  });

  test("a sleeping reader is woken once; writes while it is awake send no wake-up", async () => {
    const r = ring(65536);
    r.writer.send([0, 0], []);
    await r.until(1);
    const before = r.writer.stats().readerWakes;
    assert.ok(before <= 1);
    // The reader sleeps now: the first write wakes it, the nine after it find it awake (not yet run, but announced).
    for (let id = 1; id <= 10; id++) r.writer.send([id, 0], []);
    await r.until(11);
    assert.equal(r.writer.stats().readerWakes, before + 1);
    r.writer.send([11, 0], []);
    await r.until(12);
    assert.equal(r.writer.stats().readerWakes, before + 2);
    r.close();
  });

  test("refuse a capacity that is not a power of two, and an inline limit that leaves no room to wrap", () => {
    assert.throws(() => createRingBuffer(5000), RangeError);
    assert.throws(() => createRingBuffer(2048), RangeError);
    const channel = new MessageChannel();
    assert.throws(() => new RingWriter(createRingBuffer(4096), channel.port1, 3000), RangeError);
    channel.port1.close();
    channel.port2.close();
  });
});

describe("RingWriter and RingReader across Workers", () => {
  test("20000 requests echoed by a Worker come back complete and in order, through full rings and large frames", async () => {
    const buffers = createRingLinkBuffers(16384);
    const worker = new Worker(new URL("../../scripts/bench/channel_echo_worker.ts", import.meta.url).href, {
      type: "module",
    });
    const channel = new MessageChannel();
    const init: EchoInit = { variant: "ring", port: channel.port2, buffers, maxInline: 2048 };
    worker.postMessage(init, [channel.port2]);
    const total = 20000;
    const sizeOf = (id: number) => (id % 97 === 0 ? 3000 + id % 1000 : (id * 13) % 1500);
    let next = 0;
    const errors: string[] = [];
    const done = Promise.withResolvers<void>();
    const writer = new RingWriter(buffers.requests, channel.port1, 2048);
    const reader = new RingReader(buffers.responses, channel.port1, (m) => {
      // The echo worker answers each request with its frame, under the request's conn and seq.
      const answer = readResponse(m);
      if (answer.conn !== next) errors.push(`expected ${next}, got ${answer.conn}`);
      const expected = pattern(answer.conn, sizeOf(answer.conn));
      if (answer.seq !== answer.conn * 2) errors.push(`seq of ${answer.conn}`);
      if (!equal(new Uint8Array(answer.frame!, 0, answer.length), expected)) errors.push(`payload of ${answer.conn}`);
      next = answer.conn + 1;
      if (next === total) done.resolve();
    });
    // Bursts of 500 sent in one task fill the 16 KiB rings in both directions; the next burst goes after a tick.
    for (let id = 0; id < total; id++) {
      const frame = pattern(id, sizeOf(id)).buffer;
      sendRequest(writer, { conn: id, seq: id * 2, frame, listener: 0, client: "c", principal: "p" });
      if (id % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // A lost wake-up would stall the echo for ever: fail with where it stopped instead of hanging the suite.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stalled after ${next} of ${total} answers`)), 60_000);
    });
    try {
      await Promise.race([done.promise, stalled]);
    } finally {
      clearTimeout(timer);
      if (next !== total) {
        reader.stop();
        channel.port1.close();
        worker.terminate();
      }
    }
    assert.deepEqual(errors, []);
    assert.ok(writer.outOfBand > 0);
    reader.stop();
    channel.port1.close();
    worker.terminate();
  });
});

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe("ring envelopes", () => {
  /** Send one envelope each way through a pair of rings in this thread and give back what was read. */
  async function roundTrip(request: RequestEnvelope, response: ResponseEnvelope, maxInline = 1024) {
    const buffers = createRingLinkBuffers(8192);
    const channel = new MessageChannel();
    const gotRequest = Promise.withResolvers<RequestEnvelope>();
    const gotResponse = Promise.withResolvers<ResponseEnvelope>();
    const readers = [
      new RingReader(buffers.requests, channel.port2, (m) => gotRequest.resolve(readRequest(m))),
      new RingReader(buffers.responses, channel.port1, (m) => gotResponse.resolve(readResponse(m))),
    ];
    sendRequest(new RingWriter(buffers.requests, channel.port1, maxInline), request);
    sendResponse(new RingWriter(buffers.responses, channel.port2, maxInline), response);
    const result = { request: await gotRequest.promise, response: await gotResponse.promise };
    for (const reader of readers) reader.stop();
    channel.port1.close();
    channel.port2.close();
    return result;
  }

  const request = (frameLength: number): RequestEnvelope => ({
    conn: 12,
    seq: 3,
    frame: pattern(5, frameLength).buffer,
    listener: 1,
    client: "10.0.0.1:4000",
    principal: "User:ünïcode",
  });
  const response = (length: number, more: number[]): ResponseEnvelope => ({
    conn: 12,
    seq: 3,
    action: "send",
    frame: pattern(6, length + 10).buffer, // a buffer longer than the answer, as the handler's may be
    length,
    more: more.map((size, i) => ({ buffer: pattern(7 + i, size + 4).buffer, offset: 4, length: size })),
    error: 1,
    throttleMs: 30,
  });
  const bytesOf = (r: ResponseEnvelope) => {
    const parts = [
      new Uint8Array(r.frame!, 0, r.length),
      ...(r.more ?? []).map((c) => new Uint8Array(c.buffer, c.offset, c.length)),
    ];
    return new Uint8Array(parts.flatMap((p) => [...p]));
  };

  for (
    const [label, frameLength, answerLength, more] of [
      ["small (in the ring)", 100, 50, [30, 0, 20]],
      ["large (over the port)", 5000, 3000, [2000, 4000]],
    ] as const
  ) {
    test(`a ${label} request and answer arrive as they were sent`, async () => {
      const sentResponse = response(answerLength, [...more]);
      const expectedBytes = bytesOf(sentResponse);
      const { request: got, response: answer } = await roundTrip(request(frameLength), sentResponse);
      assert.deepEqual({ ...got, frame: new Uint8Array(got.frame) }, {
        ...request(frameLength),
        frame: pattern(5, frameLength),
      });
      assert.equal(got.frame.byteLength, frameLength, "the frame has a buffer of its own (its size is released)");
      assert.deepEqual([answer.conn, answer.seq, answer.action, answer.error, answer.throttleMs], [
        12,
        3,
        "send",
        1,
        30,
      ]);
      assert.deepEqual(bytesOf(answer), expectedBytes);
    });
  }

  test("close carries its reason; release and none carry no bytes; a throttle time travels with any answer", async () => {
    const close: ResponseEnvelope = {
      conn: 1,
      seq: 9,
      action: "close",
      frame: null,
      length: 0,
      error: 1,
      reason: "bad",
    };
    assert.deepEqual((await roundTrip(request(10), close)).response, close);
    for (const action of ["release", "none"] as const) {
      const answer: ResponseEnvelope = { conn: 2, seq: 4, action, frame: null, length: 0, error: 0, throttleMs: 250 };
      assert.deepEqual((await roundTrip(request(10), answer)).response, answer);
    }
  });
});

describe("ProcessorRingPort and HandlerRingPort", () => {
  test("carry envelopes like the MessagePorts they replace: requests one way, answers and releases back, in order", async () => {
    const buffers = createRingLinkBuffers(8192);
    const channel = new MessageChannel();
    // Typed as the processor's HandlerPort: it drops in where the processor takes a handler's MessagePort.
    const processor: HandlerPort & { close(): void } = new ProcessorRingPort(channel.port1, buffers);
    const handler = new HandlerRingPort(channel.port2, buffers);
    const answers: ResponseEnvelope[] = [];
    const allAnswered = Promise.withResolvers<void>();
    handler.onmessage = (event) => {
      const request = event.data as RequestEnvelope;
      const none = { conn: request.conn, seq: request.seq, frame: null, length: 0, error: 0 };
      handler.postMessage({ ...none, action: "release" });
      handler.postMessage({ ...request, action: "send", length: request.frame.byteLength, error: 0 }, []);
    };
    processor.onmessage = (event) => {
      answers.push(event.data as ResponseEnvelope);
      if (answers.length === 6) allAnswered.resolve();
    };
    const sizes = [10, 3000, 200]; // the middle one is over the 2 KiB inline limit of an 8 KiB ring
    sizes.forEach((size, seq) =>
      processor.postMessage({
        conn: 5,
        seq,
        frame: pattern(seq, size).buffer,
        listener: 0,
        client: "c",
        principal: "p",
      }, [])
    );
    await allAnswered.promise;
    assert.deepEqual(answers.map((a) => `${a.seq}:${a.action}`), [
      "0:release",
      "0:send",
      "1:release",
      "1:send",
      "2:release",
      "2:send",
    ]);
    for (const a of answers.filter((a) => a.action === "send")) {
      assert.deepEqual(new Uint8Array(a.frame!, 0, a.length), pattern(a.seq, sizes[a.seq]));
    }
    processor.close();
    handler.close();
  });
});

describe("BatchingPort", () => {
  test("messages of one task leave as one postMessage and arrive one by one, in order, buffers transferred", async () => {
    const channel = new MessageChannel();
    let posted = 0;
    const realPost = channel.port1.postMessage.bind(channel.port1);
    channel.port1.postMessage = ((message: unknown, transfer: Transferable[]) => {
      posted++;
      realPost(message, transfer);
    }) as typeof channel.port1.postMessage;
    const sender = new BatchingPort<{ n: number; frame: ArrayBuffer }, never>(channel.port1);
    const receiver = new BatchingPort<never, { n: number; frame: ArrayBuffer }>(channel.port2);
    const got: Array<{ n: number; size: number }> = [];
    const all = Promise.withResolvers<void>();
    receiver.onmessage = (event) => {
      got.push({ n: event.data.n, size: event.data.frame.byteLength });
      if (got.length === 5) all.resolve();
    };
    const frames = [1, 2, 3, 4, 5].map((n) => new ArrayBuffer(n * 10));
    const shared = frames[0];
    frames.forEach((frame, n) => sender.postMessage({ n, frame }, n === 1 ? [frame, shared] : [frame]));
    await all.promise;
    assert.equal(posted, 1);
    assert.deepEqual(got, [0, 1, 2, 3, 4].map((n) => ({ n, size: (n + 1) * 10 })));
    assert.ok(frames.every((frame) => frame.byteLength === 0), "every buffer was transferred");
    sender.close();
    receiver.close();
  });
});

describe("the channel ports", () => {
  test("BatchingPort and ProcessorRingPort both fit where the processor takes a handler's port", () => {
    const channel = new MessageChannel();
    const ports: HandlerPort[] = [
      new BatchingPort<RequestEnvelope, ResponseEnvelope>(channel.port1),
      new ProcessorRingPort(channel.port2, createRingLinkBuffers(8192)),
    ];
    assert.equal(ports.length, 2);
    channel.port1.close();
    channel.port2.close();
  });
});
