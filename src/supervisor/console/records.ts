/**
 * The console's record browser: the latest N records of one partition, read
 * by a short-lived Consumer without a group (nothing is committed, no group
 * appears in the group list), and rendered as text, JSON or hex. The consumer
 * connects as the console's client does (the logged-in user's credentials),
 * so it reads only what that user may.
 */
import type { Admin } from "../../client/admin.ts";
import { Consumer, type ConsumerRecord } from "../../client/consumer.ts";
import type { ClientOptions } from "../../client/network_client.ts";

export type RecordFormat = "text" | "json" | "hex";
export const RECORD_FORMATS: readonly RecordFormat[] = ["text", "json", "hex"];

/** One record as the browser shows it. */
export interface RecordView {
  offset: string;
  timestamp: number;
  timestampType: string;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  /** Bytes of the value (null for a tombstone). */
  valueSize: number | null;
}

export interface PartitionRecords {
  topic: string;
  partition: number;
  lowOffset: string;
  highOffset: string;
  format: RecordFormat;
  records: RecordView[];
}

/** Reads the records in [max(low, high - limit), high) of one partition; `client` as the Admin's. */
export async function latestRecords(
  admin: Admin,
  client: ClientOptions,
  q: { topic: string; partition: number; limit: number; format: RecordFormat },
): Promise<PartitionRecords> {
  const tp = { topic: q.topic, partition: q.partition };
  const [low, high] = await admin.listOffsets([{ ...tp, spec: "earliest" }, { ...tp, spec: "latest" }]);
  const start = high.offset - BigInt(q.limit) > low.offset ? high.offset - BigInt(q.limit) : low.offset;
  const records = start < high.offset ? await readRange(client, tp, start, high.offset) : [];
  return {
    topic: q.topic,
    partition: q.partition,
    lowOffset: String(low.offset),
    highOffset: String(high.offset),
    format: q.format,
    records: records.reverse().map((r) => view(r, q.format)),
  };
}

/** Polls from `start` until the record before `end` arrived, or 5 s passed (a compacted or aborted tail). */
async function readRange(
  client: ClientOptions,
  tp: { topic: string; partition: number },
  start: bigint,
  end: bigint,
): Promise<ConsumerRecord[]> {
  const consumer = new Consumer({
    ...client,
    clientId: "tsbroker-console",
    autoCommit: false,
    fetchMaxWaitMs: 100,
    requestTimeoutMs: 10_000,
  });
  try {
    consumer.assign([tp]);
    consumer.seek(tp, start);
    const out: ConsumerRecord[] = [];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      for (const r of await consumer.poll(500)) if (r.offset < end) out.push(r);
      if (out.length > 0 && out[out.length - 1].offset >= end - 1n) break;
    }
    return out;
  } finally {
    await consumer.close();
  }
}

function view(r: ConsumerRecord, format: RecordFormat): RecordView {
  return {
    offset: String(r.offset),
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: render(r.key, format === "json" ? "text" : format),
    value: render(r.value, format),
    headers: r.headers.map(([key, value]) => ({ key, value: render(value, format === "hex" ? "hex" : "text") })),
    valueSize: r.value?.length ?? null,
  };
}

const decoder = new TextDecoder();

/** Bytes as text (invalid UTF-8 replaced), pretty JSON (text as it is when it does not parse) or hex. */
export function render(bytes: Uint8Array | null, format: RecordFormat): string | null {
  if (bytes === null) return null;
  if (format === "hex") return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
  const text = decoder.decode(bytes);
  if (format === "text") return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
