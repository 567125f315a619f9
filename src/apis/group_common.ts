/**
 * Pieces shared by the group API files (JoinGroup … ConsumerGroupDescribe):
 * the way to the group coordinators, the client host as Kafka shows it,
 * the topic/partition existence check Kafka's KafkaApis does before offsets
 * reach the coordinator, and the authorized-operations answer of the
 * describe APIs.
 */
import { ApiError, type RequestContext } from "./api.ts";

/** Kafka's "not requested" value of the authorizedOperations fields (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/**
 * What Kafka answers for a group when authorized operations are requested
 * and no authorizer is configured (AuthHelper.authorizedOperations): every
 * operation a group supports — READ (3), DELETE (6), DESCRIBE (8),
 * DESCRIBE_CONFIGS (10), ALTER_CONFIGS (11) — as bits of a 32-bit field.
 * This broker has no ACLs, so every principal is allowed all of them.
 */
export const GROUP_AUTHORIZED_OPERATIONS = [3, 6, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);

/**
 * One group's part of a request naming several (OffsetFetch v8+,
 * DescribeGroups, DeleteGroups, ConsumerGroupDescribe): a coordinator
 * failure of that group (an ApiError such as NOT_COORDINATOR or
 * COORDINATOR_LOAD_IN_PROGRESS) becomes that group's error, as Kafka
 * answers each group on its own; the other groups are unaffected.
 */
export async function perGroup<T>(run: () => Promise<T>, failed: (errorCode: number) => T): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiError) return failed(e.errorCode);
    throw e;
  }
}

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
