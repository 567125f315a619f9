/**
 * Raw-socket helpers for tests about framing and bad input: hand-built
 * request bytes (deliberately not our own encoder) and a socket wrapper that
 * reads size-prefixed responses and notices when the broker closes; and
 * `wireCaller`, one request/response round trip with the generated codecs
 * for the data-path tests.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../src/protocol/api_headers.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../src/protocol/generated/headers.ts";

/** An ApiVersions request (key 18) with a null client id, at `version` (0–2 keep header v1). */
export function apiVersionsRequest(correlationId: number, version = 0): Uint8Array {
  const b = new Uint8Array(14);
  const v = new DataView(b.buffer);
  v.setInt32(0, 10);
  v.setInt16(4, 18);
  v.setInt16(6, version);
  v.setInt32(8, correlationId);
  v.setInt16(12, -1);
  return b;
}

/** A frame with the given api key/version and a null client id, no body. */
export function bareRequest(apiKey: number, version: number, correlationId: number): Uint8Array {
  const b = new Uint8Array(14);
  const v = new DataView(b.buffer);
  v.setInt32(0, 10);
  v.setInt16(4, apiKey);
  v.setInt16(6, version);
  v.setInt32(8, correlationId);
  v.setInt16(12, -1);
  return b;
}

export class WireClient {
  private buffered = new Uint8Array(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    this.closedPromise = new Promise((resolve) =>
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      })
    );
    socket.on("error", () => {});
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(this.buffered.byteLength + chunk.byteLength);
      joined.set(this.buffered);
      joined.set(chunk, this.buffered.byteLength);
      this.buffered = joined;
      this.wake();
    });
  }

  static connect(port: number, host = "127.0.0.1"): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new WireClient(socket)));
      socket.once("error", reject);
    });
  }

  /** Connect from a given local address (127.0.0.0/8 has many) to test per-IP limits. */
  static connectFrom(port: number, localAddress: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: "127.0.0.1", localAddress }, () => resolve(new WireClient(socket)));
      socket.once("error", reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next response frame (without its size prefix), or null if the broker closed. */
  async readFrame(timeoutMs = 10_000): Promise<Uint8Array | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffered.byteLength >= 4) {
        const size = new DataView(this.buffered.buffer, this.buffered.byteOffset).getInt32(0);
        if (this.buffered.byteLength >= 4 + size) {
          const frame = this.buffered.slice(4, 4 + size);
          this.buffered = this.buffered.slice(4 + size);
          return frame;
        }
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a response frame");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves true if the broker closes the connection within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    if (this.closed) return true;
    return await Promise.race([
      this.closedPromise.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs)),
    ]);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Decode an ApiVersions v0 response body: error code and the key ranges. */
export function parseApiVersionsV0(
  frame: Uint8Array,
): { correlationId: number; errorCode: number; keys: Array<[number, number, number]> } {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const correlationId = v.getInt32(0);
  const errorCode = v.getInt16(4);
  const count = v.getInt32(6);
  const keys: Array<[number, number, number]> = [];
  for (let i = 0; i < count; i++) {
    const at = 10 + i * 6;
    keys.push([v.getInt16(at), v.getInt16(at + 2), v.getInt16(at + 4)]);
  }
  return { correlationId, errorCode, keys };
}

/** Sends one request encoded with the generated codecs on a WireClient and decodes its response. */
export type WireCall = <Req, Res>(
  client: WireClient,
  apiKey: number,
  version: number,
  body: Req,
  encode: (w: Writer, version: number, m: Req) => void,
  decode: (r: Reader, version: number) => Res,
) => Promise<Res>;

/**
 * A `call` for tests that speak the real protocol over a raw socket with our generated codecs (the broker's
 * answers are checked, our own encoder is trusted): fresh correlation ids, the response's id checked, and a
 * close instead of an answer turned into a failed assertion.
 */
export function wireCaller(clientId: string): WireCall {
  let nextCorrelationId = 1;
  return async (client, apiKey, version, body, encode, decode) => {
    const correlationId = nextCorrelationId++;
    client.write(requestFrame(apiKey, version, correlationId, clientId, body, encode));
    const frame = await client.readFrame();
    assert.ok(frame, `the broker closed the connection instead of answering api ${apiKey} v${version}`);
    const r = new Reader(frame);
    assert.equal(decodeResponseHeader(r, responseHeaderVersion(apiKey, version)).correlationId, correlationId);
    return decode(r, version);
  };
}

/** One size-prefixed request frame (header for `version`, then the body), ready to write to a socket. */
export function requestFrame<Req>(
  apiKey: number,
  version: number,
  correlationId: number,
  clientId: string,
  body: Req,
  encode: (w: Writer, version: number, m: Req) => void,
): Uint8Array {
  const w = new Writer();
  w.reserveSizePrefix();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId,
  });
  encode(w, version, body);
  return w.finishWithSizePrefix().slice();
}
