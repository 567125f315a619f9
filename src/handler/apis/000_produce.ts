/**
 * Produce (key 0), v0–v11.
 *
 * v3+ carry v2 record batches. v0–v2 carry legacy message sets (magic 0/1),
 * which are up-converted to one v2 batch with the producer's codec before
 * anything else, as Kafka 3.9 does (librdkafka only enables gzip, snappy
 * and lz4 when Produce v0 is offered, so these versions must be served).
 * zstd below v7 is UNSUPPORTED_COMPRESSION_TYPE.
 *
 * Each partition's records must be exactly one v2 batch (INVALID_RECORD
 * otherwise); the owner validates it (CORRUPT_MESSAGE, MESSAGE_TOO_LARGE,
 * INVALID_RECORD, INVALID_TIMESTAMP), checks idempotent-producer sequences
 * (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH; a duplicate gets
 * the original offsets and timestamp) and appends; as in Kafka, the errors of
 * the log itself (all but CORRUPT_MESSAGE, MESSAGE_TOO_LARGE and the
 * request-shape checks) carry the log start offset. Unknown topics and partitions are
 * UNKNOWN_TOPIC_OR_PARTITION (Produce never auto-creates; Metadata does),
 * Kafka's internal topics INVALID_TOPIC_EXCEPTION, acks outside {-1, 0, 1}
 * INVALID_REQUIRED_ACKS. acks=all waits for fdatasync in durable mode
 * (`tsbroker.fsync.acks.all`): once appended, the request releases its
 * connection, so the producer's next request is appended while this one
 * waits for its sync, and both share a group commit; answers still leave in
 * request order. acks=0 gets no response, and a failure then closes the
 * connection, as Kafka does.
 *
 * Transactional batches (KIP-890 part 1): a batch opening the producer's
 * transaction at a partition is checked with the transaction coordinator
 * first (src/handler/services/txn_verification.ts, which also says the errors); with
 * transaction.partition.verification.enable=false it is appended as it
 * comes. A transactional batch in a request without a transactionalId fails
 * the whole request with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka
 * answers.
 *
 * Versions: v5 adds logStartOffset, v8 recordErrors and errorMessage, v9 is
 * flexible, v10 adds the (tagged) leader hints used only for
 * NOT_LEADER_OR_FOLLOWER, v11 changes nothing on the broker side.
 */
import { CloseConnection, defineApi, NO_RESPONSE, type RequestContext } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeProduceRequest,
  encodeProduceResponse,
  type PartitionProduceResponse,
  type ProduceRequest,
  type ProduceResponse,
} from "../../protocol/generated/produce.ts";
import type { ProduceItem, ProduceOutcome } from "../../replica/partition_ops.ts";
import { failed } from "../../replica/local_partition.ts";
import {
  ATTRIBUTES_OFFSET,
  COMPRESSION_MASK,
  CompressionType,
  MAGIC_OFFSET,
  TRANSACTIONAL_MASK,
} from "../../log/record_batch.ts";
import { verifyAndResend } from "../services/txn_verification.ts";
import { upConvertMessageSet } from "../../log/legacy_message_set.ts";
import { topicAllowed, transactionalIdAllowed } from "../services/acl_rules.ts";

const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };

export const produceHandler = defineApi<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  name: "Produce",
  minVersion: 0,
  maxVersion: 11,
  decodeRequest: decodeProduceRequest,
  encodeResponse: encodeProduceResponse,
  async handle(request, ctx) {
    const refusal = refusedRequest(request, ctx);
    if (refusal !== null) return errorResponse(request, refusal);
    const { items, originals, slots } = collect(request, ctx);
    // Durable acks=all in two steps: append, release the connection's next
    // request (its appends now come after ours), then wait for the sync.
    const twoStep = request.acks === -1 && ctx.broker.config["tsbroker.fsync.acks.all"] && ctx.release !== undefined;
    const outcomes = items.length > 0
      ? await ctx.broker.partitions.run({ op: "produce", acks: request.acks, items, deferSync: twoStep })
      : [];
    if (request.transactionalId !== null) {
      await verifyAndResend(
        {
          partitions: ctx.broker.partitions,
          txns: ctx.broker.txns,
          transactionalId: request.transactionalId,
          acks: request.acks,
          deferSync: twoStep,
          produceVersion: ctx.apiVersion,
        },
        items,
        originals,
        outcomes,
      );
    }
    if (twoStep) {
      ctx.release!();
      await syncAppended(ctx, items, outcomes);
    }
    const response: ProduceResponse = {
      throttleTimeMs: 0,
      nodeEndpoints: [],
      responses: request.topicData.map((topic, t) => ({
        name: topic.name,
        partitionResponses: topic.partitionData.map((p, i) => {
          const slot = slots[t][i];
          return partitionResponse(p.index, typeof slot === "number" ? outcomes[slot] : slot);
        }),
      })),
    };
    return request.acks === 0 ? acksZeroAnswer(response) : response;
  },
  errorResponse: (request, _ctx, errorCode) => errorResponse(request, errorCode),
});

/** An error the whole request fails with before any partition is looked at, or null. */
function refusedRequest(request: ProduceRequest, ctx: RequestContext): number | null {
  if (hasTransactionalBatch(request)) {
    // Kafka: transactional batches need WRITE on the request's transactional id (ACL_RULES).
    const id = request.transactionalId;
    if (id === null || !transactionalIdAllowed(ctx, id)) return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  }
  if (request.acks !== -1 && request.acks !== 0 && request.acks !== 1) return ErrorCode.INVALID_REQUIRED_ACKS;
  return null;
}

/**
 * The partitions to append (`items`), each one's bytes as received (`originals`, for a transactional batch
 * re-sent after its verification), and per topic, per partition, an outcome now or the index of its item.
 */
function collect(request: ProduceRequest, ctx: RequestContext) {
  const { metadata } = ctx.broker;
  const items: ProduceItem[] = [];
  const originals: Uint8Array[] = [];
  const slots = request.topicData.map((topic) => {
    const image = metadata.byName.get(topic.name);
    const authorized = topicAllowed(ctx, topic.name);
    return topic.partitionData.map((p): ProduceOutcome | number => {
      if (!authorized) return refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      if (!image || p.index < 0 || p.index >= image.partitions) return refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (image.internal) return refused(ErrorCode.INVALID_TOPIC_EXCEPTION);
      if (p.records === null) return refused(ErrorCode.INVALID_RECORD, "Produce request has no records");
      let records = p.records;
      if (ctx.apiVersion < 3) {
        const converted = upConvertMessageSet(records);
        if ("error" in converted) return refused(converted.error.code, converted.error.message);
        records = converted.batch;
      }
      if (ctx.apiVersion < 7 && isZstdBatch(records)) {
        return refused(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, "zstd needs Produce v7 or later");
      }
      items.push({ topic: topic.name, topicId: image.topicId, partition: p.index, records });
      // Bytes that fill their whole buffer are transferred to their owner, not copied: keep a copy then.
      const whole = records.byteOffset === 0 && records.byteLength === records.buffer.byteLength;
      originals.push(whole && isTransactional(records) ? records.slice() : records);
      return items.length - 1;
    });
  });
  return { items, originals, slots };
}

/** The second step of a durable acks=all: waits for the sync of what was appended; a failed sync fails it. */
async function syncAppended(ctx: RequestContext, items: ProduceItem[], outcomes: ProduceOutcome[]): Promise<void> {
  const appended = outcomes.flatMap((o, i) => (o.errorCode === ErrorCode.NONE ? [i] : []));
  if (appended.length === 0) return;
  const synced = await ctx.broker.partitions.run({
    op: "sync",
    items: appended.map((i) => ({ topicId: items[i].topicId, partition: items[i].partition })),
  });
  synced.forEach((s, k) => {
    if (s.errorCode !== ErrorCode.NONE) outcomes[appended[k]] = refused(s.errorCode, s.errorMessage);
  });
}

/** acks=0: no answer, or a closed connection when a partition failed. */
function acksZeroAnswer(response: ProduceResponse): CloseConnection | typeof NO_RESPONSE {
  const failure = response.responses.flatMap((t) => t.partitionResponses).find((p) => p.errorCode !== 0);
  if (!failure) return NO_RESPONSE;
  const message = failure.errorMessage ? `: ${failure.errorMessage}` : "";
  return new CloseConnection(`acks=0 produce failed with error ${failure.errorCode}${message}`);
}

/** A v2 batch marked transactional. */
function isTransactional(records: Uint8Array): boolean {
  return records.byteLength > ATTRIBUTES_OFFSET + 1 && records[MAGIC_OFFSET] === 2 &&
    (records[ATTRIBUTES_OFFSET + 1] & TRANSACTIONAL_MASK) !== 0;
}

/** Kafka's RequestUtils.hasTransactionalRecords: any partition's first batch is transactional. */
function hasTransactionalBatch(request: ProduceRequest): boolean {
  return request.topicData.some((t) => t.partitionData.some((p) => p.records !== null && isTransactional(p.records)));
}

/** A v2 batch whose attributes name zstd (Kafka refuses it below Produce v7). */
function isZstdBatch(records: Uint8Array): boolean {
  return records.byteLength > ATTRIBUTES_OFFSET + 1 && records[MAGIC_OFFSET] === 2 &&
    (records[ATTRIBUTES_OFFSET + 1] & COMPRESSION_MASK) === CompressionType.Zstd;
}

function refused(errorCode: number, message: string | null = null): ProduceOutcome {
  return failed(errorCode, message);
}

function partitionResponse(index: number, o: ProduceOutcome): PartitionProduceResponse {
  return {
    index,
    errorCode: o.errorCode,
    baseOffset: o.baseOffset,
    logAppendTimeMs: o.logAppendTimeMs,
    logStartOffset: o.logStartOffset,
    recordErrors: o.recordErrors,
    errorMessage: o.errorMessage,
    currentLeader: NO_LEADER,
  };
}

function errorResponse(request: ProduceRequest, errorCode: number): ProduceResponse {
  return {
    throttleTimeMs: 0,
    nodeEndpoints: [],
    responses: request.topicData.map((topic) => ({
      name: topic.name,
      partitionResponses: topic.partitionData.map((p) => partitionResponse(p.index, refused(errorCode))),
    })),
  };
}
