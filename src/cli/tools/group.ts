/**
 * `tsbroker group list|describe|delete|seek`. `describe` shows each partition the group has committed or
 * is assigned, with its lag (the partition's end offset minus the committed offset). `seek` resets
 * committed offsets as kafka-consumer-groups --reset-offsets does: only while the group has no members
 * (a running consumer would overwrite them with its next commit, and the coordinator refuses commits from
 * outside a live generation anyway), clamped to the partition's offsets, previewed with --dry-run.
 */
import type { Admin, AnyGroupDescription } from "../../client/admin.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { ToolCommand } from "./command.ts";
import { describeFailure, isKafkaError, type ToolContext, ToolFailure } from "./context.ts";
import { parseInteger, UsageError } from "./flags.ts";
import { fields, json, table } from "./output.ts";
import { requireTopics } from "./topic.ts";

const list: ToolCommand = {
  path: ["group", "list"],
  summary: "List consumer groups and their states",
  usage: "",
  args: [0, 0],
  flags: [],
  async run(ctx) {
    const groups = await (await ctx.adminClient()).listGroups();
    ctx.emit(
      groups,
      () => table(["GROUP", "STATE", "TYPE"], groups.map((g) => [g.groupId, g.state, g.type || g.protocolType])),
      json,
    );
  },
};

/** The group's description (classic or KIP-848), or null when the coordinator does not know it. */
async function describeGroup(admin: Admin, groupId: string): Promise<AnyGroupDescription | null> {
  const [g] = await admin.describeGroupsAnyType([groupId]);
  return g.state === "Dead" ? null : g;
}

const describe: ToolCommand = {
  path: ["group", "describe"],
  summary: "Show a group's members and, per partition, committed offset, end offset and lag",
  usage: "GROUP",
  argsName: "group id",
  args: [1, 1],
  flags: [],
  async run(ctx) {
    const [groupId] = ctx.flags.positionals;
    const admin = await ctx.adminClient();
    const group = await describeGroup(admin, groupId);
    const committed = await admin.listGroupOffsets(groupId);
    if (!group && committed.length === 0) {
      throw new ToolFailure(`group '${groupId}' does not exist (GROUP_ID_NOT_FOUND)`);
    }
    const owner = new Map<string, { memberId: string; clientId: string; clientHost: string }>();
    for (const m of group?.members ?? []) for (const tp of m.assignment) owner.set(`${tp.topic}:${tp.partition}`, m);
    const keys = new Map(committed.map((c) => [`${c.topic}:${c.partition}`, c]));
    for (const key of owner.keys()) {
      if (!keys.has(key)) {
        const at = key.lastIndexOf(":");
        keys.set(key, { topic: key.slice(0, at), partition: Number(key.slice(at + 1)), offset: -1n });
      }
    }
    const tps = [...keys.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const ends = tps.length > 0 ? await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const }))) : [];
    const offsets = tps.map((tp, i) => {
      const m = owner.get(`${tp.topic}:${tp.partition}`);
      return {
        topic: tp.topic,
        partition: tp.partition,
        committed: tp.offset >= 0n ? tp.offset : null,
        end: ends[i].offset,
        lag: tp.offset >= 0n ? ends[i].offset - tp.offset : null,
        memberId: m?.memberId ?? null,
        clientId: m?.clientId ?? null,
        host: m?.clientHost ?? null,
      };
    });
    const out = {
      groupId,
      state: group?.state ?? "Empty",
      type: group?.type ?? "classic",
      protocol: group?.protocol ?? "",
      members: group?.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment: m.assignment,
      })) ?? [],
      totalLag: offsets.reduce((sum, o) => sum + (o.lag ?? 0n), 0n),
      offsets,
    };
    ctx.emit(
      out,
      () =>
        fields([["group", groupId], ["state", out.state], ["type", out.type], ["protocol", out.protocol || null], [
          "members",
          out.members.length,
        ], ["total lag", out.totalLag]]) +
        "\n" + (offsets.length === 0 ? "No committed offsets and no assigned partitions.\n" : table(
          ["TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "MEMBER", "CLIENT", "HOST"],
          offsets.map((o) => [o.topic, o.partition, o.committed, o.end, o.lag, o.memberId, o.clientId, o.host]),
        )),
      json,
    );
  },
};

const remove: ToolCommand = {
  path: ["group", "delete"],
  summary: "Delete groups and their committed offsets (only groups without members)",
  usage: "GROUP...",
  argsName: "group id",
  args: [1, Infinity],
  flags: [],
  async run(ctx) {
    const admin = await ctx.adminClient();
    for (const groupId of ctx.flags.positionals) {
      try {
        await admin.deleteGroups([groupId]);
      } catch (e) {
        if (isKafkaError(e, ErrorCode.NON_EMPTY_GROUP)) {
          throw new ToolFailure(`group '${groupId}' has active members; stop its consumers first (NON_EMPTY_GROUP)`);
        }
        if (isKafkaError(e, ErrorCode.GROUP_ID_NOT_FOUND)) {
          throw new ToolFailure(`group '${groupId}' does not exist (GROUP_ID_NOT_FOUND)`);
        }
        throw new ToolFailure(describeFailure(`cannot delete group '${groupId}'`, e));
      }
      if (ctx.format === "table") ctx.io.out(`Deleted group '${groupId}'.\n`);
    }
    if (ctx.format === "json") ctx.io.out(json({ deleted: ctx.flags.positionals }));
  },
};

type Target = { kind: "earliest" } | { kind: "latest" } | { kind: "offset"; offset: bigint } | {
  kind: "time";
  ms: number;
};

function parseTarget(raw: string | undefined): Target {
  if (raw === undefined) throw new UsageError("--to is required: earliest, latest, an offset or @<timestamp ms>");
  if (raw === "earliest" || raw === "beginning") return { kind: "earliest" };
  if (raw === "latest" || raw === "end") return { kind: "latest" };
  if (raw.startsWith("@")) return { kind: "time", ms: parseInteger(raw.slice(1), "--to @<timestamp ms>") };
  if (/^\d+$/.test(raw)) return { kind: "offset", offset: BigInt(raw) };
  throw new UsageError(`--to takes earliest, latest, an offset or @<timestamp ms> (got "${raw}")`);
}

/** `--topic events` (every partition) or `--topic events:0,2`. */
function parseTopicArg(raw: string): { topic: string; partitions: number[] | null } {
  const at = raw.lastIndexOf(":");
  if (at < 0) return { topic: raw, partitions: null };
  const parts = raw.slice(at + 1).split(",").map((p) => parseInteger(p, `--topic ${raw}: partition`, 0, 2 ** 31 - 1));
  return { topic: raw.slice(0, at), partitions: parts };
}

const seek: ToolCommand = {
  path: ["group", "seek"],
  summary: "Reset a group's committed offsets (the group must have no members)",
  usage: "GROUP --topic TOPIC[:P,P...]... --to earliest|latest|OFFSET|@MS [--dry-run]",
  argsName: "group id",
  args: [1, 1],
  flags: [
    { name: "topic", short: "t", type: "list", arg: "T[:P,..]", help: "A topic (or some of its partitions)" },
    {
      name: "to",
      type: "string",
      arg: "WHERE",
      help: "earliest, latest, an offset, or @MS (first record at or after)",
    },
    { name: "dry-run", type: "boolean", help: "Show the new offsets without changing them" },
  ],
  notes: "Example:\n  tsbroker group seek readers --topic events --to @1767225600000 --dry-run",
  async run(ctx) {
    const [groupId] = ctx.flags.positionals;
    const target = parseTarget(ctx.flags.string("to"));
    const topicArgs = ctx.flags.list("topic").map(parseTopicArg);
    if (topicArgs.length === 0) throw new UsageError("--topic is required: the topic whose offsets to reset");
    const admin = await ctx.adminClient();
    const group = await describeGroup(admin, groupId);
    if (group && group.members.length > 0) {
      throw new ToolFailure(
        `group '${groupId}' has ${group.members.length} active member${group.members.length === 1 ? "" : "s"} ` +
          `(state ${group.state}); offsets can be reset only while no consumer is in the group: stop them and try again`,
      );
    }
    await requireTopics(admin, topicArgs.map((t) => t.topic));
    const tps: { topic: string; partition: number }[] = [];
    for (const { topic, partitions } of topicArgs) {
      const [info] = await admin.describeTopics([topic]);
      for (const p of partitions ?? info.partitions.map((x) => x.partition)) {
        if (p >= info.partitions.length) {
          throw new ToolFailure(`topic '${topic}' has no partition ${p} (UNKNOWN_TOPIC_OR_PARTITION)`);
        }
        tps.push({ topic, partition: p });
      }
    }
    const plan = await planSeek(admin, groupId, tps, target);
    if (!ctx.flags.bool("dry-run")) {
      try {
        await admin.alterGroupOffsets(
          groupId,
          plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.newOffset })),
        );
      } catch (e) {
        throw new ToolFailure(describeFailure(`cannot reset the offsets of group '${groupId}'`, e));
      }
    }
    const dry = ctx.flags.bool("dry-run");
    ctx.emit(
      { groupId, dryRun: dry, offsets: plan },
      () =>
        table(
          ["TOPIC", "PARTITION", "CURRENT", "NEW"],
          plan.map((p) => [p.topic, p.partition, p.currentOffset, p.newOffset]),
        ) +
        (dry
          ? "Dry run: nothing changed (run again without --dry-run to apply).\n"
          : `Reset the offsets of group '${groupId}'.\n`),
      json,
    );
  },
};

/** Current and new offset of each partition, the new one clamped to the partition's low and high offsets. */
async function planSeek(admin: Admin, groupId: string, tps: { topic: string; partition: number }[], target: Target) {
  const current = new Map((await admin.listGroupOffsets(groupId)).map((c) => [`${c.topic}:${c.partition}`, c.offset]));
  const low = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "earliest" as const })));
  const high = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const })));
  const byTime = target.kind === "time" ? await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: target.ms }))) : [];
  return tps.map((tp, i) => {
    let offset: bigint;
    if (target.kind === "earliest") offset = low[i].offset;
    else if (target.kind === "latest") offset = high[i].offset;
    else if (target.kind === "time") offset = byTime[i].offset >= 0n ? byTime[i].offset : high[i].offset;
    else {offset = target.offset < low[i].offset
        ? low[i].offset
        : target.offset > high[i].offset
        ? high[i].offset
        : target.offset;}
    return { ...tp, currentOffset: current.get(`${tp.topic}:${tp.partition}`) ?? null, newOffset: offset };
  });
}

export const groupCommands: ToolCommand[] = [list, describe, remove, seek];

export type { ToolContext };
