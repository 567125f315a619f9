/**
 * AddPartitionsToTxn (key 24), v0–v5.
 *
 * Adds partitions to a producer's transaction at its coordinator
 * (txn_router.ts → TxnCoordinator.addPartitions): the first add starts the
 * transaction (Ongoing), written to `__transaction_state` before the answer.
 * As in Kafka's KafkaApis, partitions of topics that do not exist (or
 * indexes past their count) get UNKNOWN_TOPIC_OR_PARTITION and then nothing
 * is added: the others get OPERATION_NOT_ATTEMPTED. The coordinator's errors
 * apply to every partition: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * INVALID_PRODUCER_ID_MAPPING (unknown id or producer), PRODUCER_FENCED
 * (an older epoch), CONCURRENT_TRANSACTIONS (the previous transaction is
 * still completing), INVALID_REQUEST (an empty transactional id).
 *
 * Versions: v0–v3 carry one transaction and answer per topic; v2 lets the
 * client see PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below, as Kafka
 * answers); v3 is flexible. v4+ batch transactions (Kafka sends them between
 * brokers) and add verifyOnly (KIP-890 part 1): nothing is written, and each
 * partition answers whether it is in the transaction (TRANSACTION_ABORTABLE
 * when not); v5 changes only client handling.
 */
import { defineApi, type RequestContext } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnTopic,
  type AddPartitionsToTxnTopicResult,
  decodeAddPartitionsToTxnRequest,
  encodeAddPartitionsToTxnResponse,
} from "../../protocol/generated/add_partitions_to_txn.ts";
import { fencedErrorForVersion } from "../../txn/txn_effects.ts";
import type { TopicPartition } from "../../txn/txn_metadata.ts";
import { requireCluster, topicAllowed, transactionalIdAllowed } from "../services/acl_rules.ts";

const API_KEY = 24;

interface OneTxn {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: AddPartitionsToTxnTopic[];
}

export const addPartitionsToTxnHandler = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: API_KEY,
  name: "AddPartitionsToTxn",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeAddPartitionsToTxnRequest,
  encodeResponse: encodeAddPartitionsToTxnResponse,
  async handle(request, ctx) {
    if (ctx.apiVersion < 4) {
      const topics = await addOne(ctx, {
        transactionalId: request.v3AndBelowTransactionalId,
        producerId: request.v3AndBelowProducerId,
        producerEpoch: request.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: request.v3AndBelowTopics,
      });
      return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [], resultsByTopicV3AndBelow: topics };
    }
    // v4+ comes from brokers (KIP-890 verification): CLUSTER_ACTION, as ACL_RULES says.
    requireCluster(ctx);
    const results = await Promise.all(request.transactions.map((t) => addOne(ctx, t)));
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      resultsByTransaction: request.transactions.map((t, i) => ({
        transactionalId: t.transactionalId,
        topicResults: results[i],
      })),
      resultsByTopicV3AndBelow: [],
    };
  },
  errorResponse(request, ctx, errorCode) {
    if (ctx.apiVersion < 4) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow: uniform(request.v3AndBelowTopics, errorCode),
      };
    }
    return { throttleTimeMs: 0, errorCode, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
  },
});

async function addOne(ctx: RequestContext, t: OneTxn): Promise<AddPartitionsToTxnTopicResult[]> {
  const { metadata } = ctx.broker;
  // ACL_RULES: WRITE on the transactional id (every partition refused), then WRITE on each topic.
  if (!transactionalIdAllowed(ctx, t.transactionalId)) {
    return uniform(t.topics, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  const refusal = (name: string, p: number) => {
    if (!topicAllowed(ctx, name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    const topic = metadata.byName.get(name);
    return !topic || p < 0 || p >= topic.partitions ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : null;
  };
  if (t.topics.some((topic) => topic.partitions.some((p) => refusal(topic.name, p) !== null))) {
    return t.topics.map((topic) => ({
      name: topic.name,
      resultsByPartition: topic.partitions.map((p) => ({
        partitionIndex: p,
        partitionErrorCode: refusal(topic.name, p) ?? ErrorCode.OPERATION_NOT_ATTEMPTED,
      })),
    }));
  }
  const partitions: TopicPartition[] = t.topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({ topic: topic.name, partition }))
  );
  const answer = await ctx.broker.txns.run({
    kind: "addPartitions",
    transactionalId: t.transactionalId,
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    partitions,
    verifyOnly: t.verifyOnly,
  });
  const codes = new Map(answer.partitions.map((p) => [`${p.partition}\u0000${p.topic}`, p.errorCode]));
  return t.topics.map((topic) => ({
    name: topic.name,
    resultsByPartition: topic.partitions.map((p) => ({
      partitionIndex: p,
      partitionErrorCode: fencedErrorForVersion(
        codes.get(`${p}\u0000${topic.name}`) ?? answer.errorCode,
        API_KEY,
        ctx.apiVersion,
      ),
    })),
  }));
}

function uniform(topics: AddPartitionsToTxnTopic[], errorCode: number): AddPartitionsToTxnTopicResult[] {
  return topics.map((topic) => ({
    name: topic.name,
    resultsByPartition: topic.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorCode })),
  }));
}
