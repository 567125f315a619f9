/**
 * ListTransactions (key 66), v0–v1.
 *
 * Every handler lists the transactional ids it coordinates (txn_router.ts,
 * filters in txn/txn_views.ts): by state names (names Kafka does not know
 * come back in unknownStateFilters and match nothing), by producer ids, and
 * from v1 by duration (only transactions running longer than durationFilter
 * ms; -1 none). v0 is flexible.
 */
import { defineApi } from "./api.ts";
import {
  decodeListTransactionsRequest,
  encodeListTransactionsResponse,
  type ListTransactionsRequest,
  type ListTransactionsResponse,
} from "../../protocol/generated/list_transactions.ts";
import { transactionalIdAllowed } from "../services/acl_rules.ts";

export const listTransactionsHandler = defineApi<ListTransactionsRequest, ListTransactionsResponse>({
  apiKey: 66,
  name: "ListTransactions",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeListTransactionsRequest,
  encodeResponse: encodeListTransactionsResponse,
  async handle(request, ctx) {
    const answer = await ctx.broker.txns.list({
      states: request.stateFilters,
      producerIds: request.producerIdFilters,
      durationMs: ctx.apiVersion >= 1 ? Number(request.durationFilter) : -1,
    });
    return {
      throttleTimeMs: 0,
      errorCode: answer.errorCode,
      unknownStateFilters: [...answer.unknownStateFilters],
      // ACL_RULES: only the ids the principal may describe.
      transactionStates: answer.transactionStates.filter((t) => transactionalIdAllowed(ctx, t.transactionalId))
        .map((t) => ({ ...t })),
    };
  },
  errorResponse: (_request, _ctx, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    unknownStateFilters: [],
    transactionStates: [],
  }),
});
