/**
 * A MessagePort that posts the messages of one task together: `postMessage`
 * gathers them, and when the current task ends (a microtask) they leave as
 * one array, their transfer lists joined; the receiving end hands them to
 * `onmessage` one by one, as if each had come alone.
 *
 * Measured (scripts/bench/channel.ts, ARCHITECTURE.md "The RequestChannel"):
 * with 16 requests in flight between processor and handler, one postMessage
 * per request costs 2–3× the CPU of batching in Deno and Bun, because each
 * message is a task in the receiving thread's loop; a lone request costs the
 * same either way. Same shape as the port it wraps, so the processor's
 * HandlerPort and the handler's port can be either.
 */

/**
 * `tsbroker.request.channel`: how envelopes cross between two Workers' ports. "ring" applies between processors and
 * handlers (ring_envelopes.ts, with buffers the supervisor shares); between handlers it is "transfer".
 */
export type RequestChannelKind = "transfer" | "batch" | "ring";

/**
 * What the processor, the handler and the handler mesh use of a port: a
 * MessagePort ("transfer": one postMessage per envelope) or a BatchingPort
 * ("batch"). Both ends of a channel must use the same kind.
 */
export interface ChannelPort<Out> {
  postMessage(message: Out, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** `port` as `kind` wants it: itself, or wrapped in a BatchingPort ("ring" ports are made with their buffers). */
export function channelPort<Out, In = unknown>(port: MessagePort, kind: RequestChannelKind): ChannelPort<Out> {
  return kind === "batch" ? new BatchingPort<Out, In>(port) : port;
}

/** The parts of a MessagePort this uses (tests may give a fake). */
export interface BatchedPortTarget {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

export class BatchingPort<Out, In> {
  private out: Out[] = [];
  private transfers = new Set<Transferable>();
  private listener: ((event: MessageEvent) => void) | null = null;
  private readonly flush = () => {
    const out = this.out, transfers = this.transfers;
    this.out = [];
    this.transfers = new Set();
    this.port.postMessage(out, [...transfers]);
  };

  constructor(private readonly port: BatchedPortTarget) {}

  /** Queue `message`; it leaves with the others of this task. Its transfer list is honoured (duplicates joined). */
  postMessage(message: Out, transfer: Transferable[] = []): void {
    if (this.out.length === 0) queueMicrotask(this.flush);
    this.out.push(message);
    for (const item of transfer) this.transfers.add(item);
  }

  get onmessage(): ((event: MessageEvent) => void) | null {
    return this.listener;
  }

  set onmessage(listener: ((event: MessageEvent) => void) | null) {
    this.listener = listener;
    this.port.onmessage = listener === null ? null : (event: MessageEvent) => {
      for (const data of event.data as In[]) {
        try {
          this.listener?.({ data } as MessageEvent);
        } catch (e) {
          // One failing message must not cost the others of its batch: report it outside this loop.
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    };
  }

  close(): void {
    this.port.close();
  }
}
