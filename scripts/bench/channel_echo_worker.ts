/**
 * The handler side of scripts/bench/channel.ts: answer each request with its own bytes, the way the processor↔handler
 * RequestChannel variant under test carries them (see channel.ts for the variants).
 */
import { RingReader, RingWriter } from "../../src/network/ring_channel.ts";

interface Envelope {
  conn: number;
  seq: number;
  frame: ArrayBuffer;
}

export type EchoInit =
  | { variant: "transfer" | "batch"; port: MessagePort }
  | {
    variant: "ring";
    port: MessagePort;
    requests: SharedArrayBuffer;
    responses: SharedArrayBuffer;
    maxInline: number;
  };

const answer = (d: Envelope) => ({
  conn: d.conn,
  seq: d.seq,
  action: "send",
  frame: d.frame,
  length: d.frame.byteLength,
  error: 0,
});

function transfer(port: MessagePort): void {
  port.onmessage = (m: MessageEvent) => {
    const d = m.data as Envelope;
    port.postMessage(answer(d), [d.frame]);
  };
}

/** Answers collected while a batch is read leave together, in one message, once the current task is done. */
function batch(port: MessagePort): void {
  let out: unknown[] = [];
  let frames: ArrayBuffer[] = [];
  const flush = () => {
    port.postMessage(out, frames);
    out = [];
    frames = [];
  };
  port.onmessage = (m: MessageEvent) => {
    for (const d of m.data as Envelope[]) {
      if (out.length === 0) queueMicrotask(flush);
      out.push(answer(d));
      frames.push(d.frame);
    }
  };
}

/**
 * A handler keeps its request past the callback (it is decoded and handled asynchronously), so an inline request is
 * copied out of the ring, as it would be in the broker; the answer is written from that copy.
 */
function ring(port: MessagePort, requests: SharedArrayBuffer, responses: SharedArrayBuffer, maxInline: number): void {
  const writer = new RingWriter(responses, port, maxInline);
  const words = new Int32Array(5);
  new RingReader(requests, port, (m) => {
    const [conn, seq, , clientLength, principalLength] = m.words;
    const request = m.owned ? m.payload : m.payload.slice();
    const frame = request.subarray(clientLength + principalLength);
    words[0] = conn;
    words[1] = seq;
    words[2] = 1; // action "send"
    words[3] = frame.byteLength;
    writer.send(words, [frame], m.owned);
  });
}

(self as unknown as { onmessage: (e: MessageEvent) => void }).onmessage = (e: MessageEvent) => {
  const init = e.data as EchoInit;
  if (init.variant === "ring") ring(init.port, init.requests, init.responses, init.maxInline);
  else if (init.variant === "batch") batch(init.port);
  else transfer(init.port);
};
