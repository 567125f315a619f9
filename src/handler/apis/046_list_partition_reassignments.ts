/**
 * ListPartitionReassignments (key 46), v0 (flexible).
 *
 * One node holds the only replica of every partition, so no reassignment is
 * ever in progress: every request, for all partitions (null) or named ones,
 * known or not, is answered NONE with no topics, as Kafka's controller
 * answers when nothing is being reassigned (it does not check the names).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeListPartitionReassignmentsRequest,
  encodeListPartitionReassignmentsResponse,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
} from "../../protocol/generated/list_partition_reassignments.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const listPartitionReassignmentsHandler = defineApi<
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse
>({
  apiKey: 46,
  name: "ListPartitionReassignments",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeListPartitionReassignmentsRequest,
  encodeResponse: encodeListPartitionReassignmentsResponse,
  handle(_request, ctx) {
    requireCluster(ctx);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, topics: [] };
  },
});
