/**
 * InitProducerId (key 22), v0–v5.
 *
 * Without a transactional id (idempotent producers) Kafka hands out a fresh
 * producer id with epoch 0 every time, whatever id and epoch a v3+ client
 * passes (KIP-360's epoch bump applies to transactional producers only);
 * passing exactly one of them as -1 is INVALID_REQUEST. Ids come from
 * blocks the controller persists, so they never repeat across restarts.
 *
 * With a transactional id the call goes to the id's transaction coordinator
 * (txn_router.ts → TxnCoordinator.initProducerId): the first call makes a new
 * producer id, later ones bump the epoch (fencing the previous producer), an
 * open transaction is aborted first (CONCURRENT_TRANSACTIONS until it is),
 * an empty id is INVALID_REQUEST, a timeout above transaction.max.timeout.ms
 * INVALID_TRANSACTION_TIMEOUT, and v3+'s producerId/producerEpoch let a
 * producer recover its own id after an abortable error (KIP-360). Before
 * `__transaction_state` exists, or for an id coordinated elsewhere:
 * NOT_COORDINATOR (clients ask FindCoordinator first, which creates it).
 *
 * Versions: v2 is flexible, v3 adds producerId/producerEpoch in the
 * request, v4 lets the client see PRODUCER_FENCED (below v4 it is
 * INVALID_PRODUCER_EPOCH, as Kafka answers), v5 changes only client handling.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeInitProducerIdRequest,
  encodeInitProducerIdResponse,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from "../../protocol/generated/init_producer_id.ts";
import { fencedErrorForVersion } from "../../txn/txn_effects.ts";
import { allowedOnAny, clusterAllowed, requireTransactionalId } from "../services/acl_rules.ts";
import { AclOperation, ResourceType } from "../../cluster/acl/acl_types.ts";

export const initProducerIdHandler = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeInitProducerIdRequest,
  encodeResponse: encodeInitProducerIdResponse,
  async handle(request, ctx) {
    // ACL_RULES: WRITE on the transactional id; an idempotent producer IDEMPOTENT_WRITE or WRITE on some topic.
    if (request.transactionalId !== null) requireTransactionalId(ctx, request.transactionalId);
    else if (!clusterAllowed(ctx) && !allowedOnAny(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
      return refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if ((request.producerId === -1n) !== (request.producerEpoch === -1)) return refused(ErrorCode.INVALID_REQUEST);
    if (request.transactionalId !== null) {
      const answer = await ctx.broker.txns.run({
        kind: "initProducerId",
        transactionalId: request.transactionalId,
        timeoutMs: request.transactionTimeoutMs,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
      });
      return {
        throttleTimeMs: 0,
        errorCode: fencedErrorForVersion(answer.errorCode, 22, ctx.apiVersion),
        producerId: answer.producerId,
        producerEpoch: answer.producerEpoch,
      };
    }
    const producerId = await ctx.broker.producerIds.next();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
  errorResponse: (_request, _ctx, errorCode) => refused(errorCode),
});

function refused(errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
}
