/**
 * WriteTxnMarkers (key 27), v0–v1.
 *
 * Kafka's transaction coordinator sends it to partition leaders; tsbroker's
 * coordinator writes its markers through the same "writeTxnMarkers"
 * partition op directly (src/replica/txn_markers.ts), so from outside it serves
 * tools: Kafka's Admin abortTransaction (`kafka-transactions.sh abort`, for
 * a hanging transaction) sends it. Each marker is a COMMIT or ABORT control
 * batch written at each named partition's owner, with Kafka's checks: an
 * older producer epoch is INVALID_PRODUCER_EPOCH, an older coordinator epoch
 * TRANSACTION_COORDINATOR_FENCED, a partition not hosted
 * UNKNOWN_TOPIC_OR_PARTITION; the answer comes once the markers are written
 * (and synced in durable mode). A marker on `__consumer_offsets` also
 * commits or drops the producer's pending offsets there.
 *
 * Versions: v1 is flexible.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeWriteTxnMarkersRequest,
  encodeWriteTxnMarkersResponse,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponse,
} from "../../protocol/generated/write_txn_markers.ts";
import type { TxnMarkerItem } from "../../replica/partition_ops.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const writeTxnMarkersHandler = defineApi<WriteTxnMarkersRequest, WriteTxnMarkersResponse>({
  apiKey: 27,
  name: "WriteTxnMarkers",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeWriteTxnMarkersRequest,
  encodeResponse: encodeWriteTxnMarkersResponse,
  async handle(request, ctx) {
    requireCluster(ctx);
    const { metadata } = ctx.broker;
    const items: TxnMarkerItem[] = [];
    // Per marker, per topic, per partition: an error now, or the index of its item.
    const slots = request.markers.map((m) =>
      m.topics.map((t) => {
        const topic = metadata.byName.get(t.name);
        return t.partitionIndexes.map((p) => {
          if (!topic || p < 0 || p >= topic.partitions) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          items.push({
            topicId: topic.topicId,
            partition: p,
            topic: t.name,
            producerId: m.producerId,
            producerEpoch: m.producerEpoch,
            coordinatorEpoch: m.coordinatorEpoch,
            commit: m.transactionResult,
          });
          return items.length - 1;
        });
      })
    );
    const outcomes = items.length > 0 ? await ctx.broker.partitions.run({ op: "writeTxnMarkers", items }) : [];
    return {
      markers: request.markers.map((m, i) => ({
        producerId: m.producerId,
        topics: m.topics.map((t, j) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p, k) => {
            const slot = slots[i][j][k];
            return {
              partitionIndex: p,
              errorCode: typeof slot === "number" ? outcomes[slot].errorCode : slot.errorCode,
            };
          }),
        })),
      })),
    };
  },
  errorResponse: (request, _ctx, errorCode) => ({
    markers: request.markers.map((m) => ({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, errorCode })),
      })),
    })),
  }),
});
