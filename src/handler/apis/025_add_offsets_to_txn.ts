/**
 * AddOffsetsToTxn (key 25), v0–v4.
 *
 * Adds the group's `__consumer_offsets` partition (the one coordinating the
 * group, hash(groupId) mod the topic's partitions) to the producer's
 * transaction, so that the offsets TxnOffsetCommit writes there get the
 * transaction's marker. Errors are the coordinator's, as for
 * AddPartitionsToTxn: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
 * INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS.
 *
 * Versions: v2 lets the client see PRODUCER_FENCED (INVALID_PRODUCER_EPOCH
 * below, as Kafka answers), v3 is flexible, v4 changes only client handling.
 */
import { defineApi } from "./api.ts";
import {
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponse,
  decodeAddOffsetsToTxnRequest,
  encodeAddOffsetsToTxnResponse,
} from "../../protocol/generated/add_offsets_to_txn.ts";
import { fencedErrorForVersion } from "../../txn/txn_effects.ts";
import { requireGroup, requireTransactionalId } from "../services/acl_rules.ts";

export const addOffsetsToTxnHandler = defineApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: 25,
  name: "AddOffsetsToTxn",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeAddOffsetsToTxnRequest,
  encodeResponse: encodeAddOffsetsToTxnResponse,
  async handle(request, ctx) {
    requireTransactionalId(ctx, request.transactionalId);
    requireGroup(ctx, request.groupId);
    const { errorCode } = await ctx.broker.txns.run({
      kind: "addOffsets",
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      groupId: request.groupId,
    });
    return { throttleTimeMs: 0, errorCode: fencedErrorForVersion(errorCode, 25, ctx.apiVersion) };
  },
  errorResponse: (_request, _ctx, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
