/**
 * DescribeConfigs (key 32), v0–v4 — Kafka's ConfigHelper.describeConfigs.
 *
 * Each resource is answered on its own, in request order:
 * - TOPIC (2): every topic config tsbroker knows (cluster/topic_config.ts, Kafka's names), with the topic's
 *   overrides from the metadata image; an invalid name is INVALID_TOPIC_EXCEPTION, an unknown topic
 *   UNKNOWN_TOPIC_OR_PARTITION (no message, as Kafka).
 * - BROKER (4): named by this node's id, every key of the broker's key table (config/describe.ts), the
 *   `tsbroker.*` extensions included — Kafka would not list them, but they are this broker's configuration —
 *   with the dynamic layers over the static config (sources DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG,
 *   STATIC_BROKER_CONFIG, DEFAULT_CONFIG); read-write are the keys tsbroker changes while running
 *   (config/dynamic_keys.ts). "" means the cluster-wide dynamic defaults: only those set, as Kafka lists them.
 *   Another id, or one that is not an integer, is INVALID_REQUEST with Kafka's message.
 * - BROKER_LOGGER (8): named by this node's id ("" or another id is INVALID_REQUEST, as Kafka): "root" and a
 *   logger per thread (broker, handler-N, processor-LISTENER-N, the names log lines carry), each at its
 *   level in Kafka's spelling (its own, else root's; root starts at tsbroker.log.level), source
 *   DYNAMIC_BROKER_LOGGER_CONFIG, read-write, type UNKNOWN and documentation "" (Kafka sets neither).
 * - GROUP (16) and CLIENT_METRICS (32) are Kafka types tsbroker has no configs for: INVALID_REQUEST "Unsupported
 *   resource type" per resource. Any other type fails the whole request with INVALID_REQUEST, as Kafka's
 *   authorization step throws before describing anything.
 * configurationKeys null or empty means every config; names tsbroker does not know are left out, as Kafka does.
 * A BROKER resource also lists the `listener.name.<l>.<key>` names set at start or dynamically, typed as their
 * key (config/describe.ts). Values of sensitive configs are null: the table's passwords (ssl.key.password,
 * sasl.jaas.config...), prefixed or not, and dynamic broker config names tsbroker does not know, as Kafka
 * treats names it cannot type.
 *
 * Versions: v0 has isDefault (source is DEFAULT_CONFIG) instead of configSource, and no synonyms; v1 adds
 * includeSynonyms (topic override, then the broker keys the operator set, then their defaults) and configSource;
 * v2 is v1 (it only tells clients that the broker throttles after answering); v3 adds includeDocumentation and configType
 * (Kafka's ConfigType ids); v4 is flexible.
 */
import { ApiError, defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { topicNameProblem } from "../../cluster/topic_name.ts";
import { describeTopicConfigs } from "../../cluster/topic_config.ts";
import {
  ConfigSource,
  type ConfigSynonym,
  ConfigType,
  describeBrokerConfigs,
  describeClusterDefaults,
} from "../../config/describe.ts";
import { kafkaLevelOf, ROOT_LOGGER } from "../../util/logger.ts";
import {
  decodeDescribeConfigsRequest,
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
  type DescribeConfigsResourceResult,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
  encodeDescribeConfigsResponse,
} from "../../protocol/generated/describe_configs.ts";
import type { BrokerState } from "../services/broker_state.ts";
import { configRefusal } from "../services/acl_rules.ts";

/** Kafka's ConfigResource.Type ids. */
const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, GROUP: 16, CLIENT_METRICS: 32 } as const;
const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(ResourceType));

/** What every described config has, before the request's flags trim it. */
interface Entry {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  type: number;
  documentation: string | null;
}

export const describeConfigsHandler = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  name: "DescribeConfigs",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeDescribeConfigsRequest,
  encodeResponse: encodeDescribeConfigsResponse,
  handle(request, ctx) {
    const unknown = request.resources.find((r) => !KNOWN_TYPES.has(r.resourceType));
    if (unknown) {
      throw new ApiError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${unknown.resourceType}`);
    }
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) => {
        const refused = configRefusal(ctx, resource.resourceType, resource.resourceName);
        if (refused) return result(resource, refused.errorCode, refused.message, []);
        const described = describe(resource, ctx.broker);
        if ("errorCode" in described) {
          return result(resource, described.errorCode, described.message, []);
        }
        const wanted = resource.configurationKeys;
        const entries = wanted === null || wanted.length === 0
          ? described
          : described.filter((e) => wanted.includes(e.name));
        return result(resource, ErrorCode.NONE, null, entries.map((e) => toWire(e, request)));
      }),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return { throttleTimeMs: 0, results: request.resources.map((r) => result(r, errorCode, null, [])) };
  },
});

type Described = Entry[] | { errorCode: number; message: string | null };

function describe(resource: DescribeConfigsResource, broker: BrokerState): Described {
  const { config, metadata } = broker;
  const nodeId = metadata.image.nodeId;
  const name = resource.resourceName;
  switch (resource.resourceType) {
    case ResourceType.TOPIC: {
      const problem = topicNameProblem(name);
      if (problem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem };
      const topic = metadata.byName.get(name);
      if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null };
      return describeTopicConfigs(config, topic.configs);
    }
    case ResourceType.BROKER: {
      if (name === "") return describeClusterDefaults(config);
      const id = brokerId(name);
      if (typeof id !== "number") return id;
      if (id !== nodeId) {
        return invalid(`Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`);
      }
      return describeBrokerConfigs(config);
    }
    case ResourceType.BROKER_LOGGER: {
      if (name === "") return invalid("Broker id must not be empty");
      const id = brokerId(name);
      if (typeof id !== "number") return id;
      if (id !== nodeId) return invalid(`Unexpected broker id, expected ${nodeId} but received ${name}`);
      return describeLoggers(broker);
    }
    default:
      return invalid(`Unsupported resource type: ${resource.resourceType === 16 ? "GROUP" : "CLIENT_METRICS"}`);
  }
}

/** Root and every thread's logger, each at its own level or root's. */
function describeLoggers(broker: BrokerState): Entry[] {
  const image = broker.metadata.image.brokerConfigs;
  const levels = image?.loggerLevels ?? { [ROOT_LOGGER]: kafkaLevelOf(broker.config["tsbroker.log.level"]) };
  const root = levels[ROOT_LOGGER];
  return [ROOT_LOGGER, ...image?.loggerNames ?? []].map((name) => ({
    name,
    value: Object.hasOwn(levels, name) ? levels[name] : root,
    readOnly: false,
    source: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
    isSensitive: false,
    synonyms: [],
    type: ConfigType.UNKNOWN,
    documentation: "",
  }));
}

/** Java's Integer.parseInt as Kafka's resourceNameToBrokerId uses it. */
function brokerId(name: string): number | { errorCode: number; message: string } {
  const n = /^[+-]?\d+$/.test(name) ? Number(name) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) {
    return invalid(`Broker id must be an integer, but it is: ${name}`);
  }
  return n;
}

function invalid(message: string): { errorCode: number; message: string } {
  return { errorCode: ErrorCode.INVALID_REQUEST, message };
}

function toWire(e: Entry, request: DescribeConfigsRequest): DescribeConfigsResourceResult {
  return {
    name: e.name,
    value: e.isSensitive ? null : e.value,
    readOnly: e.readOnly,
    isDefault: e.source === ConfigSource.DEFAULT_CONFIG,
    configSource: e.source,
    isSensitive: e.isSensitive,
    synonyms: request.includeSynonyms ? e.synonyms : [],
    configType: e.type,
    // Kafka never sets a logger's documentation, so its default "" goes out whatever the request asks.
    documentation: request.includeDocumentation || e.documentation === "" ? e.documentation : null,
  };
}

function result(
  resource: DescribeConfigsResource,
  errorCode: number,
  errorMessage: string | null,
  configs: DescribeConfigsResourceResult[],
): DescribeConfigsResult {
  return {
    errorCode,
    errorMessage,
    resourceType: resource.resourceType,
    resourceName: resource.resourceName,
    configs,
  };
}
