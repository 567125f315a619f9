/**
 * `tsbroker produce TOPIC`: every line of standard input becomes a record (empty lines are skipped), as
 * kcat -P does. `-k SEP` splits each line at the first SEP into key and value (kcat's -K); a line without
 * it is a usage error (exit 2) that names the line, after the lines before it have been sent. `-H k=v` adds a
 * header to every record, `-p` fixes the partition (else the key's hash, or sticky batches without a key).
 *
 * A topic that does not exist is produced to only when the broker creates topics on first use
 * (auto.create.topics.enable); otherwise the tool says so at once rather than waiting for the client's
 * metadata retries to time out.
 */
import { ResourceType } from "../../client/admin.ts";
import type { CompressionName } from "../../client/batch_encoder.ts";
import { Producer, type RecordMetadata } from "../../client/producer.ts";
import type { ToolCommand } from "./command.ts";
import { describeFailure, type ToolContext, ToolFailure } from "./context.ts";
import { parseKeyValue, UsageError } from "./flags.ts";
import { json } from "./output.ts";
import { parsePartition } from "./topic.ts";

const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"];
/**
 * Records unanswered at most, in a ring: a long input is read only as fast as the broker takes it, and
 * reading never stops to let the whole window drain (waiting for all of it halved the throughput).
 */
const WINDOW = 20_000;

export const produceCommand: ToolCommand = {
  path: ["produce"],
  summary: "Send lines of standard input as records",
  usage: "TOPIC [-k SEP] [-H key=value]... [-p PARTITION] [--acks 0|1|all] [--compression CODEC]",
  argsName: "topic name",
  args: [1, 1],
  flags: [
    { name: "key-separator", short: "k", type: "string", arg: "SEP", help: "Split each line into KEY SEP VALUE" },
    { name: "header", short: "H", type: "list", arg: "k=v", help: "A header on every record" },
    { name: "partition", short: "p", type: "string", arg: "N", help: "Send to this partition" },
    { name: "acks", type: "string", arg: "0|1|all", help: "Acknowledgements to wait for (all)" },
    { name: "compression", short: "z", type: "string", arg: "CODEC", help: "none, gzip, snappy, lz4 or zstd (none)" },
  ],
  notes: `Examples:
  echo hello | tsbroker produce events
  printf 'user1:clicked\\nuser2:paid\\n' | tsbroker produce events -k : -H source=web

With --format json, prints each record's partition, offset and timestamp as a JSON line.`,
  run: produce,
};

function acksOf(raw: string | undefined): 0 | 1 | -1 {
  if (raw === undefined || raw === "all" || raw === "-1") return -1;
  if (raw === "0" || raw === "1") return Number(raw) as 0 | 1;
  throw new UsageError(`--acks takes 0, 1 or all (got "${raw}")`);
}

async function produce(ctx: ToolContext): Promise<void> {
  const [topic] = ctx.flags.positionals;
  const sep = ctx.flags.string("key-separator");
  if (sep === "") throw new UsageError("-k/--key-separator needs a non-empty separator");
  const headers = ctx.flags.list("header").map((h) => parseKeyValue(h, "-H"));
  const partitionRaw = ctx.flags.string("partition");
  const partition = partitionRaw === undefined ? undefined : parsePartition(partitionRaw);
  const acks = acksOf(ctx.flags.string("acks"));
  const compression = ctx.flags.string("compression") ?? "none";
  if (!COMPRESSIONS.includes(compression)) {
    throw new UsageError(`--compression takes ${COMPRESSIONS.join(", ")} (got "${compression}")`);
  }
  await checkTarget(ctx, topic, partition);
  const producer = new Producer({
    ...ctx.clientOptions(),
    acks,
    compression: compression as CompressionName,
    maxBlockMs: ctx.timeoutMs,
    // librdkafka's batching (kcat's), not the Java producer's 16 KiB: piping a file in is a bulk load, and with
    // small batches the in-flight limit, not the broker, set the pace (200 MB took 20 s instead of 6).
    batchSize: 1_000_000,
  });
  ctx.onClose(() => producer.close());
  const ring: Promise<unknown>[] = new Array(WINDOW);
  let failure: unknown;
  let sent = 0;
  const report = (m: RecordMetadata) => {
    if (ctx.format === "json") {
      ctx.io.out(json({ topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp }));
    }
  };
  const settle = async () => {
    await Promise.all(ring.filter((p) => p !== undefined));
    if (failure !== undefined) throw new ToolFailure(describeFailure(`cannot produce to '${topic}'`, failure));
  };
  let lineNo = 0;
  for await (const line of ctx.io.stdinLines()) {
    lineNo++;
    if (line === "") continue;
    let key: string | null = null;
    let value = line;
    if (sep !== undefined) {
      const at = line.indexOf(sep);
      if (at < 0) {
        await settle();
        throw new UsageError(
          `line ${lineNo} has no key separator "${sep}" (with -k every line is KEY${sep}VALUE); ${sent} records before it were sent`,
        );
      }
      key = line.slice(0, at);
      value = line.slice(at + sep.length);
    }
    if (sent >= WINDOW) await ring[sent % WINDOW];
    if (failure !== undefined) break;
    ring[sent % WINDOW] = producer.send({ topic, key, value, headers, partition }).then(report, (e) => (failure ??= e));
    sent++;
  }
  await producer.flush();
  await settle();
  if (ctx.format === "table") ctx.io.out(`Produced ${sent} record${sent === 1 ? "" : "s"} to topic '${topic}'.\n`);
}

/** Fails unless the topic exists (or the broker will create it) and has the partition asked for. */
async function checkTarget(ctx: ToolContext, topic: string, partition: number | undefined): Promise<void> {
  const admin = await ctx.adminClient();
  const exists = (await admin.listTopics(true)).includes(topic);
  if (!exists) {
    const { brokers } = await admin.describeCluster();
    const [entry] = await admin.describeConfigs(ResourceType.BROKER, String(brokers[0]?.nodeId ?? ""), [
      "auto.create.topics.enable",
    ]).catch(() => [undefined]);
    if (entry?.value !== "true" || partition !== undefined) {
      throw new ToolFailure(
        `topic '${topic}' does not exist (UNKNOWN_TOPIC_OR_PARTITION); create it with 'tsbroker topic create ${topic}'`,
      );
    }
    return;
  }
  if (partition === undefined) return;
  const [info] = await admin.describeTopics([topic]);
  if (partition >= info.partitions.length) {
    throw new ToolFailure(
      `topic '${topic}' has partitions 0 to ${
        info.partitions.length - 1
      }; partition ${partition} does not exist (UNKNOWN_TOPIC_OR_PARTITION)`,
    );
  }
}
