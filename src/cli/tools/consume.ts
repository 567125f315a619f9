/**
 * `tsbroker consume TOPIC`: prints records, one per line (the value, or a kcat-like `-f` format, or JSON
 * lines with --format json). Without `-g` it reads the partitions directly from `-o`: beginning (the
 * default, as kcat), end, an offset, `-N` (N before the end) or `@<ms>` (the first record at or after a
 * time). With `-g` it joins the group and reads from the group's committed offsets (`-o beginning|end` only
 * says where a partition without one starts), committing what it printed after every batch, so `-n 5`
 * commits exactly the five records shown. `-e` stops at the end of each partition as it was when reading
 * began; Ctrl-C stops cleanly (and commits).
 */
import { Consumer, type ConsumerRecord, type TopicPartition } from "../../client/consumer.ts";
import type { ToolCommand } from "./command.ts";
import type { ToolContext } from "./context.ts";
import { ToolFailure } from "./context.ts";
import { parseInteger, UsageError } from "./flags.ts";
import { json } from "./output.ts";
import { compileFormat, recordJson } from "./record_format.ts";
import { parsePartition, requireTopics } from "./topic.ts";

type Start =
  | { kind: "beginning" }
  | { kind: "end" }
  | { kind: "offset"; offset: bigint }
  | { kind: "fromEnd"; count: bigint }
  | { kind: "time"; ms: number };

export const consumeCommand: ToolCommand = {
  path: ["consume"],
  summary: "Print records, from an offset, a time, or a group's position",
  usage: "TOPIC [-o beginning|end|OFFSET|-N|@MS] [-p N]... [-g GROUP] [-n COUNT] [-e] [-f FORMAT]",
  argsName: "topic name",
  args: [1, 1],
  flags: [
    { name: "offset", short: "o", type: "string", arg: "WHERE", help: "beginning, end, OFFSET, -N or @MS (beginning)" },
    { name: "partition", short: "p", type: "list", arg: "N", help: "Read only this partition (repeatable)" },
    { name: "group", short: "g", type: "string", arg: "GROUP", help: "Consume as a member of GROUP, committing" },
    { name: "count", short: "n", type: "string", arg: "N", help: "Stop after N records" },
    { name: "exit", short: "e", type: "boolean", help: "Stop at the end of the partitions" },
    {
      name: "template",
      short: "f",
      type: "string",
      arg: "FORMAT",
      help: "Print with %t %p %o %k %s %h %T (kcat's -f)",
    },
  ],
  notes: `Examples:
  tsbroker consume events -e
  tsbroker consume events -o @1767225600000 -f '%p/%o %k=%s [%h]\\n'
  tsbroker consume events -g readers -n 10

-f directives: %t topic, %p partition, %o offset, %k key, %s value, %K/%S key/value
size, %h headers (k=v,...), %T timestamp (ms), %% percent; escapes \\n \\t \\r \\\\.`,
  run: consume,
};

function parseStart(raw: string | undefined): Start {
  if (raw === undefined || raw === "beginning" || raw === "earliest") return { kind: "beginning" };
  if (raw === "end" || raw === "latest") return { kind: "end" };
  if (raw.startsWith("@")) return { kind: "time", ms: parseInteger(raw.slice(1), "-o @<timestamp ms>") };
  if (raw.startsWith("-")) return { kind: "fromEnd", count: BigInt(parseInteger(raw.slice(1), "-o -N")) };
  if (/^\d+$/.test(raw)) return { kind: "offset", offset: BigInt(raw) };
  throw new UsageError(`-o takes beginning, end, an offset, -N (N before the end) or @<timestamp ms> (got "${raw}")`);
}

async function consume(ctx: ToolContext): Promise<void> {
  const [topic] = ctx.flags.positionals;
  const start = parseStart(ctx.flags.string("offset"));
  const group = ctx.flags.string("group");
  const count = ctx.flags.has("count") ? ctx.flags.int("count", 0, 1) : Infinity;
  const chosen = ctx.flags.list("partition").map((p) => parsePartition(p));
  const template = ctx.flags.string("template");
  const format = template === undefined
    ? (r: ConsumerRecord) => `${recordJson(r).value ?? ""}\n`
    : compileFormat(template);
  if (group !== undefined && start.kind !== "beginning" && start.kind !== "end") {
    throw new UsageError(
      "with -g, -o takes only beginning or end (where a partition without a committed offset starts); " +
        "move a group's offsets with 'tsbroker group seek'",
    );
  }
  if (group !== undefined && chosen.length > 0) {
    throw new UsageError("-p cannot be used with -g (the group assigns partitions)");
  }
  const admin = await ctx.adminClient();
  await requireTopics(admin, [topic]);
  const [info] = await admin.describeTopics([topic]);
  for (const p of chosen) {
    if (p >= info.partitions.length) {
      throw new ToolFailure(
        `topic '${topic}' has partitions 0 to ${
          info.partitions.length - 1
        }; partition ${p} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`,
      );
    }
  }
  const consumer = new Consumer({
    ...ctx.clientOptions(),
    groupId: group,
    autoCommit: false,
    autoOffsetReset: start.kind === "end" ? "latest" : "earliest",
  });
  ctx.onClose(() => consumer.close());
  if (group !== undefined) consumer.subscribe([topic]);
  else {await position(
      consumer,
      ctx,
      topic,
      chosen.length > 0 ? chosen : info.partitions.map((p) => p.partition),
      start,
    );}

  let stop = false;
  ctx.io.onInterrupt(() => (stop = true));
  const ends = new Map<number, bigint>();
  /** Per partition, the first record taken from the consumer but not printed (cut by -n). */
  const unprinted = new Map<number, bigint>();
  let printed = 0;
  while (!stop && printed < count) {
    const batch = await consumer.poll(300);
    const records = batch.slice(0, count - printed);
    for (const r of batch.slice(records.length)) if (!unprinted.has(r.partition)) unprinted.set(r.partition, r.offset);
    for (const r of records) ctx.io.out(ctx.format === "json" ? json(recordJson(r)) : format(r));
    printed += records.length;
    if (group !== undefined && records.length > 0) await consumer.commit(nextOffsets(records));
    if (ctx.flags.bool("exit") && await atEnd(consumer, ctx, ends)) break;
  }
  if (group !== undefined) await commitPositions(consumer, unprinted);
}

/**
 * The group's last commit: every assigned partition at its position (or its first unprinted record), so a
 * partition that had nothing to print still shows a committed offset and a lag of 0 in `group describe`.
 */
async function commitPositions(consumer: Consumer, unprinted: Map<number, bigint>): Promise<void> {
  const offsets = [];
  for (const tp of consumer.assignment()) {
    offsets.push({ ...tp, offset: unprinted.get(tp.partition) ?? await consumer.position(tp) });
  }
  await consumer.commit(offsets);
}

/** Seeks each partition to where `start` says. */
async function position(consumer: Consumer, ctx: ToolContext, topic: string, partitions: number[], start: Start) {
  const tps: TopicPartition[] = partitions.map((partition) => ({ topic, partition }));
  consumer.assign(tps);
  const admin = await ctx.adminClient();
  if (start.kind === "beginning") return await consumer.seekToBeginning(tps);
  if (start.kind === "end") return await consumer.seekToEnd(tps);
  if (start.kind === "offset") return tps.forEach((tp) => consumer.seek(tp, start.offset));
  if (start.kind === "time") {
    const found = await consumer.offsetsForTimes(tps.map((tp) => ({ ...tp, timestamp: start.ms })));
    const latest = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const })));
    return found.forEach((f, i) => consumer.seek(f, f.offset >= 0n ? f.offset : latest[i].offset));
  }
  const low = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "earliest" as const })));
  const high = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const })));
  tps.forEach((tp, i) => {
    const want = high[i].offset - start.count;
    consumer.seek(tp, want > low[i].offset ? want : low[i].offset);
  });
}

/** The offset after the last record printed, per partition: what a group commits. */
function nextOffsets(records: ConsumerRecord[]): { topic: string; partition: number; offset: bigint }[] {
  const last = new Map<number, ConsumerRecord>();
  for (const r of records) last.set(r.partition, r);
  return [...last.values()].map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset + 1n }));
}

/** Whether every assigned partition has reached the end it had when first seen (ends: per partition). */
async function atEnd(consumer: Consumer, ctx: ToolContext, ends: Map<number, bigint>): Promise<boolean> {
  const assigned = consumer.assignment();
  const unknown = assigned.filter((tp) => !ends.has(tp.partition));
  if (unknown.length > 0) {
    const admin = await ctx.adminClient();
    const latest = await admin.listOffsets(unknown.map((tp) => ({ ...tp, spec: "latest" as const })));
    for (const l of latest) ends.set(l.partition, l.offset);
  }
  for (const tp of assigned) if ((await consumer.position(tp)) < ends.get(tp.partition)!) return false;
  return true;
}
