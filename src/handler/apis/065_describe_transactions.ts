/**
 * DescribeTransactions (key 65), v0.
 *
 * Each transactional id is asked of its coordinator (txn_router.ts, views in
 * txn/txn_views.ts): its state name, timeout, start time (-1 with no
 * transaction begun), producer id and epoch, and the partitions of its
 * transaction. An unknown id (or one removed after
 * transactional.id.expiration.ms) is TRANSACTIONAL_ID_NOT_FOUND; before
 * `__transaction_state` exists every id is NOT_COORDINATOR, as Kafka answers
 * while it coordinates none. v0 is flexible.
 */
import { defineApi } from "./api.ts";
import {
  decodeDescribeTransactionsRequest,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponse,
  encodeDescribeTransactionsResponse,
  type TransactionState,
} from "../../protocol/generated/describe_transactions.ts";
import type { DescribedTransaction } from "../../txn/txn_views.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { transactionalIdAllowed } from "../services/acl_rules.ts";

export const describeTransactionsHandler = defineApi<DescribeTransactionsRequest, DescribeTransactionsResponse>({
  apiKey: 65,
  name: "DescribeTransactions",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeDescribeTransactionsRequest,
  encodeResponse: encodeDescribeTransactionsResponse,
  async handle(request, ctx) {
    // ACL_RULES: DESCRIBE on each id; the others are answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED, never asked.
    const transactionStates = await Promise.all(
      request.transactionalIds.map(async (transactionalId) =>
        transactionalIdAllowed(ctx, transactionalId)
          ? toWire(await ctx.broker.txns.run({ kind: "describe", transactionalId }))
          : failedState(transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
      ),
    );
    return { throttleTimeMs: 0, transactionStates };
  },
  errorResponse: (request, _ctx, errorCode) => ({
    throttleTimeMs: 0,
    transactionStates: request.transactionalIds.map((transactionalId) => failedState(transactionalId, errorCode)),
  }),
});

function failedState(transactionalId: string, errorCode: number): TransactionState {
  return {
    errorCode,
    transactionalId,
    transactionState: "",
    transactionTimeoutMs: 0,
    transactionStartTimeMs: 0n,
    producerId: 0n,
    producerEpoch: 0,
    topics: [],
  };
}

function toWire(d: DescribedTransaction): TransactionState {
  return {
    errorCode: d.errorCode,
    transactionalId: d.transactionalId,
    transactionState: d.transactionState,
    transactionTimeoutMs: d.transactionTimeoutMs,
    transactionStartTimeMs: BigInt(d.transactionStartTimeMs),
    producerId: d.producerId,
    producerEpoch: d.producerEpoch,
    topics: d.topics.map((t) => ({ topic: t.topic, partitions: [...t.partitions] })),
  };
}
