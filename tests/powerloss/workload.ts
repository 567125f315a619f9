/**
 * The power-loss test's client side: durable acks=all producers that note
 * when each acknowledgement arrived (CLOCK_MONOTONIC, the clock the shim
 * stamps the broker's file operations with), and the read-back of a
 * restarted broker with Fetch (which, unlike kcat -e, tells an unreadable
 * partition from an empty one).
 */
import assert from "node:assert/strict";
import { type BrokerProcess } from "../integration/_broker.ts";
import { wireCaller, WireClient } from "../integration/_wire.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import {
  decodeFetchResponse,
  defaultFetchPartition,
  defaultFetchRequest,
  defaultFetchTopic,
  encodeFetchRequest,
} from "../../src/protocol/generated/fetch.ts";
import {
  decodeMetadataResponse,
  defaultMetadataRequest,
  defaultMetadataRequestTopic,
  encodeMetadataRequest,
} from "../../src/protocol/generated/metadata.ts";

const libc = Deno.dlopen("libc.so.6", { clock_gettime: { parameters: ["i32", "buffer"], result: "i32" } });
const CLOCK_MONOTONIC = 1;
const timespec = new BigInt64Array(2);

/** CLOCK_MONOTONIC in nanoseconds: comparable with the times in the shim's journal (same machine). */
export function monotonicNs(): bigint {
  libc.symbols.clock_gettime(CLOCK_MONOTONIC, new Uint8Array(timespec.buffer));
  return timespec[0] * 1_000_000_000n + timespec[1];
}

export interface AckedRecord {
  partition: number;
  offset: bigint;
  value: string;
  /** When the client had the acknowledgement. */
  ackNs: bigint;
}

/** Creates `topic` through Metadata auto-creation and waits until all its partitions have a leader. */
export async function createTopic(broker: BrokerProcess, topic: string, partitions: number): Promise<void> {
  const client = await WireClient.connect(broker.port);
  const call = wireCaller("powerloss-setup");
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const request = { ...defaultMetadataRequest(), topics: [{ ...defaultMetadataRequestTopic(), name: topic }] };
      const response = await call(client, 3, 9, request, encodeMetadataRequest, decodeMetadataResponse);
      const t = response.topics.find((x) => x.name === topic);
      if (t?.errorCode === 0 && t.partitions.length === partitions && t.partitions.every((p) => p.leaderId >= 0)) {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topic ${topic} did not get ${partitions} partitions`);
  } finally {
    client.destroy();
  }
}

/**
 * `connections` producers, each sending `requests` acks=all Produce requests one after another to random
 * partitions, 1-4 records of random size each; returns every acknowledged record.
 */
export async function produce(
  broker: BrokerProcess,
  topic: string,
  opts: { partitions: number; connections: number; requests: number; random: () => number },
): Promise<AckedRecord[]> {
  const acked: AckedRecord[] = [];
  const utf8 = new TextEncoder();
  const producer = async (c: number) => {
    const client = await WireClient.connect(broker.port);
    const call = wireCaller(`powerloss-${c}`);
    try {
      for (let n = 0; n < opts.requests; n++) {
        const partition = Math.floor(opts.random() * opts.partitions);
        const values = Array.from({ length: 1 + Math.floor(opts.random() * 4) }, (_, i) => {
          const pad = "abcdefghijklmnopqrstuvwxyz".repeat(100).slice(0, 20 + Math.floor(opts.random() * 2500));
          return `c${c}-n${n}-r${i}-${pad}`;
        });
        const records = buildBatch(values.map((v) => ({ key: null, value: utf8.encode(v) })));
        const body = {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30_000,
          topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
        };
        const response = await call(client, 0, 9, body, encodeProduceRequest, decodeProduceResponse);
        const ackNs = monotonicNs();
        const p = response.responses[0].partitionResponses[0];
        assert.equal(p.errorCode, ErrorCode.NONE, `produce failed: ${p.errorMessage}`);
        values.forEach((value, i) => acked.push({ partition, offset: p.baseOffset + BigInt(i), value, ackNs }));
      }
    } finally {
      client.destroy();
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, (_, c) => producer(c)));
  return acked;
}

/** Reads a zigzag varint at `pos`; returns [value, next position]. */
function zigzag(buf: Uint8Array, pos: number): [number, number] {
  let raw = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    raw += (b & 0x7f) * mul;
    if (b < 0x80) return [raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, pos];
    mul *= 128;
  }
}

/** (offset, value) of each record in `records` (uncompressed v2 batches, as this workload writes them). */
function recordsOf(records: Uint8Array): Array<[bigint, string]> {
  const out: Array<[bigint, string]> = [];
  const text = new TextDecoder();
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let at = 0; at + 61 <= records.length;) {
    const end = at + 12 + view.getInt32(at + 8);
    if (end > records.length) break; // a partial batch at the end of a fetch
    const base = view.getBigInt64(at);
    const count = view.getInt32(at + 57);
    let pos = at + 61;
    for (let i = 0; i < count; i++) {
      const [length, body] = zigzag(records, pos);
      let p = body + 1; // attributes
      [, p] = zigzag(records, p); // timestamp delta
      const [offsetDelta, afterDelta] = zigzag(records, p);
      const [keyLength, afterKey] = zigzag(records, afterDelta);
      const [valueLength, valueAt] = zigzag(records, afterKey + Math.max(0, keyLength));
      out.push([base + BigInt(offsetDelta), text.decode(records.subarray(valueAt, valueAt + valueLength))]);
      pos = body + length;
    }
    at = end;
  }
  return out;
}

/**
 * Every record of `topic` as "partition offset" → value, fetched from offset 0 up to the high watermark;
 * a partition that answers with an error, or whose fetches stop short of its high watermark, is listed in
 * `unreadable` with why.
 */
export async function readAll(
  broker: BrokerProcess,
  topic: string,
  partitions: number,
): Promise<{ records: Map<string, string>; unreadable: Map<number, string> }> {
  const records = new Map<string, string>();
  const unreadable = new Map<number, string>();
  const client = await WireClient.connect(broker.port);
  const call = wireCaller("powerloss-reader");
  try {
    for (let partition = 0; partition < partitions; partition++) {
      let offset = 0n;
      for (let round = 0; round < 1000; round++) {
        const request = {
          ...defaultFetchRequest(),
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 8 << 20,
          topics: [{
            ...defaultFetchTopic(),
            topic,
            partitions: [{ ...defaultFetchPartition(), partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }],
          }],
        };
        const response = await call(client, 1, 4, request, encodeFetchRequest, decodeFetchResponse);
        const p = response.responses[0]?.partitions[0];
        if (!p || p.errorCode !== 0) {
          unreadable.set(partition, `fetch at offset ${offset} answered error ${p?.errorCode ?? "(no partition)"}`);
          break;
        }
        const got = recordsOf(p.records ?? new Uint8Array(0));
        for (const [o, value] of got) records.set(`${partition} ${o}`, value);
        const next = got.length > 0 ? got[got.length - 1][0] + 1n : offset;
        if (next >= p.highWatermark) break;
        if (next === offset) {
          unreadable.set(
            partition,
            `fetch at offset ${offset} returned nothing below high watermark ${p.highWatermark}`,
          );
          break;
        }
        offset = next;
      }
    }
  } finally {
    client.destroy();
  }
  return { records, unreadable };
}

/** A small seeded PRNG (mulberry32), so a failing cut can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
