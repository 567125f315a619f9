/**
 * `tsbroker topic create|list|describe|delete|alter-config`. Each command that names existing topics first
 * checks they exist: the client treats UNKNOWN_TOPIC_OR_PARTITION as retriable (a topic being created shows
 * up a moment later), which would turn a typo into a 30-second wait before the same error.
 */
import type { Admin, TopicSize } from "../../client/admin.ts";
import { ResourceType } from "../../client/admin.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { ToolCommand } from "./command.ts";
import { describeFailure, isKafkaError, type ToolContext, ToolFailure } from "./context.ts";
import { parseInteger, parseKeyValue, UsageError } from "./flags.ts";
import { fields, json, table } from "./output.ts";

/** Kafka's names for DescribeConfigs sources. */
const CONFIG_SOURCES: Record<number, string> = {
  1: "topic",
  2: "broker (dynamic)",
  3: "cluster default (dynamic)",
  4: "broker (static)",
  5: "default",
  6: "logger",
};

/** Bytes for people: "0 B", "512 B", "1.5 KiB", "12.0 MiB". */
export function humanBytes(bytes: bigint | number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let n = Number(bytes);
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/**
 * Sizes of `topics` by name, or null when the broker will not say: DescribeLogDirs needs DESCRIBE on the
 * cluster, which a user allowed to read topics may lack, and listing topics must not fail for that.
 */
async function sizesOf(admin: Admin, topics: string[]): Promise<Map<string, TopicSize> | null> {
  try {
    return new Map((await admin.describeTopicSizes(topics)).map((t) => [t.topic, t]));
  } catch (e) {
    if (isKafkaError(e, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)) return null;
    throw e;
  }
}

/** Fails with "topic 'x' does not exist (UNKNOWN_TOPIC_OR_PARTITION)" for the first name the cluster lacks. */
export async function requireTopics(admin: Admin, names: string[]): Promise<void> {
  const known = new Set(await admin.listTopics(true));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length > 0) {
    throw new ToolFailure(
      `${missing.map((n) => `topic '${n}'`).join(", ")} ${missing.length > 1 ? "do" : "does"} not exist ` +
        `(UNKNOWN_TOPIC_OR_PARTITION); see 'tsbroker topic list'`,
    );
  }
}

const create: ToolCommand = {
  path: ["topic", "create"],
  summary: "Create a topic",
  usage: "NAME [-p PARTITIONS] [-r REPLICATION] [-c key=value]...",
  argsName: "topic name",
  args: [1, 1],
  flags: [
    { name: "partitions", short: "p", type: "string", arg: "N", help: "Partitions (the broker's num.partitions)" },
    { name: "replication", short: "r", type: "string", arg: "N", help: "Replication factor (the broker's default)" },
    { name: "config", short: "c", type: "list", arg: "k=v", help: "A topic config, e.g. cleanup.policy=compact" },
  ],
  notes: "Example:\n  tsbroker topic create events -p 3 -c retention.ms=86400000",
  async run(ctx) {
    const [name] = ctx.flags.positionals;
    const partitions = ctx.flags.has("partitions") ? ctx.flags.int("partitions", -1, 1, 2 ** 31 - 1) : undefined;
    const replicationFactor = ctx.flags.has("replication") ? ctx.flags.int("replication", -1, 1, 32767) : undefined;
    const configs = Object.fromEntries(ctx.flags.list("config").map((c) => parseKeyValue(c, "-c")));
    const admin = await ctx.adminClient();
    try {
      await admin.createTopics([{ name, partitions, replicationFactor, configs }], ctx.timeoutMs);
    } catch (e) {
      if (isKafkaError(e, ErrorCode.TOPIC_ALREADY_EXISTS)) {
        throw new ToolFailure(`topic '${name}' already exists (TOPIC_ALREADY_EXISTS)`);
      }
      throw new ToolFailure(describeFailure(`cannot create topic '${name}'`, e));
    }
    const shown = {
      name,
      partitions: partitions ?? "broker default",
      replicationFactor: replicationFactor ?? "broker default",
      configs,
    };
    ctx.emit(shown, () => `Created topic '${name}'.\n`, json);
  },
};

const list: ToolCommand = {
  path: ["topic", "list"],
  summary: "List topics with their partition counts and sizes on disk",
  usage: "[--internal]",
  args: [0, 0],
  flags: [{ name: "internal", short: "i", type: "boolean", help: "Include internal topics (__consumer_offsets)" }],
  async run(ctx) {
    const admin = await ctx.adminClient();
    const names = await admin.listTopics(ctx.flags.bool("internal"));
    const infos = names.length > 0 ? await admin.describeTopics(names) : [];
    const sizes = names.length > 0 ? await sizesOf(admin, names) : null;
    const rows = infos.map((t) => ({
      name: t.name,
      partitions: t.partitions.length,
      replicas: t.partitions[0]?.replicas.length ?? 0,
      internal: t.isInternal,
      sizeBytes: sizes?.get(t.name)?.size ?? null,
    }));
    ctx.emit(
      rows,
      () =>
        table(
          ["NAME", "PARTITIONS", "REPLICAS", "SIZE"],
          rows.map((r) => [r.name, r.partitions, r.replicas, r.sizeBytes === null ? null : humanBytes(r.sizeBytes)]),
        ),
      json,
    );
  },
};

const describe: ToolCommand = {
  path: ["topic", "describe"],
  summary: "Show partitions (leader, offsets) and the configs set on a topic",
  usage: "NAME... [--all-configs]",
  argsName: "topic name",
  args: [1, Infinity],
  flags: [{ name: "all-configs", short: "a", type: "boolean", help: "Show every config with its source" }],
  async run(ctx) {
    const names = ctx.flags.positionals;
    const admin = await ctx.adminClient();
    await requireTopics(admin, names);
    const out: Awaited<ReturnType<typeof describeOne>>[] = [];
    for (const name of names) out.push(await describeOne(admin, name, ctx.flags.bool("all-configs")));
    ctx.emit(out, () => out.map(describeText).join("\n"), json);
  },
};

async function describeOne(admin: Admin, name: string, allConfigs: boolean) {
  const [info] = await admin.describeTopics([name]);
  const tps = info.partitions.map((p) => ({ topic: name, partition: p.partition }));
  const [low, high] = await Promise.all([
    admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "earliest" as const }))),
    admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const }))),
  ]);
  const size = (await sizesOf(admin, [name]))?.get(name) ?? null;
  const partSize = new Map(size?.partitions.map((p) => [p.partition, p.size]));
  const configs = (await admin.describeConfigs(ResourceType.TOPIC, name))
    .filter((c) => allConfigs || c.source === 1)
    .map((c) => ({
      name: c.name,
      value: c.isSensitive ? "(secret)" : c.value,
      source: CONFIG_SOURCES[c.source] ?? String(c.source),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    name,
    topicId: info.topicId,
    internal: info.isInternal,
    sizeBytes: size?.size ?? null,
    partitions: info.partitions.map((p, i) => ({
      partition: p.partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
      lowOffset: low[i].offset,
      highOffset: high[i].offset,
      sizeBytes: size ? partSize.get(p.partition) ?? 0n : null,
    })),
    configs,
  };
}

function describeText(t: Awaited<ReturnType<typeof describeOne>>): string {
  const head = fields([
    ["name", t.name],
    ["id", t.topicId],
    ["partitions", t.partitions.length],
    ["replication", t.partitions[0]?.replicas.length ?? 0],
    ["internal", t.internal ? "yes" : "no"],
    ["size", t.sizeBytes === null ? null : humanBytes(t.sizeBytes)],
  ]);
  const parts = table(
    ["PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "LOW", "HIGH", "SIZE"],
    t.partitions.map((p) => [
      p.partition,
      p.leader,
      p.leaderEpoch,
      p.replicas.join(","),
      p.isr.join(","),
      p.lowOffset,
      p.highOffset,
      p.sizeBytes === null ? null : humanBytes(p.sizeBytes),
    ]),
  );
  const configs = t.configs.length === 0
    ? "Configs: none set on the topic (all defaults)\n"
    : table(["CONFIG", "VALUE", "SOURCE"], t.configs.map((c) => [c.name, c.value, c.source]));
  return `${head}\n${parts}\n${configs}`;
}

const remove: ToolCommand = {
  path: ["topic", "delete"],
  summary: "Delete topics and their records",
  usage: "NAME...",
  argsName: "topic name",
  args: [1, Infinity],
  flags: [],
  async run(ctx) {
    const names = ctx.flags.positionals;
    const admin = await ctx.adminClient();
    await requireTopics(admin, names);
    try {
      await admin.deleteTopics(names, ctx.timeoutMs);
    } catch (e) {
      throw new ToolFailure(describeFailure(`cannot delete ${names.map((n) => `'${n}'`).join(", ")}`, e));
    }
    ctx.emit({ deleted: names }, () => names.map((n) => `Deleted topic '${n}'.\n`).join(""), json);
  },
};

const alterConfig: ToolCommand = {
  path: ["topic", "alter-config"],
  summary: "Set or remove configs of a topic",
  usage: "NAME [--set key=value]... [--delete key]...",
  argsName: "topic name",
  args: [1, 1],
  flags: [
    { name: "set", short: "s", type: "list", arg: "k=v", help: "Set a config on the topic" },
    { name: "delete", short: "d", type: "list", arg: "KEY", help: "Remove a config (back to the broker's default)" },
  ],
  notes: "Example:\n  tsbroker topic alter-config events --set retention.ms=3600000 --delete cleanup.policy",
  async run(ctx) {
    const [name] = ctx.flags.positionals;
    const sets = ctx.flags.list("set").map((s) => parseKeyValue(s, "--set"));
    const deletes = ctx.flags.list("delete");
    if (sets.length + deletes.length === 0) {
      throw new UsageError("nothing to change: give --set key=value or --delete key");
    }
    const admin = await ctx.adminClient();
    await requireTopics(admin, [name]);
    try {
      await admin.alterConfigs(ResourceType.TOPIC, name, [
        ...sets.map(([k, v]) => ({ name: k, op: "set" as const, value: v })),
        ...deletes.map((k) => ({ name: k, op: "delete" as const })),
      ]);
    } catch (e) {
      throw new ToolFailure(describeFailure(`cannot change the configs of topic '${name}'`, e));
    }
    const changes = [...sets.map(([k, v]) => `set ${k}=${v}`), ...deletes.map((k) => `removed ${k}`)];
    ctx.emit(
      { topic: name, set: Object.fromEntries(sets), deleted: deletes },
      () => `Updated topic '${name}': ${changes.join(", ")}.\n`,
      json,
    );
  },
};

export const topicCommands: ToolCommand[] = [create, list, describe, remove, alterConfig];

/** Parses a partition number given on the command line. */
export function parsePartition(raw: string, what = "-p"): number {
  return parseInteger(raw, what, 0, 2 ** 31 - 1);
}

export type { ToolContext };
