/**
 * DescribeProducers (key 61), v0 (flexible; KIP-664).
 *
 * The active idempotent producers of each partition asked for — id, epoch,
 * last sequence and timestamp; coordinator epoch and transaction start
 * offset stay -1 as tsbroker has no transactions — read by the partition's
 * owner from its producer state (a "describeProducers" partition op, split
 * and joined like ListOffsets). Errors per partition, as Kafka 4.4 words
 * them: an invalid topic name is INVALID_TOPIC_EXCEPTION with Kafka's
 * message, an unknown topic UNKNOWN_TOPIC_OR_PARTITION "This server does not
 * host this topic-partition.", an unknown partition of a known topic the
 * same code without a message. A partition named twice is answered twice.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { topicNameProblem } from "../../cluster/topic_name.ts";
import type { PartitionRef } from "../../replica/partition_ops.ts";
import type { ProducerStatesAnswer } from "../../replica/producer_states.ts";
import {
  decodeDescribeProducersRequest,
  type DescribeProducersRequest,
  type DescribeProducersResponse,
  encodeDescribeProducersResponse,
  type PartitionResponse,
} from "../../protocol/generated/describe_producers.ts";
import { topicAllowed } from "../services/acl_rules.ts";

export const describeProducersHandler = defineApi<DescribeProducersRequest, DescribeProducersResponse>({
  apiKey: 61,
  name: "DescribeProducers",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeDescribeProducersRequest,
  encodeResponse: encodeDescribeProducersResponse,
  async handle(request, ctx) {
    const { metadata } = ctx.broker;
    const items: PartitionRef[] = [];
    const slots = request.topics.map((topic) => {
      const image = metadata.byName.get(topic.name);
      const nameProblem = image ? null : topicNameProblem(topic.name);
      const authorized = topicAllowed(ctx, topic.name);
      return topic.partitionIndexes.map((partition): number | ProducerStatesAnswer => {
        if (!authorized) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null);
        if (nameProblem !== null) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
        if (!image) {
          return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        }
        if (partition < 0 || partition >= image.partitions) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
        items.push({ topicId: image.topicId, partition });
        return items.length - 1;
      });
    });
    const answers = items.length > 0 ? await ctx.broker.partitions.run({ op: "describeProducers", items }) : [];
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic, t) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((partitionIndex, i) => {
          const slot = slots[t][i];
          return toResponse(partitionIndex, typeof slot === "number" ? answers[slot] : slot);
        }),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((p) => toResponse(p, failed(errorCode, null))),
      })),
    };
  },
});

function failed(errorCode: number, errorMessage: string | null): ProducerStatesAnswer {
  return { errorCode, errorMessage, producers: [] };
}

function toResponse(partitionIndex: number, a: ProducerStatesAnswer): PartitionResponse {
  return {
    partitionIndex,
    errorCode: a.errorCode,
    errorMessage: a.errorMessage,
    activeProducers: a.producers.map((p) => ({
      producerId: p.producerId,
      producerEpoch: p.epoch,
      lastSequence: p.lastSequence,
      lastTimestamp: p.lastTimestamp,
      coordinatorEpoch: p.coordinatorEpoch,
      currentTxnStartOffset: p.currentTxnStartOffset,
    })),
  };
}
