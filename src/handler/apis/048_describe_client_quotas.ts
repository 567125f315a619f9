/**
 * DescribeClientQuotas (key 48), v0–1 (v1 flexible): the client quotas whose
 * entities match a filter, read from the handler's metadata image (the
 * controller keeps them, src/supervisor/quota_store.ts). Matching and the
 * refusals of a malformed filter (the whole answer fails, with no entries)
 * are Kafka's ClientQuotasImage's (src/cluster/quota/quota_describe.ts). Needs
 * DESCRIBE_CONFIGS on the cluster (else CLUSTER_AUTHORIZATION_FAILED), as in
 * Kafka. The versions do not differ but in encoding.
 */
import { defineApi } from "./api.ts";
import {
  decodeDescribeClientQuotasRequest,
  type DescribeClientQuotasRequest,
  type DescribeClientQuotasResponse,
  encodeDescribeClientQuotasResponse,
} from "../../protocol/generated/describe_client_quotas.ts";
import { allowed } from "../services/acl_rules.ts";
import { AclOperation, CLUSTER_NAME, ResourceType } from "../../cluster/acl/acl_types.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { describeQuotas } from "../../cluster/quota/quota_describe.ts";
import { entityTypes, kafkaOrder } from "../../cluster/quota/quota_entity.ts";

export const describeClientQuotasHandler = defineApi<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  apiKey: 48,
  name: "DescribeClientQuotas",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeDescribeClientQuotasRequest,
  encodeResponse: encodeDescribeClientQuotasResponse,
  handle(request, ctx) {
    if (!allowed(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: "Cluster authorization failed.",
        entries: null,
      };
    }
    const records = ctx.broker.metadata.image.quotas ?? [];
    const found = describeQuotas(records, request.components, request.strict);
    if (!("records" in found)) {
      return { throttleTimeMs: 0, errorCode: found.errorCode, errorMessage: found.message, entries: null };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      entries: found.records.map((r) => ({
        entity: entityTypes(r.entity).map((entityType) => ({ entityType, entityName: r.entity[entityType] })),
        values: kafkaOrder(Object.keys(r.values)).map((key) => ({ key, value: r.values[key] })),
      })),
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, entries: null };
  },
});
