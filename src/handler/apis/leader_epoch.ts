/**
 * Kafka's check of a client's currentLeaderEpoch (KIP-320) against the
 * leader's: -1 (NO_PARTITION_LEADER_EPOCH) skips it; newer than ours is
 * UNKNOWN_LEADER_EPOCH (the client saw metadata we have not), older — other
 * negative values included, as in Kafka's Partition — is FENCED_LEADER_EPOCH.
 * Fetch maps every negative epoch to -1 first, as Kafka's fetch path does.
 */
import { ErrorCode } from "../../protocol/errors.ts";
import { LEADER_EPOCH } from "../../replica/local_partition.ts";

export function leaderEpochError(currentLeaderEpoch: number): number {
  if (currentLeaderEpoch === -1 || currentLeaderEpoch === LEADER_EPOCH) return ErrorCode.NONE;
  return currentLeaderEpoch > LEADER_EPOCH ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH;
}
