/**
 * A consumer group as the console shows it: state, members with their
 * assignments, and per partition the committed offset, the end offset and
 * the lag between them, as `tsbroker group describe` computes them. The
 * Admin's describeGroupsAnyType picks DescribeGroups for classic groups and
 * ConsumerGroupDescribe for KIP-848 ones.
 */
import type { Admin, AnyGroupDescription } from "../../client/admin.ts";
import { HttpError } from "./http_error.ts";

type Member = AnyGroupDescription["members"][number];

export async function groupDetail(admin: Admin, groupId: string): Promise<unknown> {
  const group = await describe(admin, groupId);
  const committed = await admin.listGroupOffsets(groupId);
  if (!group && committed.length === 0) throw new HttpError(404, `group '${groupId}' does not exist`);
  const owner = new Map<string, Member>();
  for (const m of group?.members ?? []) for (const tp of m.assignment) owner.set(`${tp.topic}\0${tp.partition}`, m);
  const byKey = new Map(committed.map((c) => [`${c.topic}\0${c.partition}`, c]));
  for (const [key, m] of owner) {
    const tp = m.assignment.find((a) => `${a.topic}\0${a.partition}` === key)!;
    if (!byKey.has(key)) byKey.set(key, { topic: tp.topic, partition: tp.partition, offset: -1n });
  }
  const tps = [...byKey.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const ends = tps.length ? await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const }))) : [];
  const offsets = tps.map((tp, i) => ({
    topic: tp.topic,
    partition: tp.partition,
    committed: tp.offset >= 0n ? String(tp.offset) : null,
    end: String(ends[i].offset),
    lag: tp.offset >= 0n ? Number(ends[i].offset - tp.offset) : null,
    memberId: owner.get(`${tp.topic}\0${tp.partition}`)?.memberId ?? null,
  }));
  return {
    groupId,
    state: group?.state ?? "Empty",
    type: group?.type ?? "classic",
    protocol: group?.protocol ?? "",
    members: (group?.members ?? []).map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: m.assignment,
    })),
    totalLag: offsets.reduce((sum, o) => sum + (o.lag ?? 0), 0),
    offsets,
  };
}

async function describe(admin: Admin, groupId: string): Promise<AnyGroupDescription | null> {
  const [g] = await admin.describeGroupsAnyType([groupId]);
  return g.state === "Dead" ? null : g;
}
