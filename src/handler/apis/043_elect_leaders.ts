/**
 * ElectLeaders (key 43), v0–v2 (v2 is flexible; v1 adds the election type
 * and a top-level error code; v0 always asks for preferred elections).
 *
 * Every partition has one replica, this node, which leads it already: a
 * preferred (0) or unclean (1) election is never needed, so each partition
 * asked for is answered ELECTION_NOT_NEEDED with Kafka's message, a
 * partition named twice twice. Unknown topics and partitions are
 * UNKNOWN_TOPIC_OR_PARTITION, worded as Kafka's controller words them. A null
 * topic list asks for every partition: Kafka's controller then reports only
 * the partitions whose leader changed, so each topic is listed with no
 * results. Any other election type fails the request with INVALID_REQUEST,
 * repeated on every partition asked for (none for a null list); an empty
 * list is answered empty whatever the type, as Kafka does.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeElectLeadersRequest,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
  encodeElectLeadersResponse,
  type PartitionResult,
  type ReplicaElectionResult,
} from "../../protocol/generated/elect_leaders.ts";
import { requireCluster } from "../services/acl_rules.ts";

const PREFERRED = 0;
const UNCLEAN = 1;

export const electLeadersHandler = defineApi<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  name: "ElectLeaders",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeElectLeadersRequest,
  encodeResponse: encodeElectLeadersResponse,
  handle(request, ctx) {
    requireCluster(ctx);
    const { metadata } = ctx.broker;
    if (request.topicPartitions !== null && request.topicPartitions.length === 0) return answer(ErrorCode.NONE, []);
    if (request.electionType !== PREFERRED && request.electionType !== UNCLEAN) {
      return failedAll(request, ErrorCode.INVALID_REQUEST, `Unknown election type ${request.electionType}`);
    }
    if (request.topicPartitions === null) {
      return answer(ErrorCode.NONE, metadata.image.topics.map((t) => ({ topic: t.name, partitionResult: [] })));
    }
    return answer(
      ErrorCode.NONE,
      request.topicPartitions.map((tp) => {
        const topic = metadata.byName.get(tp.topic);
        return {
          topic: tp.topic,
          partitionResult: tp.partitions.map((partitionId): PartitionResult => {
            if (!topic) {
              return result(partitionId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${tp.topic}`);
            }
            if (partitionId < 0 || partitionId >= topic.partitions) {
              return result(
                partitionId,
                ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                `No such partition as ${tp.topic}-${partitionId}`,
              );
            }
            return result(
              partitionId,
              ErrorCode.ELECTION_NOT_NEEDED,
              "Leader election not needed for topic partition.",
            );
          }),
        };
      }),
    );
  },
  errorResponse(request, _ctx, errorCode) {
    return failedAll(request, errorCode, null);
  },
});

function answer(errorCode: number, replicaElectionResults: ReplicaElectionResult[]): ElectLeadersResponse {
  return { throttleTimeMs: 0, errorCode, replicaElectionResults };
}

function result(partitionId: number, errorCode: number, errorMessage: string | null): PartitionResult {
  return { partitionId, errorCode, errorMessage };
}

/** Kafka's whole-request error: the top-level code, and the same on every partition asked for. */
function failedAll(request: ElectLeadersRequest, errorCode: number, message: string | null): ElectLeadersResponse {
  return answer(
    errorCode,
    (request.topicPartitions ?? []).map((tp) => ({
      topic: tp.topic,
      partitionResult: tp.partitions.map((p) => result(p, errorCode, message)),
    })),
  );
}
