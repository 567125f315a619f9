/**
 * Kafka's check of a client's currentLeaderEpoch (KIP-320) against the
 * leader's: -1 skips it; newer than ours is UNKNOWN_LEADER_EPOCH (the client
 * saw metadata we have not), older is FENCED_LEADER_EPOCH.
 */
import { ErrorCode } from "../protocol/errors.ts";
import { LEADER_EPOCH } from "../server/local_partition.ts";

export function leaderEpochError(currentLeaderEpoch: number): number {
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === LEADER_EPOCH) return ErrorCode.NONE;
  return currentLeaderEpoch > LEADER_EPOCH ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH;
}
