/**
 * The RequestChannel's envelopes over rings (src/network/ring_channel.ts): what
 * a processor and a handler would call in place of `postMessage(envelope)` and
 * `event.data`, giving and getting the same RequestEnvelope and
 * ResponseEnvelope as today.
 *
 * A request is the words [conn, seq, listener, frame length, client length,
 * principal length] and the bytes frame ‖ client ‖ principal (UTF-8). A
 * response is [conn, seq, action, error, reason length, throttle ms] and the
 * bytes of the answer (frame ‖ more chunks) or of the close reason.
 *
 * A reader's inline message is a view into the ring, so the frames are copied
 * out once here (the handler keeps a request while it is handled; the
 * processor keeps an answer until the socket has taken it). Large messages
 * arrive as the sender's own buffers, transferred, and are used as they are.
 */
import { createRingBuffer, type RingMessage, RingReader, RingWriter } from "./ring_channel.ts";
import type { RequestEnvelope, ResponseAction, ResponseEnvelope } from "./request_channel.ts";

/** The two rings of one (processor, handler) pair; the MessagePort pair they share carries large messages. */
export interface RingLinkBuffers {
  /** Processor → handler. */
  requests: SharedArrayBuffer;
  /** Handler → processor. */
  responses: SharedArrayBuffer;
}

/** Measured in scripts/bench/channel.ts: holds 16 in-flight 16 KiB frames; 512 KiB per pair. */
export const DEFAULT_RING_BYTES = 256 * 1024;

export function createRingLinkBuffers(capacity = DEFAULT_RING_BYTES): RingLinkBuffers {
  return { requests: createRingBuffer(capacity), responses: createRingBuffer(capacity) };
}

const ACTIONS: readonly ResponseAction[] = ["send", "none", "close", "release"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const words = new Int32Array(6);

/**
 * Send a request. The frame's buffer is given: a large frame is transferred, as today, with the client and principal
 * in the ring beside its marker; a small one is copied.
 */
export function sendRequest(writer: RingWriter, envelope: RequestEnvelope): void {
  const client = encoded(envelope.client), principal = encoded(envelope.principal);
  words[0] = envelope.conn;
  words[1] = envelope.seq;
  words[2] = envelope.listener;
  words[3] = envelope.frame.byteLength;
  words[4] = client.byteLength;
  words[5] = principal.byteLength;
  writer.send(words, [new Uint8Array(envelope.frame), client, principal], 1);
}

/** UTF-8 of the few client addresses and principals a processor sees (they are copied into the ring, never given). */
const encodings = new Map<string, Uint8Array>();

function encoded(text: string): Uint8Array {
  let bytes = encodings.get(text);
  if (bytes === undefined) {
    if (encodings.size >= 4096) encodings.clear();
    bytes = encoder.encode(text);
    encodings.set(text, bytes);
  }
  return bytes;
}

/**
 * Short ASCII (addresses, most principals) is decoded in JavaScript: in one runtime TextDecoder is a call out of
 * the engine, dearer than this loop for a few bytes.
 */
function decode(bytes: Uint8Array): string {
  if (bytes.byteLength <= 64) {
    let ascii = true;
    for (let i = 0; i < bytes.byteLength; i++) if (bytes[i] >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode(...bytes);
  }
  return decoder.decode(bytes);
}

/** The request a ring message carries, its frame in a buffer of its own. */
export function readRequest(m: RingMessage): RequestEnvelope {
  const [conn, seq, listener, frameLength, clientLength, principalLength] = m.words;
  // The frame alone came over the port (its strings in the ring), or all of it came in one piece.
  const split = m.owned && m.payload.byteLength === frameLength && m.rest.byteLength === clientLength + principalLength;
  const frame = split ? m.payload : m.payload.subarray(0, frameLength);
  const strings = split ? m.rest : m.payload.subarray(frameLength);
  return {
    conn,
    seq,
    listener,
    frame: wholeBuffer(frame, m.owned),
    client: decode(strings.subarray(0, clientLength)),
    principal: decode(strings.subarray(clientLength, clientLength + principalLength)),
  };
}

/** Send a response; its buffers (`frame` and `more`) are given, as they are transferred today. */
export function sendResponse(writer: RingWriter, response: ResponseEnvelope): void {
  words[0] = response.conn;
  words[1] = response.seq;
  words[2] = ACTIONS.indexOf(response.action);
  words[3] = response.error;
  words[5] = response.throttleMs ?? 0;
  if (response.action === "close") {
    const reason = encoder.encode(response.reason ?? "");
    words[4] = reason.byteLength;
    writer.send(words, [reason], true);
    return;
  }
  words[4] = 0;
  const parts: Uint8Array[] = [];
  if (response.frame) parts.push(new Uint8Array(response.frame, 0, response.length));
  for (const chunk of response.more ?? []) parts.push(new Uint8Array(chunk.buffer, chunk.offset, chunk.length));
  writer.send(words, parts, true);
}

/** The response a ring message carries, in the shape the processor takes today. */
export function readResponse(m: RingMessage): ResponseEnvelope {
  const [conn, seq, actionIndex, error, reasonLength, throttleMs] = m.words;
  const action = ACTIONS[actionIndex];
  const response: ResponseEnvelope = { conn, seq, action, frame: null, length: 0, error };
  if (throttleMs > 0) response.throttleMs = throttleMs;
  if (action === "close") response.reason = decoder.decode(m.payload.subarray(0, reasonLength));
  if (action !== "send") return response;
  // The handler's own buffer may be longer than the answer (as today, `length` says how much of it to write).
  response.frame = m.owned && m.payload.byteOffset === 0 ? m.payload.buffer as ArrayBuffer : m.payload.slice().buffer;
  response.length = m.payload.byteLength;
  if (m.more.length > 0) {
    response.more = m.more.filter((part) => part.byteLength > 0).map((part) => ({
      buffer: part.buffer as ArrayBuffer,
      offset: part.byteOffset,
      length: part.byteLength,
    }));
  }
  return response;
}

/** The bytes as an ArrayBuffer starting at 0: a view into the ring, or into part of a buffer, is copied out. */
function wholeBuffer(bytes: Uint8Array, owned: boolean): ArrayBuffer {
  const whole = owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
}

/** An event as a port would deliver it; the processor and handler read only `data`. */
type Listener = ((event: MessageEvent) => void) | null;

/**
 * One end of a (processor, handler) pair over its rings, shaped like the
 * MessagePort it replaces: `postMessage(envelope)` sends, `onmessage` receives
 * `{ data: envelope }`. The port itself still carries large messages.
 */
class RingPort<Out, In> {
  private readonly writer: RingWriter;
  private listener: Listener = null;
  private reader: RingReader | null = null;

  constructor(
    private readonly port: MessagePort,
    out: SharedArrayBuffer,
    private readonly incoming: SharedArrayBuffer,
    private readonly send: (writer: RingWriter, message: Out) => void,
    private readonly read: (m: RingMessage) => In,
  ) {
    this.writer = new RingWriter(out, port);
  }

  /** The transfer list is ignored: the envelope's buffers are always given. */
  postMessage(message: Out, _transfer?: Transferable[]): void {
    this.send(this.writer, message);
  }

  get onmessage(): Listener {
    return this.listener;
  }

  /** Reading starts when the first listener is set, as it does on a MessagePort. */
  set onmessage(listener: Listener) {
    this.listener = listener;
    this.reader ??= new RingReader(
      this.incoming,
      this.port,
      (m) => this.listener?.({ data: this.read(m) } as MessageEvent),
    );
  }

  /** Stop reading and close the port. */
  close(): void {
    this.reader?.stop();
    this.port.close();
  }
}

/** The processor's end: posts requests, hears responses (a drop-in for its HandlerPort). */
export class ProcessorRingPort extends RingPort<RequestEnvelope, ResponseEnvelope> {
  constructor(port: MessagePort, buffers: RingLinkBuffers) {
    super(port, buffers.requests, buffers.responses, sendRequest, readResponse);
  }
}

/** The handler's end: hears requests, posts responses. */
export class HandlerRingPort extends RingPort<ResponseEnvelope, RequestEnvelope> {
  constructor(port: MessagePort, buffers: RingLinkBuffers) {
    super(port, buffers.responses, buffers.requests, sendResponse, readRequest);
  }
}
