/**
 * EndTxn (key 26), v0–v4.
 *
 * Commits or aborts the producer's transaction at its coordinator
 * (TxnCoordinator.endTxn): the answer comes once PrepareCommit or
 * PrepareAbort is written to `__transaction_state` (fdatasync'ed in durable
 * mode), so the outcome survives a crash; the markers are then written to
 * every partition of the transaction and the Complete record after them
 * (txn_service.ts). Until that is done the next transaction's calls get
 * CONCURRENT_TRANSACTIONS, which clients retry. Ending a transaction that is
 * not open: INVALID_TXN_STATE, or no error when it is the same outcome
 * retried; an older epoch: PRODUCER_FENCED; an unknown producer:
 * INVALID_PRODUCER_ID_MAPPING.
 *
 * Versions: v2 lets the client see PRODUCER_FENCED (INVALID_PRODUCER_EPOCH
 * below, as Kafka answers), v3 is flexible, v4 changes only client handling
 * (Kafka 4's v5 with KIP-890 part 2 epoch bumps is not served).
 */
import { defineApi } from "./api.ts";
import {
  decodeEndTxnRequest,
  encodeEndTxnResponse,
  type EndTxnRequest,
  type EndTxnResponse,
} from "../../protocol/generated/end_txn.ts";
import { fencedErrorForVersion } from "../../txn/txn_effects.ts";
import { requireTransactionalId } from "../services/acl_rules.ts";

export const endTxnHandler = defineApi<EndTxnRequest, EndTxnResponse>({
  apiKey: 26,
  name: "EndTxn",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeEndTxnRequest,
  encodeResponse: encodeEndTxnResponse,
  async handle(request, ctx) {
    requireTransactionalId(ctx, request.transactionalId);
    const { errorCode } = await ctx.broker.txns.run({
      kind: "endTxn",
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      commit: request.committed,
    });
    return { throttleTimeMs: 0, errorCode: fencedErrorForVersion(errorCode, 26, ctx.apiVersion) };
  },
  errorResponse: (_request, _ctx, errorCode) => ({ throttleTimeMs: 0, errorCode }),
});
