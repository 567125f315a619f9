/**
 * IncrementalAlterConfigs (key 44), v0–v1 — answered per resource in request order.
 *
 * For a TOPIC resource each config names an operation on the topic's overrides: SET (0) a value, DELETE (1)
 * the override (back to the default; deleting what is not set is fine), APPEND (2) / SUBTRACT (3) comma-separated
 * items to / from a list config — of tsbroker's topic configs only cleanup.policy is a list, as in Kafka —
 * starting from the default when there is no override; on any other key they are INVALID_CONFIG "Can't APPEND
 * to key k because its type is not LIST.". An unknown operation is INVALID_REQUEST. The changed values are
 * checked with CreateTopics' validation (INVALID_CONFIG, Kafka's wording), then the topic must exist
 * (UNKNOWN_TOPIC_OR_PARTITION); the controller persists the result and every handler applies it before the
 * answer, open partitions included (see 033_alter_configs.ts). validateOnly checks everything and changes
 * nothing. BROKER resources ("" = cluster-wide default, or this node's id) change dynamic broker configs the
 * same way (APPEND/SUBTRACT on list keys only, else INVALID_CONFIG "Config value append is not allowed for
 * config key: k"), the keys tsbroker applies while running only (cluster/broker_config_alter.ts); a
 * BROKER_LOGGER resource SETs a logger's level or DELETEs it (the logger follows root again) in every thread.
 * Duplicates, nulls (allowed for DELETE only) and other types: see alter_configs_common.ts.
 *
 * Versions: v1 is flexible.
 */
import { defineApi } from "./api.ts";
import { type AlterResource, alterResources, everyResourceFailed } from "./alter_configs_common.ts";
import { ConfigOp } from "../../cluster/topic_config_alter.ts";
import {
  decodeIncrementalAlterConfigsRequest,
  encodeIncrementalAlterConfigsResponse,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from "../../protocol/generated/incremental_alter_configs.ts";

export const incrementalAlterConfigsHandler = defineApi<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
>({
  apiKey: 44,
  name: "IncrementalAlterConfigs",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeIncrementalAlterConfigsRequest,
  encodeResponse: encodeIncrementalAlterConfigsResponse,
  async handle(request, ctx) {
    const resources: AlterResource[] = request.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configNames: r.configs.map((c) => c.name),
      nullValues: r.configs.filter((c) => c.value === null && c.configOperation !== ConfigOp.DELETE)
        .map((c) => c.name),
      alteration: {
        kind: "incremental",
        changes: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
      },
    }));
    return { throttleTimeMs: 0, responses: await alterResources(resources, request.validateOnly, ctx, true) };
  },
  errorResponse: (request, _ctx, errorCode) => everyResourceFailed(request.resources, errorCode),
});
