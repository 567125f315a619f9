/**
 * Sends partition ops to their owners: the handler that received a client
 * request splits it by owner (ownerOf), runs its own share directly and
 * sends each other owner one message on the handler-to-handler port, then
 * joins the answers in request order. Records travel as transferred
 * ArrayBuffers: produce data is copied once out of the request frame (so
 * the frame's other partitions are not cloned along), fetch data is read by
 * the owner into a fresh buffer and moved back without a copy.
 */
import { ownerOf } from "../../replica/partition_owner.ts";
import type { PartitionOp, PartitionRef, ResultOf } from "../../replica/partition_ops.ts";
import type { GroupPeerOp } from "../../group/group_ops.ts";
import type { TxnPeerOp } from "../../txn/txn_ops.ts";
import { ApiError } from "../../protocol/api_error.ts";
import type { ChannelPort } from "../../network/batch_port.ts";

/** What one handler asks another: partition ops, group ops and transaction coordinator calls (for what it coordinates). */
export type PeerOp = PartitionOp | GroupPeerOp | TxnPeerOp;

/** Runs ops on the partitions (and groups) this handler owns. */
export interface LocalPartitions {
  execute(op: PeerOp): Promise<unknown>;
}

/** A handler's port to another handler: a MessagePort, or a BatchingPort (tsbroker.request.channel). */
export type PeerPort = ChannelPort<PeerMessage>;

type PeerMessage =
  | { kind: "call"; id: number; op: PeerOp }
  | { kind: "reply"; id: number; result?: unknown; error?: string; errorCode?: number };

export class PartitionRouter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    readonly selfIndex: number,
    readonly handlerCount: number,
    private readonly local: LocalPartitions,
    /** Indexed by handler; null at selfIndex. */
    private readonly peers: ReadonlyArray<PeerPort | null>,
  ) {
    for (const port of peers) {
      if (port) port.onmessage = (e: MessageEvent) => this.onPeerMessage(port, e.data as PeerMessage);
    }
  }

  ownerOf(ref: PartitionRef): number {
    return ownerOf(ref.topicId, ref.partition, this.handlerCount);
  }

  /**
   * Runs `op` over its items, split by owner; the answer lists one result per
   * item in the original order (for "watch": true if any owner fired).
   */
  async run<O extends Exclude<PartitionOp, { op: "watch" }>>(op: O): Promise<ResultOf<O>> {
    const groups = new Map<number, number[]>();
    op.items.forEach((item, i) => {
      const owner = this.ownerOf(item);
      const list = groups.get(owner);
      if (list) list.push(i);
      else groups.set(owner, [i]);
    });
    const results = new Array(op.items.length);
    await Promise.all([...groups].map(async ([owner, indexes]) => {
      const part = { ...op, items: indexes.map((i) => op.items[i]) } as O;
      const answers = await this.call(owner, part) as unknown[];
      indexes.forEach((i, k) => results[i] = answers[k]);
    }));
    return results as ResultOf<O>;
  }

  /** Resolves true as soon as any owner sees new data past a watched offset, false at the timeout. */
  watch(items: PartitionOp & { op: "watch" }): Promise<boolean> {
    const groups = new Map<number, typeof items.items>();
    for (const item of items.items) {
      const owner = this.ownerOf(item);
      const list = groups.get(owner);
      if (list) list.push(item);
      else groups.set(owner, [item]);
    }
    if (groups.size === 0) return new Promise((resolve) => setTimeout(() => resolve(false), items.timeoutMs));
    return new Promise((resolve) => {
      let remaining = groups.size;
      for (const [owner, group] of groups) {
        (this.call(owner, { op: "watch", items: group, timeoutMs: items.timeoutMs }) as Promise<boolean>)
          .then((fired) => {
            remaining--;
            if (fired || remaining === 0) resolve(fired);
          }, () => resolve(true));
      }
    });
  }

  /** Runs one op on handler `owner` (this one included). An ApiError keeps its Kafka error code across the hop. */
  call(owner: number, op: PeerOp): Promise<unknown> {
    if (owner === this.selfIndex) return this.local.execute(op);
    const port = this.peers[owner];
    if (!port) return Promise.reject(new Error(`no port to handler ${owner}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      port.postMessage({ kind: "call", id, op } satisfies PeerMessage, transferablesOf(op));
    });
  }

  private async onPeerMessage(port: PeerPort, message: PeerMessage): Promise<void> {
    if (message.kind === "reply") {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.errorCode !== undefined) call?.reject(new ApiError(message.errorCode, message.error ?? ""));
      else if (message.error !== undefined) call?.reject(new Error(message.error));
      else call?.resolve(message.result);
      return;
    }
    try {
      const result = await this.local.execute(message.op);
      port.postMessage({ kind: "reply", id: message.id, result } satisfies PeerMessage, transferablesOfResult(result));
    } catch (e) {
      const errorCode = e instanceof ApiError ? e.errorCode : undefined;
      port.postMessage({ kind: "reply", id: message.id, error: e instanceof Error ? e.message : String(e), errorCode });
    }
  }
}

/** Produce records move to the owner: each item gets its own standalone buffer. */
function transferablesOf(op: PeerOp): Transferable[] {
  if (op.op !== "produce") return [];
  const buffers: Transferable[] = [];
  for (const item of op.items) {
    const standalone = item.records.byteOffset === 0 && item.records.byteLength === item.records.buffer.byteLength
      ? item.records
      : item.records.slice();
    item.records = standalone;
    buffers.push(standalone.buffer as ArrayBuffer);
  }
  return buffers;
}

/** Fetched records move back: distinct buffers only (two results may share none, but be safe). */
function transferablesOfResult(result: unknown): Transferable[] {
  if (!Array.isArray(result)) return [];
  const seen = new Set<ArrayBuffer>();
  for (const r of result) {
    const records = (r as { records?: Uint8Array | null }).records;
    if (records && records.buffer instanceof ArrayBuffer && records.buffer.byteLength > 0) seen.add(records.buffer);
  }
  return [...seen];
}

/**
 * The handler-to-handler mesh: one MessageChannel per pair of handlers.
 * Row h holds handler h's port to each other handler (null at h itself).
 */
export function createPeerPorts(handlerCount: number): Array<Array<MessagePort | null>> {
  const ports: Array<Array<MessagePort | null>> = Array.from(
    { length: handlerCount },
    () => Array.from({ length: handlerCount }, () => null),
  );
  for (let a = 0; a < handlerCount; a++) {
    for (let b = a + 1; b < handlerCount; b++) {
      const channel = new MessageChannel();
      ports[a][b] = channel.port1;
      ports[b][a] = channel.port2;
    }
  }
  return ports;
}
