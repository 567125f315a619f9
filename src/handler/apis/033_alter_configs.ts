/**
 * AlterConfigs (key 33), v0–v2 — Kafka's legacy config update, answered per resource in request order.
 *
 * A TOPIC resource's configs replace the topic's whole set of overrides: keys left out go back to their
 * defaults (Kafka's implicit deletions). The new values are checked with CreateTopics' validation
 * (INVALID_CONFIG, Kafka's wording), then the topic must exist (UNKNOWN_TOPIC_OR_PARTITION); the controller
 * persists the set and every handler applies it before the answer, open partitions included (roll, retention,
 * flush and timestamp settings at once; index settings from the next segment). DescribeConfigs then shows
 * the values with source DYNAMIC_TOPIC_CONFIG. validateOnly checks everything and changes nothing.
 * A BROKER resource ("" = cluster-wide default, or this node's id) has its whole set of dynamic broker
 * configs replaced the same way, checked by cluster/broker_config_alter.ts. Duplicates, nulls and other
 * resource types: see alter_configs_common.ts (BROKER_LOGGER is "Unknown resource type 8" here, as in Kafka).
 *
 * Versions: v1 is v0 (throttling after the answer); v2 is flexible.
 */
import { defineApi } from "./api.ts";
import { type AlterResource, alterResources, everyResourceFailed } from "./alter_configs_common.ts";
import {
  type AlterConfigsRequest,
  type AlterConfigsResponse,
  decodeAlterConfigsRequest,
  encodeAlterConfigsResponse,
} from "../../protocol/generated/alter_configs.ts";

export const alterConfigsHandler = defineApi<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  name: "AlterConfigs",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeAlterConfigsRequest,
  encodeResponse: encodeAlterConfigsResponse,
  async handle(request, ctx) {
    const resources: AlterResource[] = request.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configNames: r.configs.map((c) => c.name),
      nullValues: r.configs.filter((c) => c.value === null).map((c) => c.name),
      alteration: { kind: "replace", configs: Object.fromEntries(r.configs.map((c) => [c.name, c.value ?? ""])) },
    }));
    return { throttleTimeMs: 0, responses: await alterResources(resources, request.validateOnly, ctx, false) };
  },
  errorResponse: (request, _ctx, errorCode) => everyResourceFailed(request.resources, errorCode),
});
