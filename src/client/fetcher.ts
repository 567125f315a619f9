/**
 * The consumer's fetch loop: one Fetch in flight per leader broker at a time, asking for every assigned
 * partition it leads whose buffer is empty, from that partition's fetch position. Answers are decoded into
 * per-partition buffers that `take()` hands out, so the next fetch is already under way while the
 * application works through the previous records (prefetch). A seek bumps the partition's epoch, which
 * drops its buffered records and any answer still in flight for the old position.
 *
 * Fetch runs without a fetch session (session id 0, epoch -1: a full request every time), which every
 * broker accepts and which keeps the client stateless across reconnects.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { FetchResponse } from "../protocol/generated/fetch.ts";
import { Apis } from "./apis.ts";
import { KafkaClientError, needsMetadataRefresh } from "./errors.ts";
import type { TopicPartition } from "./group.ts";
import type { NetworkClient } from "./network_client.ts";
import { type ConsumerRecord, decodeRecords } from "./records.ts";

export interface FetchOptions {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxPartitionBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
}

/** One assigned partition's state. */
export interface PartitionState {
  topic: string;
  partition: number;
  /** The next offset the application will get; null until known (committed or reset). */
  position: bigint | null;
  /** Where the next fetch starts (ahead of position while records are buffered). */
  fetchOffset: bigint | null;
  buffer: ConsumerRecord[];
  /** Bumped by each seek; answers for an older epoch are dropped. */
  epoch: number;
  highWatermark: bigint;
  /** Set when the broker answered OFFSET_OUT_OF_RANGE: the consumer resets the position. */
  outOfRange: boolean;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class Fetcher {
  readonly states = new Map<string, PartitionState>();
  private readonly busy = new Set<number>();
  private waiters: (() => void)[] = [];
  /** The last fetch failure, reported by the next poll if nothing else arrived. */
  lastError: Error | null = null;

  constructor(private readonly client: NetworkClient, private readonly o: FetchOptions) {}

  /** Replaces the assignment; partitions kept keep their positions. */
  assign(partitions: TopicPartition[]): void {
    const keep = new Map<string, PartitionState>();
    for (const { topic, partition } of partitions) {
      const key = tpKey(topic, partition);
      keep.set(
        key,
        this.states.get(key) ?? {
          topic,
          partition,
          position: null,
          fetchOffset: null,
          buffer: [],
          epoch: 0,
          highWatermark: -1n,
          outOfRange: false,
        },
      );
    }
    this.states.clear();
    for (const [k, v] of keep) this.states.set(k, v);
  }

  seek(topic: string, partition: number, offset: bigint): void {
    const s = this.states.get(tpKey(topic, partition));
    if (!s) throw new Error(`${topic}-${partition} is not assigned`);
    s.position = offset;
    s.fetchOffset = offset;
    s.buffer = [];
    s.epoch++;
    s.outOfRange = false;
  }

  /** Up to `max` buffered records, advancing positions. */
  take(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    for (const s of this.states.values()) {
      if (out.length >= max) break;
      if (s.buffer.length === 0) continue;
      const n = Math.min(max - out.length, s.buffer.length);
      const part = s.buffer.splice(0, n);
      for (const r of part) out.push(r);
      s.position = part[n - 1].offset + 1n;
    }
    return out;
  }

  /** Starts a Fetch for each leader with none in flight and partitions ready to fetch. */
  fetchMore(): void {
    const byNode = new Map<number, PartitionState[]>();
    const unknownLeader = new Set<string>();
    for (const s of this.states.values()) {
      if (s.fetchOffset === null || s.buffer.length > 0 || s.outOfRange) continue;
      const leader = this.client.metadata.cached(s.topic)?.partitions[s.partition]?.leader ?? -1;
      if (leader < 0) {
        unknownLeader.add(s.topic);
        continue;
      }
      if (this.busy.has(leader)) continue;
      const list = byNode.get(leader) ?? [];
      list.push(s);
      byNode.set(leader, list);
    }
    // Asking by topic (not a bare refresh) adds topics the cache never saw: a partition assigned and sought
    // to an offset has had no metadata lookup yet, and a refresh asks only for topics already wanted.
    for (const topic of unknownLeader) {
      const known = this.client.metadata.cached(topic) !== undefined;
      (known ? this.client.metadata.refresh() : this.client.metadata.topic(topic)).catch(() => {});
    }
    for (const [node, list] of byNode) this.fetchFrom(node, list);
  }

  /** Resolves when an answer arrives or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Wakes a waiting poll (after a seek or assignment change). */
  wakeup(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private fetchFrom(node: number, list: PartitionState[]): void {
    this.busy.add(node);
    const epochs = list.map((s) => s.epoch);
    const offsets = list.map((s) => s.fetchOffset!);
    const byTopic = new Map<string, PartitionState[]>();
    for (const s of list) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
    this.client.send(
      node,
      Apis.Fetch,
      {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: this.o.maxWaitMs,
        minBytes: this.o.minBytes,
        maxBytes: this.o.maxBytes,
        isolationLevel: this.o.isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, ps]) => ({
          topic,
          topicId: "AAAAAAAAAAAAAAAAAAAAAA",
          partitions: ps.map((s) => ({
            partition: s.partition,
            currentLeaderEpoch: -1,
            fetchOffset: s.fetchOffset!,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: this.o.maxPartitionBytes,
            replicaDirectoryId: "AAAAAAAAAAAAAAAAAAAAAA",
          })),
        })),
        forgottenTopicsData: [],
        rackId: "",
      },
      true,
      this.client.requestTimeoutMs + this.o.maxWaitMs,
    ).then(
      (answer) => this.apply(answer, list, epochs, offsets),
      (e) => {
        this.lastError = e instanceof Error ? e : new Error(String(e));
        this.client.metadata.refresh().catch(() => {});
      },
    ).finally(() => {
      this.busy.delete(node);
      this.wakeup();
    });
  }

  private apply(answer: FetchResponse, list: PartitionState[], epochs: number[], offsets: bigint[]): void {
    if (answer.errorCode !== ErrorCode.NONE) {
      this.lastError = new KafkaClientError(answer.errorCode, "fetch");
      return;
    }
    const data = new Map<string, FetchResponse["responses"][0]["partitions"][0]>();
    for (const t of answer.responses) for (const p of t.partitions) data.set(tpKey(t.topic, p.partitionIndex), p);
    let refresh = false;
    list.forEach((s, i) => {
      const p = data.get(tpKey(s.topic, s.partition));
      if (!p || s.epoch !== epochs[i] || this.states.get(tpKey(s.topic, s.partition)) !== s) return;
      if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        s.outOfRange = true;
        return;
      }
      if (p.errorCode !== ErrorCode.NONE) {
        refresh ||= needsMetadataRefresh(p.errorCode);
        this.lastError = new KafkaClientError(p.errorCode, `fetch ${s.topic}-${s.partition}`);
        return;
      }
      s.highWatermark = p.highWatermark;
      if (!p.records || p.records.length === 0) return;
      const { records, nextOffset } = decodeRecords(s.topic, s.partition, p.records, offsets[i]);
      s.buffer = records;
      s.fetchOffset = nextOffset;
      // Batches without user records (transaction markers) still move the position past them.
      if (records.length === 0 && s.position === offsets[i]) s.position = nextOffset;
    });
    if (refresh) this.client.metadata.refresh().catch(() => {});
  }
}
