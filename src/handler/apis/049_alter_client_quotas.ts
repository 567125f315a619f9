/**
 * AlterClientQuotas (key 49), v0–1 (v1 flexible): set or remove quota values
 * of user / client-id (or ip) entities; a null name is the type's default.
 * The controller checks and applies them (src/cluster/quota/quota_alter.ts,
 * persisted by src/supervisor/quota_store.ts) and publishes the new image
 * before answering, so every handler throttles by them at once. One result
 * per distinct entity, with Kafka's errors; validateOnly checks without
 * applying. Needs ALTER_CONFIGS on the cluster (else every entity gets
 * CLUSTER_AUTHORIZATION_FAILED), as in Kafka.
 */
import { defineApi } from "./api.ts";
import {
  type AlterClientQuotasRequest,
  type AlterClientQuotasResponse,
  decodeAlterClientQuotasRequest,
  encodeAlterClientQuotasResponse,
} from "../../protocol/generated/alter_client_quotas.ts";
import { allowed } from "../services/acl_rules.ts";
import { AclOperation, CLUSTER_NAME, ResourceType } from "../../cluster/acl/acl_types.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { entityTypes, type QuotaEntity } from "../../cluster/quota/quota_entity.ts";

const entityData = (entity: QuotaEntity, order?: string[]) =>
  (order ?? entityTypes(entity)).map((entityType) => ({ entityType, entityName: entity[entityType] }));

export const alterClientQuotasHandler = defineApi<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  apiKey: 49,
  name: "AlterClientQuotas",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeAlterClientQuotasRequest,
  encodeResponse: encodeAlterClientQuotasResponse,
  async handle(request, ctx) {
    if (!allowed(ctx, AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return this.errorResponse(request, ctx, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    const result = await ctx.broker.controller.call({
      op: "alterQuotas",
      alterations: request.entries,
      validateOnly: request.validateOnly,
    });
    return {
      throttleTimeMs: 0,
      entries: result.outcomes.map((o) => ({
        errorCode: o.errorCode,
        errorMessage: o.errorMessage,
        entity: entityData(o.entity, o.requestOrder),
      })),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      entries: request.entries.map((e) => ({
        errorCode,
        errorMessage: errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ? "Cluster authorization failed." : null,
        entity: e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })),
      })),
    };
  },
});
