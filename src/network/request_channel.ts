/**
 * The RequestChannel between processor and handler Workers.
 *
 * Kafka's RequestChannel is one global request queue plus a response queue
 * per processor. Here every (processor, handler) pair shares a MessagePort;
 * request frames travel as transferred ArrayBuffers (no copy), and the
 * global bound `queued.max.requests` is kept by a counter in a
 * SharedArrayBuffer: a processor increments it before posting and the handler
 * decrements it when it takes the request, so the counter is exactly the
 * number of requests waiting in all handler queues (Kafka's RequestQueueSize).
 * See ARCHITECTURE.md for the measurements behind postMessage-with-transfer.
 */

/** A request on its way from a processor to a handler. */
export interface RequestEnvelope {
  /** Connection id, unique within the sending processor. */
  conn: number;
  /** The request's place among its connection's requests (0, 1, ...): answers are written in this order. */
  seq: number;
  /** The request: header and body, without the 4-byte size prefix. */
  frame: ArrayBuffer;
  /** Index of the listener (in config order) the connection came in on. */
  listener: number;
  /** "ip:port" of the client, for logs and quotas. */
  client: string;
  /** The authenticated principal ("User:ANONYMOUS" on PLAINTEXT). */
  principal: string;
}

export type ResponseAction = "send" | "none" | "close" | "release";

/** A response on its way back to the processor that owns the connection. */
export interface ResponseEnvelope {
  conn: number;
  /** The request's `seq`. */
  seq: number;
  /**
   * "send": write `frame`; "none": no response (acks=0); "close": drop the connection;
   * "release": not an answer yet, but the request's effects are complete, so the
   * connection's next request may be dispatched (its answer follows, in order).
   */
  action: ResponseAction;
  /** Size-prefixed response bytes, `length` of them from offset 0. */
  frame: ArrayBuffer | null;
  length: number;
  /** The rest of the frame, written after `frame` in order (Fetch records sent without a copy). */
  more?: Array<{ buffer: ArrayBuffer; offset: number; length: number }>;
  /** 1 when the response carried an error (for per-API error metrics). */
  error: number;
  /** Why the connection is closed, for the processor's log line. */
  reason?: string;
  /** Over a client quota (KIP-219): read nothing more from the connection for this long after this answer. */
  throttleMs?: number;
}

const QUEUED = 0;

/** The shared count of requests waiting in handler queues. */
export class RequestQueueCounter {
  private readonly ints: Int32Array;

  constructor(buffer: SharedArrayBuffer, readonly capacity: number) {
    this.ints = new Int32Array(buffer);
  }

  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(4);
  }

  /** Claim a place in the queue; false when `queued.max.requests` are waiting. */
  tryEnqueue(): boolean {
    if (Atomics.add(this.ints, QUEUED, 1) < this.capacity) return true;
    Atomics.sub(this.ints, QUEUED, 1);
    return false;
  }

  dequeued(): void {
    Atomics.sub(this.ints, QUEUED, 1);
  }

  get size(): number {
    return Atomics.load(this.ints, QUEUED);
  }
}
