/**
 * Fetch (key 1), v4–v17: the versions that carry v2 record batches.
 *
 * Partitions are named by topic (v4–v12) or topic id (v13+; an unknown id
 * is UNKNOWN_TOPIC_ID). Each is read at its owner from fetchOffset: whole
 * batches up to partitionMaxBytes, the first batch whole even if larger
 * (OFFSET_OUT_OF_RANGE outside [log start, high watermark]). maxBytes limits
 * the response across partitions in order; with less than minBytes the
 * fetch waits up to maxWaitMs and answers as soon as data arrives. Fetch
 * sessions (KIP-227, v7+): the session cache decides which partitions a
 * request covers and which the answer lists (incremental fetches omit
 * partitions with nothing new), or fails the request with
 * FETCH_SESSION_ID_NOT_FOUND / INVALID_FETCH_SESSION_EPOCH /
 * FETCH_SESSION_TOPIC_ID_ERROR. Every answer carries the partition's last
 * stable offset (the first offset of its earliest open transaction, else
 * the high watermark); read_committed (isolationLevel 1) reads stop there
 * and list the aborted transactions (producer id, first offset) that
 * overlap the records returned, from the segments' .txnindex files, as
 * Kafka's collectAbortedTransactions (null for read_uncommitted, as Kafka
 * sends). As in Kafka, a partition that fails
 * to read (OFFSET_OUT_OF_RANGE) carries -1 offsets, and one refused before
 * reading (unknown topic or partition, fenced epoch) also an empty rather
 * than null aborted-transaction list (FetchResponse.partitionResponse). v9+ checks currentLeaderEpoch; the
 * tagged fields of v12+ (diverging epoch, leader, snapshot) only matter for
 * replication and keep their defaults; v15 moves the replica id into a
 * tagged ReplicaState, v17 adds a directory id that only followers send.
 * In a handler Worker, record sets of 64 KiB or more are not copied into the
 * response: they travel to the processor as chunks of the frame. Over the
 * client's consumer byte-rate or request quota, the answer carries
 * throttle_time_ms and no partitions (as Kafka's throttled fetch: a full
 * fetch then creates no session, an incremental one keeps its id and its
 * state), and the bytes read are not counted.
 */
import { defineApi } from "./api.ts";
import { leaderEpochError } from "./leader_epoch.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeFetchRequest,
  encodeFetchResponse,
  type FetchRequest,
  type FetchResponse,
  type PartitionData,
} from "../../protocol/generated/fetch.ts";
import { readWithWait } from "../services/fetch_reader.ts";
import type { ReadItem } from "../../replica/partition_ops.ts";
import { clusterAllowed, topicAllowed } from "../services/acl_rules.ts";

const EMPTY = new Uint8Array(0);
const READ_COMMITTED = 1;

export const fetchHandler = defineApi<FetchRequest, FetchResponse>({
  apiKey: 1,
  name: "Fetch",
  minVersion: 4,
  maxVersion: 17,
  decodeRequest: decodeFetchRequest,
  encodeResponse: encodeFetchResponse,
  async handle(request, ctx) {
    const { metadata, config, fetchSessions } = ctx.broker;
    const byId = ctx.apiVersion >= 13;
    const committed = request.isolationLevel === READ_COMMITTED;
    const session = fetchSessions.newContext(ctx.apiVersion, request);
    const responseMaxBytes = Math.min(request.maxBytes, config["fetch.max.bytes"]);
    const items: ReadItem[] = [];
    const readIndex: number[] = [];
    // ACL_RULES: a follower's fetch needs CLUSTER_ACTION, a consumer's READ on each topic (after an unknown id).
    const follower = (ctx.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId) >= 0;
    const followerAllowed = follower && clusterAllowed(ctx);
    const results: PartitionData[] = session.targets.map((t, i) => {
      const topic = byId ? metadata.byId.get(t.topic) : metadata.byName.get(t.topic);
      if (follower ? !followerAllowed : (topic || !byId) && !topicAllowed(ctx, topic?.name ?? t.topic)) {
        return failed(t.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED, committed);
      }
      if (!topic) {
        return failed(t.partition, byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, committed);
      }
      if (t.partition < 0 || t.partition >= topic.partitions) {
        return failed(t.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, committed);
      }
      // Kafka's fetch takes any negative currentLeaderEpoch as "no epoch" (ListOffsets fences below -1).
      const epoch = t.currentLeaderEpoch < 0 ? -1 : t.currentLeaderEpoch;
      const epochError = ctx.apiVersion >= 9 ? leaderEpochError(epoch) : ErrorCode.NONE;
      // Found by the read, as in Kafka: the answer looks like a failed read (no aborted-transaction list).
      if (epochError !== ErrorCode.NONE) {
        return { ...failed(t.partition, ErrorCode.NONE, committed), errorCode: epochError };
      }
      readIndex[i] = items.length;
      items.push({
        topicId: topic.topicId,
        partition: t.partition,
        fetchOffset: t.fetchOffset,
        // As Kafka: each partition reads at most min(partitionMaxBytes, response limit), first batch whole.
        maxBytes: Math.min(t.partitionMaxBytes, responseMaxBytes),
        isolationLevel: request.isolationLevel,
      });
      return failed(t.partition, ErrorCode.NONE, committed);
    });
    const outcomes = await readWithWait(ctx.broker.partitions, items, {
      maxWaitMs: request.maxWaitMs,
      minBytes: request.minBytes,
      maxBytes: responseMaxBytes,
    });
    results.forEach((r, i) => {
      if (readIndex[i] === undefined) return;
      const o = outcomes[readIndex[i]];
      r.errorCode = o.errorCode;
      // As Kafka's ReplicaManager: a partition that failed to read reports unknown (-1) offsets.
      if (o.errorCode !== ErrorCode.NONE) return;
      r.highWatermark = o.highWatermark;
      r.lastStableOffset = o.lastStableOffset;
      r.logStartOffset = o.logStartOffset;
      r.records = o.records ?? EMPTY;
      if (committed) r.abortedTransactions = o.abortedTransactions ?? [];
    });
    // Kafka's quota check comes before the session sees the answer: a throttled fetch leaves the session as if
    // nothing had been sent, so the next fetch gets those records.
    const throttleMs = ctx.quotas?.fetched(answerSize(results)) ?? 0;
    if (throttleMs > 0 && session.kind !== "error") {
      return throttledAnswer(throttleMs, session.kind === "incremental" ? request.sessionId : 0);
    }
    const answer = session.respond(results);
    return {
      throttleTimeMs: 0,
      errorCode: answer.errorCode,
      sessionId: answer.sessionId,
      responses: answer.responses,
      nodeEndpoints: [],
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, sessionId: 0, responses: [], nodeEndpoints: [] };
  },
  // Records are read fresh for this response (at their owner), so large ones go to the socket as they are.
  externalizeBytesFrom: 64 * 1024,
  responseSizeHint(response) {
    let bytes = 0;
    for (const topic of response.responses) {
      for (const p of topic.partitions) bytes += (p.records?.byteLength ?? 0) + 64;
    }
    return bytes;
  },
});

/** About the bytes an answer with `results` takes (the records, and a little per partition). */
function answerSize(results: PartitionData[]): number {
  let bytes = 0;
  for (const p of results) bytes += (p.records?.byteLength ?? 0) + 64;
  return bytes;
}

/**
 * Kafka's throttled fetch answer (FetchContext.getThrottledResponse): no partitions at all; a full fetch
 * creates no session (id 0), an incremental one keeps its id.
 */
function throttledAnswer(throttleTimeMs: number, sessionId: number): FetchResponse {
  return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId, responses: [], nodeEndpoints: [] };
}

function failed(partitionIndex: number, errorCode: number, committed: boolean): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: committed || errorCode !== ErrorCode.NONE ? [] : null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}
