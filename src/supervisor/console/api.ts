/**
 * The console's JSON endpoints under /console/api/. Everything about topics,
 * records, groups and configs is asked of the broker's own Kafka listener
 * through the client library (an Admin, short-lived Consumers for records),
 * never of the supervisor's internals, so the same console could point at
 * any Kafka cluster. Which client, the shared one or the logged-in user's,
 * login.ts decides. Errors are JSON `{ error }` with an HTTP status that
 * says whose fault it is: 400 bad input, 401 login needed (or the broker no
 * longer accepts the user's credentials), 403 changes not allowed or the
 * broker's ACLs refuse the user, 404 unknown topic or group, 409 already
 * exists, 502 the broker refused or failed, 503 login needed but impossible.
 */
import { ResourceType, type TopicSize } from "../../client/admin.ts";
import { KafkaClientError } from "../../client/errors.ts";
import { ErrorCode, errorName } from "../../protocol/errors.ts";
import type { HttpRequestInfo, HttpResponseInit } from "../../runtime/types.ts";
import { groupDetail } from "./groups.ts";
import { HttpError, json } from "./http_error.ts";
import { type BrokerClient, type ConsoleAuth, isAuthenticationError } from "./login.ts";
import { latestRecords, RECORD_FORMATS, type RecordFormat } from "./records.ts";
import type { ThroughputSampler } from "./throughput.ts";

/** What the console knows of the broker it runs in, besides what it asks over Kafka's protocol. */
export interface ConsoleContext {
  version: string;
  runtime: string;
  startedAt: number;
  nodeId: number;
  allowChanges: boolean;
  /** Every listener as advertised (ports resolved). */
  listeners: { name: string; securityProtocol: string; host: string; port: number }[];
  throughput: ThroughputSampler;
}

const STATUS_OF: Record<number, number> = {
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: 404,
  [ErrorCode.UNKNOWN_TOPIC_ID]: 404,
  [ErrorCode.GROUP_ID_NOT_FOUND]: 404,
  [ErrorCode.TOPIC_ALREADY_EXISTS]: 409,
  [ErrorCode.INVALID_TOPIC_EXCEPTION]: 400,
  [ErrorCode.INVALID_PARTITIONS]: 400,
  [ErrorCode.INVALID_REPLICATION_FACTOR]: 400,
  [ErrorCode.INVALID_CONFIG]: 400,
  [ErrorCode.POLICY_VIOLATION]: 400,
  [ErrorCode.TOPIC_DELETION_DISABLED]: 403,
  // The broker's ACLs refuse this user: its message says what was refused.
  [ErrorCode.TOPIC_AUTHORIZATION_FAILED]: 403,
  [ErrorCode.GROUP_AUTHORIZATION_FAILED]: 403,
  [ErrorCode.CLUSTER_AUTHORIZATION_FAILED]: 403,
  [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]: 403,
  [ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED]: 403,
};

export class ConsoleApi {
  constructor(private readonly ctx: ConsoleContext, private readonly auth: ConsoleAuth) {}

  /** Answers one /console/api/... request; `rest` is the path after /console/api/. */
  async handle(rest: string, request: HttpRequestInfo): Promise<HttpResponseInit> {
    try {
      const parts = rest.split("/").map(decodeURIComponent);
      const own = this.auth.route(parts, request);
      if (own) return await own;
      return json(200, await this.route(parts, request, this.auth.client(request)));
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, { error: e.message });
      if (isAuthenticationError(e)) {
        // The user's credentials stopped working (password changed, user deleted): log in again.
        await this.auth.forget(request);
        return json(401, { error: e.message, code: errorName(e.code) });
      }
      if (e instanceof KafkaClientError) {
        return json(STATUS_OF[e.code] ?? 502, { error: e.message, code: errorName(e.code) });
      }
      return json(502, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  async close(): Promise<void> {
    await this.auth.close();
  }

  private route(parts: string[], request: HttpRequestInfo, c: BrokerClient): Promise<unknown> {
    const [section, name, sub] = parts;
    const method = request.method;
    if (section === "overview" && parts.length === 1 && method === "GET") return this.overview(c);
    if (section === "config" && parts.length === 1 && method === "GET") return this.brokerConfig(c);
    if (section === "topics" && parts.length === 1) {
      if (method === "GET") return this.topics(c);
      if (method === "POST") return this.createTopic(c, request);
    }
    if (section === "topics" && parts.length === 2 && name) {
      if (method === "GET") return this.topic(c, name);
      if (method === "DELETE") return this.deleteTopic(c, name);
    }
    if (section === "topics" && parts.length === 3 && sub === "records" && method === "GET") {
      return this.records(c, name, new URLSearchParams(request.query));
    }
    if (section === "groups" && parts.length === 1 && method === "GET") return c.admin.listGroups();
    if (section === "groups" && parts.length === 2 && name && method === "GET") {
      return groupDetail(c.admin, name);
    }
    const known = ["overview", "config", "topics", "groups"].includes(section);
    throw new HttpError(known ? 405 : 404, `no endpoint ${method} /console/api/${parts.join("/")}`);
  }

  private async overview(c: BrokerClient): Promise<unknown> {
    const cluster = await c.admin.describeCluster().catch((e) => {
      if (isAuthenticationError(e)) throw e;
      return { error: String(e) };
    });
    return {
      version: this.ctx.version,
      runtime: this.ctx.runtime,
      nodeId: this.ctx.nodeId,
      startedAt: this.ctx.startedAt,
      uptimeMs: Date.now() - this.ctx.startedAt,
      allowChanges: this.ctx.allowChanges,
      listeners: this.ctx.listeners,
      cluster,
      throughput: this.ctx.throughput.snapshot(),
    };
  }

  private async brokerConfig(c: BrokerClient): Promise<unknown> {
    const entries = await c.admin.describeConfigs(ResourceType.BROKER, String(this.ctx.nodeId));
    return entries.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async topics(c: BrokerClient): Promise<unknown> {
    const admin = c.admin;
    const names = await admin.listTopics(true);
    const infos = names.length ? await admin.describeTopics(names) : [];
    const sizes = names.length ? await this.sizes(c, names) : null;
    return infos
      .map((t) => ({
        name: t.name,
        topicId: t.topicId,
        internal: t.isInternal,
        partitions: t.partitions.length,
        sizeBytes: sizes ? Number(sizes.get(t.name)?.size ?? 0n) : null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Bytes on disk by topic, or null when the broker refuses DescribeLogDirs (it needs DESCRIBE on the
   * cluster, which a console user allowed to read topics may lack): the pages then show no sizes.
   */
  private async sizes(c: BrokerClient, names: string[]): Promise<Map<string, TopicSize> | null> {
    try {
      return new Map((await c.admin.describeTopicSizes(names)).map((t) => [t.topic, t]));
    } catch (e) {
      if (e instanceof KafkaClientError && e.code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED) return null;
      throw e;
    }
  }

  /**
   * 404 at once for a topic Metadata does not list: asked for it by name, the client would retry
   * UNKNOWN_TOPIC_OR_PARTITION (retriable, as a topic being created) until its timeout.
   */
  private async requireTopic(c: BrokerClient, name: string): Promise<void> {
    if (!(await c.admin.listTopics(true)).includes(name)) {
      throw new HttpError(404, `topic '${name}' does not exist (UNKNOWN_TOPIC_OR_PARTITION)`);
    }
  }

  private async topic(c: BrokerClient, name: string): Promise<unknown> {
    const admin = c.admin;
    await this.requireTopic(c, name);
    const [info] = await admin.describeTopics([name]);
    const tps = info.partitions.map((p) => ({ topic: name, partition: p.partition }));
    const [lows, highs, configs, sizes] = await Promise.all([
      admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "earliest" as const }))),
      admin.listOffsets(tps.map((tp) => ({ ...tp, spec: "latest" as const }))),
      admin.describeConfigs(ResourceType.TOPIC, name),
      this.sizes(c, [name]),
    ]);
    const size = sizes?.get(name);
    const partSize = new Map(size?.partitions.map((p) => [p.partition, Number(p.size)]));
    return {
      name,
      topicId: info.topicId,
      internal: info.isInternal,
      sizeBytes: size ? Number(size.size) : null,
      partitions: info.partitions.map((p, i) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        lowOffset: String(lows[i].offset),
        highOffset: String(highs[i].offset),
        records: String(highs[i].offset - lows[i].offset),
        sizeBytes: size ? partSize.get(p.partition) ?? 0 : null,
      })),
      configs: configs.sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  private async createTopic(c: BrokerClient, request: HttpRequestInfo): Promise<unknown> {
    this.requireChanges();
    // A page of another site can POST a form or text/plain here without asking (no CORS preflight), but not JSON.
    if (!/^application\/json\b/i.test(request.contentType)) {
      throw new HttpError(415, "send the topic as JSON with content-type: application/json");
    }
    const spec = parseTopicSpec(request.body);
    await c.admin.createTopics([spec]);
    return { created: spec.name };
  }

  private async deleteTopic(c: BrokerClient, name: string): Promise<unknown> {
    this.requireChanges();
    await c.admin.deleteTopics([name]);
    return { deleted: name };
  }

  private async records(c: BrokerClient, topic: string, query: URLSearchParams): Promise<unknown> {
    const partition = intParam(query, "partition", 0, 0, 1 << 30);
    const limit = intParam(query, "limit", 20, 1, 500);
    const format = (query.get("format") ?? "text") as RecordFormat;
    if (!RECORD_FORMATS.includes(format)) {
      throw new HttpError(400, `format must be one of ${RECORD_FORMATS.join(", ")}, not '${format}'`);
    }
    await this.requireTopic(c, topic);
    const [info] = await c.admin.describeTopics([topic]);
    if (!info.partitions.some((p) => p.partition === partition)) {
      throw new HttpError(404, `topic '${topic}' has no partition ${partition} (${info.partitions.length} partitions)`);
    }
    return await latestRecords(c.admin, c.options, { topic, partition, limit, format });
  }

  private requireChanges(): void {
    if (!this.ctx.allowChanges) {
      throw new HttpError(403, "the console is read-only: set tsbroker.console.allow.changes=true to allow changes");
    }
  }
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new HttpError(400, `${name} must be an integer from ${min} to ${max}, not '${text}'`);
  }
  return n;
}

/** The body of POST /console/api/topics: `{ name, partitions?, replicationFactor?, configs? }`. */
export function parseTopicSpec(body: string): {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
} {
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body must be JSON: { "name": ..., "partitions": ... }');
  }
  if (typeof spec !== "object" || spec === null) throw new HttpError(400, "the body must be a JSON object");
  const { name, partitions = -1, replicationFactor = -1, configs = {} } = spec;
  if (typeof name !== "string" || name === "") throw new HttpError(400, "name must be a non-empty string");
  for (const [field, n] of [["partitions", partitions], ["replicationFactor", replicationFactor]] as const) {
    if (!Number.isInteger(n) || (n as number) === 0 || (n as number) < -1) {
      throw new HttpError(400, `${field} must be a positive integer (or -1 for the broker's default)`);
    }
  }
  if (typeof configs !== "object" || configs === null || Object.values(configs).some((v) => typeof v !== "string")) {
    throw new HttpError(400, "configs must be an object of string values");
  }
  return {
    name,
    partitions: partitions as number,
    replicationFactor: replicationFactor as number,
    configs: configs as Record<string, string>,
  };
}
