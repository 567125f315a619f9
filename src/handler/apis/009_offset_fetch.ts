/**
 * OffsetFetch (key 9), v0–v9: a group's committed offsets, for the given
 * partitions or (topics null, v2+) for every partition it has committed.
 * A partition with nothing committed answers offset -1 and no error.
 *
 * Versions: v0 read ZooKeeper in Kafka; here it reads the same store as
 * the other versions, keeping its ZooKeeper-era rule that a topic or
 * partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION; v1 is the
 * same as v0; v2 adds a top-level error code and null topics = all (before
 * v2, a group-level error is put on every requested partition, as Kafka's
 * error responses do); v3 throttle time; v5 the leader epoch; v6 is
 * flexible; v7 requireStable (a partition with an offset committed in a
 * transaction still open answers UNSTABLE_OFFSET_COMMIT and offset -1, per
 * partition as Kafka does, so the consumer waits and asks again; without it
 * such offsets are simply not visible yet); v8 asks for
 * several groups at once — sent to their coordinators in one batch per
 * handler, answered in request order, each with its own error; v9 adds the KIP-848 member id and epoch, checked
 * by the coordinator.
 */
import { defineApi } from "./api.ts";
import type { RequestContext } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeOffsetFetchRequest,
  encodeOffsetFetchResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type OffsetFetchResponseGroup,
} from "../../protocol/generated/offset_fetch.ts";
import type { FetchOffsetsArgs, FetchOffsetsResult } from "../../group/group_ops.ts";
import { answerEach, partitionExists, tpKey } from "./group_common.ts";
import { ApiError } from "./api.ts";
import { groupAllowed, topicAllowed } from "../services/acl_rules.ts";

/** One group's part of the request, the same shape at every version. */
interface GroupFetch {
  groupId: string;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
  memberId: string | null;
  memberEpoch: number;
  requireStable: boolean;
}

type Partition = OffsetFetchResponseGroup["topics"][number]["partitions"][number];

export const offsetFetchHandler = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  name: "OffsetFetch",
  minVersion: 0,
  maxVersion: 9,
  decodeRequest: decodeOffsetFetchRequest,
  encodeResponse: encodeOffsetFetchResponse,
  async handle(request, ctx) {
    const all = groupsOfRequest(request, ctx.apiVersion);
    // ACL_RULES: DESCRIBE on each group (GROUP_AUTHORIZATION_FAILED for that group alone, never asked).
    const allowedGroups = all.map((g) => groupAllowed(ctx, g.groupId));
    if (all.length === 1 && !allowedGroups[0]) throw new ApiError(ErrorCode.GROUP_AUTHORIZATION_FAILED, "group");
    const wanted = all.filter((_, i) => allowedGroups[i]).map((g) => ({ g, asked: askedTopics(g, ctx) }));
    // v0 (one group) asking only for partitions that do not exist has nothing to ask the coordinator.
    if (wanted.length === 1 && wanted[0].asked === SKIP) {
      return response(ctx.apiVersion, [answerGroup(wanted[0].g, { errorCode: ErrorCode.NONE, topics: [] }, ctx)]);
    }
    const answered = await answerEach(
      ctx,
      wanted,
      "fetchOffsets",
      ({ g, asked }) => ({
        op: "fetchOffsets",
        args: {
          groupId: g.groupId,
          topics: asked as Topics,
          memberId: g.memberId,
          memberEpoch: g.memberEpoch,
          requireStable: g.requireStable,
        },
      }),
      ({ g }, outcome) => "errorCode" in outcome ? failedGroup(g, outcome.errorCode) : answerGroup(g, outcome.ok, ctx),
    );
    let next = 0;
    const groups = all.map((g, i) =>
      allowedGroups[i] ? answered[next++] : failedGroup(g, ErrorCode.GROUP_AUTHORIZATION_FAILED)
    );
    return response(ctx.apiVersion, groups);
  },
  errorResponse(request, ctx, errorCode) {
    const groups = groupsOfRequest(request, ctx.apiVersion).map((g) => failedGroup(g, errorCode));
    return response(ctx.apiVersion, groups);
  },
});

/** Kafka's OffsetFetchRequest.groups(): before v8 the single group of the top-level fields. */
function groupsOfRequest(request: OffsetFetchRequest, version: number): GroupFetch[] {
  const requireStable = version >= 7 && request.requireStable;
  if (version >= 8) {
    return request.groups.map((g) => ({
      groupId: g.groupId,
      topics: g.topics,
      memberId: version >= 9 ? g.memberId : null,
      memberEpoch: version >= 9 ? g.memberEpoch : -1,
      requireStable,
    }));
  }
  return [{ groupId: request.groupId, topics: request.topics, memberId: null, memberEpoch: -1, requireStable }];
}

type Topics = FetchOffsetsArgs["topics"];

/** Marks a v0 group whose partitions all do not exist: nothing to ask the coordinator. */
const SKIP = Symbol("skip");

/** The topics to ask the coordinator about (null = all); v0 leaves out partitions that do not exist. */
function askedTopics(g: GroupFetch, ctx: RequestContext): Topics | typeof SKIP {
  if (g.topics === null) return null;
  const v0 = ctx.apiVersion === 0;
  const topics = g.topics
    .filter((t) => topicAllowed(ctx, t.name))
    .map((t) => ({ name: t.name, partitions: t.partitionIndexes.filter((p) => known(ctx, t.name, p)) }))
    .filter((t) => t.partitions.length > 0);
  return v0 && topics.length === 0 ? SKIP : topics;
}

function known(ctx: RequestContext, topic: string, partition: number): boolean {
  return ctx.apiVersion !== 0 || partitionExists(ctx, topic, partition);
}

function answerGroup(g: GroupFetch, result: FetchOffsetsResult, ctx: RequestContext): OffsetFetchResponseGroup {
  if (result.errorCode !== ErrorCode.NONE) return failedGroup(g, result.errorCode);
  const answered = result.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): Partition => ({
      partitionIndex: p.partition,
      committedOffset: p.offset,
      committedLeaderEpoch: p.leaderEpoch,
      metadata: p.metadata ?? "",
      errorCode: p.errorCode,
    })),
  }));
  if (g.topics === null) {
    // All topics: the ones the principal may not describe are left out, as Kafka does.
    return { groupId: g.groupId, errorCode: ErrorCode.NONE, topics: answered.filter((t) => topicAllowed(ctx, t.name)) };
  }
  // Answer in the request's order; what the coordinator did not answer has nothing committed.
  const byKey = new Map<string, Partition>();
  for (const t of answered) for (const p of t.partitions) byKey.set(tpKey(t.name, p.partitionIndex), p);
  return {
    groupId: g.groupId,
    errorCode: ErrorCode.NONE,
    topics: g.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) =>
        !topicAllowed(ctx, t.name)
          ? noOffset(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
          : !known(ctx, t.name, p)
          ? noOffset(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          : byKey.get(tpKey(t.name, p)) ?? noOffset(p, ErrorCode.NONE)
      ),
    })),
  };
}

function noOffset(partitionIndex: number, errorCode: number): Partition {
  return { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: "", errorCode };
}

/** A group-level error: with every requested partition carrying it (what v0–v1 can show). */
function failedGroup(g: GroupFetch, errorCode: number): OffsetFetchResponseGroup {
  return {
    groupId: g.groupId,
    errorCode,
    topics: (g.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => noOffset(p, errorCode)),
    })),
  };
}

function response(version: number, groups: OffsetFetchResponseGroup[]): OffsetFetchResponse {
  if (version >= 8) {
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => (g.errorCode === ErrorCode.NONE ? g : { ...g, topics: [] })),
    };
  }
  const only = groups[0];
  return {
    throttleTimeMs: 0,
    // Before v2 there is no top-level error: it travels on the partitions.
    topics: version < 2 || only.errorCode === ErrorCode.NONE ? only.topics : [],
    errorCode: only.errorCode,
    groups: [],
  };
}
