/**
 * Pieces shared by the group API files (JoinGroup … ConsumerGroupDescribe):
 * the way requests naming many groups reach the coordinators, the client
 * host as Kafka shows it,
 * the topic/partition existence check Kafka's KafkaApis does before offsets
 * reach the coordinator, and the authorized-operations answer of the
 * describe APIs.
 */
import type { RequestContext } from "./api.ts";
import type { GroupOp, GroupOpResults, GroupOutcome } from "../../group/group_ops.ts";

/** Kafka's "not requested" value of the authorizedOperations fields (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * The member's host as Kafka records it: `InetAddress.toString()` of the
 * connection's peer, which is "/" + the address when no host name was
 * looked up (e.g. "/127.0.0.1"). `clientAddress` is "ip:port"; IPv4-mapped
 * IPv6 addresses are shown as IPv4, as Java does.
 */
export function clientHost(clientAddress: string): string {
  const colon = clientAddress.lastIndexOf(":");
  let host = colon >= 0 ? clientAddress.slice(0, colon) : clientAddress;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return "/" + (mapped ? mapped[1] : host);
}

/** KafkaApis' check before offsets go to the coordinator: the topic exists and has the partition. */
export function partitionExists(ctx: RequestContext, topic: string, partition: number): boolean {
  const image = ctx.broker.metadata.byName.get(topic);
  return image !== undefined && partition >= 0 && partition < image.partitions;
}

/** Kafka's isGroupIdNotEmpty, applied where its GroupCoordinatorService answers INVALID_GROUP_ID. */
export function isEmptyGroupId(groupId: string | null): boolean {
  return groupId === null || groupId.length === 0;
}

/** A (topic, partition) key for matching coordinator answers to request entries. */
export function tpKey(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}

/** Groups of one request sent to the coordinators at a time (see answerEach). */
const GROUPS_PER_ROUND = 16384;

/**
 * One answer per item of a request naming many groups: each item's op goes to its coordinator through
 * GroupAccess.runEach (one batch per handler, not one message per group), a round of GROUPS_PER_ROUND
 * items at a time, so only one round's ops and coordinator results are alive at once besides the answers.
 */
export async function answerEach<T, K extends GroupOp["op"], R>(
  ctx: RequestContext,
  items: readonly T[],
  /** The ops' kind, which types their results. */
  _kind: K,
  opOf: (item: T) => Extract<GroupOp, { op: K }>,
  answer: (item: T, outcome: GroupOutcome<GroupOpResults[K]>) => R,
): Promise<R[]> {
  const answers = new Array<R>(items.length);
  for (let from = 0; from < items.length; from += GROUPS_PER_ROUND) {
    const round = items.slice(from, from + GROUPS_PER_ROUND);
    const outcomes = await ctx.broker.groups.runEach(round.map(opOf)) as GroupOutcome<GroupOpResults[K]>[];
    round.forEach((item, k) => answers[from + k] = answer(item, outcomes[k]));
  }
  return answers;
}
