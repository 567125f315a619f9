/**
 * The handler side of scripts/bench/channel.ts: answer each request with its own bytes, the way the processor↔handler
 * RequestChannel variant under test carries them (see channel.ts for the variants).
 */
import { RingReader, RingWriter } from "../../src/network/ring_channel.ts";
import { readRequest, type RingLinkBuffers, sendResponse } from "../../src/network/ring_envelopes.ts";
import type { ResponseEnvelope } from "../../src/network/request_channel.ts";
import { BatchingPort } from "../../src/network/batch_port.ts";

interface Envelope {
  conn: number;
  seq: number;
  frame: ArrayBuffer;
}

export type EchoInit =
  | { variant: "transfer" | "batch"; port: MessagePort }
  | { variant: "ring"; port: MessagePort; buffers: RingLinkBuffers; maxInline: number };

const answer = (d: Envelope): ResponseEnvelope => ({
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
  const batching = new BatchingPort<ResponseEnvelope, Envelope>(port);
  batching.onmessage = (m: MessageEvent) => {
    const d = m.data as Envelope;
    batching.postMessage(answer(d), [d.frame]);
  };
}

/** As the handler would: the request read from the ring (its frame copied out), the answer written to the other. */
function ring(port: MessagePort, buffers: RingLinkBuffers, maxInline: number): void {
  const writer = new RingWriter(buffers.responses, port, maxInline);
  new RingReader(buffers.requests, port, (m) => sendResponse(writer, answer(readRequest(m))));
}

(self as unknown as { onmessage: (e: MessageEvent) => void }).onmessage = (e: MessageEvent) => {
  const init = e.data as EchoInit;
  if (init.variant === "ring") ring(init.port, init.buffers, init.maxInline);
  else if (init.variant === "batch") batch(init.port);
  else transfer(init.port);
};
