/**
 * OffsetForLeaderEpoch (key 23), v0–v4 (v4 is flexible).
 *
 * For each partition, the end offset of the asked leader epoch from the
 * partition's leader-epoch cache (Kafka's leader-epoch-checkpoint): the log
 * end offset for the current epoch; for an older one, the start offset of
 * the next higher epoch, with the largest known epoch at or below the one
 * asked; an epoch above every known one: leaderEpoch -1, endOffset -1, no
 * error. Clients (librdkafka, the Java consumer) ask it to validate their
 * position after a metadata change. Every partition is at leader epoch 0
 * (one node, never re-elected), recorded at its log end when it opens.
 *
 * Versions: v1+ answers the epoch found (v0 only the offset); v2+ carries
 * currentLeaderEpoch, checked as Kafka does (newer than ours:
 * UNKNOWN_LEADER_EPOCH, older, even below -1: FENCED_LEADER_EPOCH, -1: no
 * check) and
 * throttleTimeMs; v3+ carries replicaId (-1 a consumer, -2 a debug client,
 * ≥ 0 a follower: one node leads every partition, so all are answered the
 * same). Unknown topics and partitions are UNKNOWN_TOPIC_OR_PARTITION.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeOffsetForLeaderEpochRequest,
  encodeOffsetForLeaderEpochResponse,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from "../../protocol/generated/offset_for_leader_epoch.ts";
import type { EpochAnswer, EpochQuery } from "../../replica/log_dir_ops.ts";
import { topicAllowed } from "../services/acl_rules.ts";

const unknown = (errorCode: number): EpochAnswer => ({ errorCode, leaderEpoch: -1, endOffset: -1n });

export const offsetForLeaderEpochHandler = defineApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: 23,
  name: "OffsetForLeaderEpoch",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeOffsetForLeaderEpochRequest,
  encodeResponse: encodeOffsetForLeaderEpochResponse,
  async handle(request, ctx) {
    const queries: EpochQuery[] = [];
    const slots = request.topics.map((topic) => {
      const image = ctx.broker.metadata.byName.get(topic.topic);
      const authorized = topicAllowed(ctx, topic.topic);
      return topic.partitions.map((p): number | EpochAnswer => {
        if (!authorized) return unknown(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        if (!image || p.partition < 0 || p.partition >= image.partitions) {
          return unknown(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }
        queries.push({
          topicId: image.topicId,
          partition: p.partition,
          currentLeaderEpoch: ctx.apiVersion >= 2 ? p.currentLeaderEpoch : -1,
          leaderEpoch: p.leaderEpoch,
        });
        return queries.length - 1;
      });
    });
    const answers = queries.length > 0
      ? await ctx.broker.partitions.run({ op: "epochEndOffsets", items: queries })
      : [];
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic, t) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p, i) => {
          const slot = slots[t][i];
          const a = typeof slot === "number" ? answers[slot] : slot;
          return { errorCode: a.errorCode, partition: p.partition, leaderEpoch: a.leaderEpoch, endOffset: a.endOffset };
        }),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p) => ({
          errorCode,
          partition: p.partition,
          leaderEpoch: -1,
          endOffset: -1n,
        })),
      })),
    };
  },
});
