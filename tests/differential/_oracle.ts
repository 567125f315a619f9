/**
 * The differential oracle (issue 11): one reference Apache Kafka (from
 * scripts/kafka/reference.ts) and one tsbroker, started with equivalent
 * settings; each scenario sends the same request — a raw frame built with
 * the generated codecs — to both, decodes both answers, and compares them
 * field by field. Only the fields the response schema carries at that
 * version are compared (the codecs fill absent ones with defaults, which
 * would only inflate the count). What may legitimately differ is taken from
 * allowed_differences.ts, the one list: ids, timestamps and throttle times
 * differ by value, broker-chosen ids are aliased per side in order of first
 * appearance (so "the leader is the member that joined first" is still
 * checked), and arrays whose order the protocol leaves free are sorted. Any
 * other difference fails the scenario, with its paths and both values.
 *
 * Requests can depend on the side (a member id one broker chose, a topic
 * id): pass a function of the `Side` instead of a request object.
 */
import assert from "node:assert/strict";
import { type ReferenceKafka, type ReferenceKafkaOptions, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { requestFrame, WireClient } from "../integration/_wire.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { responseHeaderVersion } from "../../src/protocol/api_headers.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";
import { advertisedVersions } from "../../src/handler/apis/registry.ts";
import type { AllowedDifference } from "./allowed_differences.ts";
import { type Body, CODECS, SUITE_COVERAGE } from "./_codecs.ts";
import { type Answer, type Difference, fmt, type Outcome, ResponseDiff, stripIndices } from "./_response_diff.ts";
import * as metadata from "../../src/protocol/generated/metadata.ts";
import { defaultListOffsetsPartition } from "../../src/protocol/generated/list_offsets.ts";
import * as apiVersions from "../../src/protocol/generated/api_versions.ts";
export { type Answer, type Body, CODECS, type Difference, type Outcome, stripIndices, SUITE_COVERAGE };

/** Settings given to both brokers, so that their defaults cannot explain a difference. */
export const COMMON_CONFIG: Readonly<Record<string, string>> = {
  "auto.create.topics.enable": "true",
  "num.partitions": "2",
  "default.replication.factor": "1",
  "group.initial.rebalance.delay.ms": "0",
  "offsets.topic.num.partitions": "4",
  "group.min.session.timeout.ms": "6000",
  "group.max.session.timeout.ms": "300000",
};

export type SideName = "kafka" | "tsbroker";

export class Side {
  client: WireClient | null = null;
  nextCorrelationId = 1;
  /** Values a scenario remembers per side (member ids, producer ids...). */
  readonly vars: Record<string, Body> = {};
  /** Broker-chosen id → alias ("#1", "#2"...), in order of first appearance. */
  readonly aliases = new Map<string, string>();
  readonly topicIds = new Map<string, string>();
  constructor(readonly name: SideName, readonly port: number, private readonly logTail: () => string) {}

  async connection(): Promise<WireClient> {
    if (this.client === null || this.client.closed) {
      try {
        this.client = await WireClient.connect(this.port);
      } catch (e) {
        throw new Error(`${this.name} does not accept connections (${e}); its log ends:\n${this.logTail()}`);
      }
    }
    return this.client;
  }

  /** Sends one request; the decoded answer, or "closed" if the broker closed the connection instead. */
  async send(apiKey: number, version: number, request: unknown, timeoutMs = 30_000): Promise<Outcome> {
    const codecs = CODECS.get(apiKey);
    if (!codecs) throw new Error(`no codecs for api ${apiKey}`);
    const client = await this.connection();
    const correlationId = this.nextCorrelationId++;
    client.write(requestFrame(apiKey, version, correlationId, "differential", request, codecs.encode));
    const frame = await client.readFrame(timeoutMs);
    if (frame === null) {
      this.client = null;
      return { kind: "closed" };
    }
    const r = new Reader(frame);
    const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    assert.equal(header.correlationId, correlationId, `${this.name}: correlation id of api ${apiKey} v${version}`);
    // ApiVersions with an unsupported version is answered at v0 (Kafka's rule, KIP-511).
    const decodeVersion = apiKey === 18 && r.remaining() >= 2 && r.view.getInt16(r.pos) === 35 ? 0 : version;
    const body = codecs.decode(r, decodeVersion);
    return { kind: "answer", body, leftover: r.remaining(), decodeVersion };
  }

  /** The topic's id on this broker (Metadata v12, not compared). */
  async topicId(topic: string): Promise<string> {
    const known = this.topicIds.get(topic);
    if (known) return known;
    const out = await this.send(3, 12, {
      ...metadata.defaultMetadataRequest(),
      topics: [{ ...metadata.defaultMetadataRequestTopic(), name: topic }],
      allowAutoTopicCreation: false,
    });
    assert.equal(out.kind, "answer");
    const t = (out as Answer).body.topics[0];
    this.topicIds.set(topic, t.topicId);
    return t.topicId;
  }
}

export interface Scenario<Req> {
  /** What this scenario checks, e.g. "CreateTopics: existing topic". */
  title: string;
  apiKey: number;
  version: number;
  request: Req | ((side: Side) => Req | Promise<Req>);
  timeoutMs?: number;
  /**
   * For a read that follows a write: how long to keep asking the reference again while its answer differs.
   * Kafka's broker applies a committed config or topic change from the controller's log a moment after the
   * write is answered (seconds on a loaded machine), so its first read may still show the old state.
   */
  settleMs?: number;
}

export interface Comparison {
  kafka: Body;
  tsbroker: Body;
  /** Both outcomes, "closed" included. */
  outcomes: { kafka: Outcome; tsbroker: Outcome };
}

export class Oracle {
  /** Leaf fields compared (equal after normalisation, or allowed to differ). */
  comparedFields = 0;
  scenarios = 0;
  /** Allowed differences that matched, with the number of fields each covered. */
  readonly used = new Map<AllowedDifference, number>();
  /** api key → versions sent to both brokers. */
  readonly sent = new Map<number, Set<number>>();
  readonly kafka: Side;
  readonly tsbroker: Side;
  /** api key → [min, max] advertised by the reference Kafka. */
  readonly kafkaVersions = new Map<number, [number, number]>();
  private readonly failures: string[] = [];
  /** Walks each exchange's two answers, counting into comparedFields and used. */
  private readonly differ = new ResponseDiff(this);

  private constructor(readonly reference: ReferenceKafka, readonly broker: BrokerProcess, readonly file: string) {
    this.kafka = new Side("kafka", reference.port, () => {
      try {
        return Deno.readTextFileSync(reference.logFile).slice(-3000);
      } catch {
        return "";
      }
    });
    this.tsbroker = new Side("tsbroker", broker.port, () => broker.output.slice(-30).join("\n"));
  }

  /**
   * Starts both brokers (in parallel) with COMMON_CONFIG plus `config`; `kafkaOnly` holds settings tsbroker has
   * no key for, which only make the reference start faster (internal topics with fewer partitions).
   */
  static async start(
    file: string,
    config: Record<string, string> = {},
    kafkaOnly: Record<string, string> = {},
    /** Settings for tsbroker alone (its own paths, e.g. log.dirs). */
    tsbrokerOnly: Record<string, string> = {},
    /** The reference's listeners besides PLAINTEXT (tsbroker's come with its `listeners` setting). */
    kafkaListeners: ReferenceKafkaOptions["extraListeners"] = [],
  ): Promise<Oracle> {
    const settings = { ...COMMON_CONFIG, ...config };
    const [reference, broker] = await Promise.all([
      startReferenceKafka({ config: { ...settings, ...kafkaOnly }, heap: "384m", extraListeners: kafkaListeners }),
      startBroker("deno", { overrides: { "node.id": 1, ...settings, ...tsbrokerOnly } }),
    ]);
    const oracle = new Oracle(reference, broker, file);
    const out = await oracle.kafka.send(18, 3, {
      ...apiVersions.defaultApiVersionsRequest(),
      clientSoftwareName: "differential",
      clientSoftwareVersion: "1",
    });
    assert.equal(out.kind, "answer");
    for (const k of (out as Answer).body.apiKeys) oracle.kafkaVersions.set(k.apiKey, [k.minVersion, k.maxVersion]);
    return oracle;
  }

  sides(): [Side, Side] {
    return [this.kafka, this.tsbroker];
  }

  /** Versions of `apiKey` tsbroker advertises (from the registry), low to high. */
  advertised(apiKey: number): number[] {
    const range = advertisedVersions().find((r) => r.apiKey === apiKey);
    assert.ok(range, `tsbroker does not advertise api ${apiKey}`);
    const out = [];
    for (let v = range.minVersion; v <= range.maxVersion; v++) out.push(v);
    return out;
  }

  /** Whether the reference Kafka advertises this version (KIP-896 removed many old ones). */
  kafkaSupports(apiKey: number, version: number): boolean {
    const r = this.kafkaVersions.get(apiKey);
    return r !== undefined && version >= r[0] && version <= r[1];
  }

  /** Versions of `apiKey` both brokers advertise: the ones where answers are compared field by field. */
  common(apiKey: number): number[] {
    return this.advertised(apiKey).filter((v) => this.kafkaSupports(apiKey, v));
  }

  /**
   * Waits (without comparing) until both brokers list each topic with its partitions led: Kafka's broker
   * learns a new topic from the controller a moment after CreateTopics answers.
   */
  async settle(topics: readonly string[], timeoutMs = 30_000): Promise<void> {
    for (const side of this.sides()) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const out = await side.send(3, 12, {
          ...metadata.defaultMetadataRequest(),
          topics: topics.map((name) => ({ ...metadata.defaultMetadataRequestTopic(), name })),
          allowAutoTopicCreation: false,
        });
        const listed = out.kind === "answer" &&
          out.body.topics.every((t: Body) =>
            t.errorCode === 0 && t.partitions.length > 0 && t.partitions.every((p: Body) => p.leaderId >= 0)
          );
        if (listed && out.kind === "answer" && await this.serving(side, out.body.topics)) break;
        if (Date.now() > deadline) throw new Error(`${side.name}: topics ${topics.join(", ")} not ready in time`);
        await sleep(100);
      }
    }
  }

  /**
   * Whether every listed partition answers ListOffsets without error. Kafka's broker publishes a new topic in its
   * metadata cache before its ReplicaManager takes leadership, so a produce in between gets NOT_LEADER_OR_FOLLOWER.
   */
  private async serving(side: Side, topics: Body[]): Promise<boolean> {
    const out = await side.send(2, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: topics.map((t: Body) => ({
        name: t.name,
        partitions: t.partitions.map((p: Body) => ({
          ...defaultListOffsetsPartition(),
          partitionIndex: p.partitionIndex,
          timestamp: -1n,
        })),
      })),
    });
    return out.kind === "answer" &&
      out.body.topics.every((t: Body) => t.partitions.every((p: Body) => p.errorCode === 0));
  }

  /** Waits (without comparing) until neither broker lists the topics any more (deletion is asynchronous). */
  async settleDeleted(topics: readonly string[], timeoutMs = 30_000): Promise<void> {
    for (const side of this.sides()) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const out = await side.send(3, 12, {
          ...metadata.defaultMetadataRequest(),
          topics: topics.map((name) => ({ ...metadata.defaultMetadataRequestTopic(), name })),
          allowAutoTopicCreation: false,
        });
        if (out.kind === "answer" && out.body.topics.every((t: Body) => t.errorCode === 3)) break;
        if (Date.now() > deadline) throw new Error(`${side.name}: topics ${topics.join(", ")} still listed`);
        await sleep(100);
      }
    }
    for (const side of this.sides()) for (const t of topics) side.topicIds.delete(t);
  }

  /**
   * Sends `request` to one side until `done` holds for its answer (not compared): waits out the reference's
   * internal topics loading (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR...) before the scenarios start.
   */
  async warmUp(side: Side, apiKey: number, version: number, request: unknown, done: (b: Body) => boolean) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const out = await side.send(apiKey, version, request);
      if (out.kind === "answer" && done(out.body)) return;
      if (Date.now() > deadline) throw new Error(`${side.name}: api ${apiKey} still not ready: ${fmt(out)}`);
      await sleep(200);
    }
  }

  /** Sends `scenario` to both brokers, compares the answers and records any difference not allowed. */
  async compare<Req>(scenario: Scenario<Req>): Promise<Comparison> {
    const { apiKey, version } = scenario;
    const build = async (side: Side): Promise<Req> =>
      typeof scenario.request === "function"
        ? await (scenario.request as (s: Side) => Req | Promise<Req>)(side)
        : scenario.request;
    const [kReq, tReq] = [await build(this.kafka), await build(this.tsbroker)];
    let [kOut, tOut] = await Promise.all([
      this.kafka.send(apiKey, version, kReq, scenario.timeoutMs),
      this.tsbroker.send(apiKey, version, tReq, scenario.timeoutMs),
    ]);
    if (!this.sent.has(apiKey)) this.sent.set(apiKey, new Set());
    this.sent.get(apiKey)!.add(version);
    this.scenarios++;
    let diffs = this.differ.diffOutcomes(apiKey, version, kOut, tOut, scenario.title);
    const settleBy = Date.now() + (scenario.settleMs ?? 0);
    while (diffs.length > 0 && Date.now() < settleBy) {
      await sleep(100);
      kOut = await this.kafka.send(apiKey, version, kReq, scenario.timeoutMs);
      diffs = this.differ.diffOutcomes(apiKey, version, kOut, tOut, scenario.title);
    }
    const title = `${CODECS.get(apiKey)!.name} v${version}: ${scenario.title}`;
    if (diffs.length > 0) {
      const lines = diffs.map((d) => `  ${d.path}: kafka ${fmt(d.kafka)} ≠ tsbroker ${fmt(d.tsbroker)}`);
      this.failures.push(`${title}\n${lines.join("\n")}`);
    }
    return {
      kafka: kOut.kind === "answer" ? kOut.body : undefined,
      tsbroker: tOut.kind === "answer" ? tOut.body : undefined,
      outcomes: { kafka: kOut, tsbroker: tOut },
    };
  }

  /** Remembers a value from each side's answer under `name` (side.vars), e.g. the member id each broker chose. */
  remember(name: string, c: Comparison, pick: (body: Body) => unknown): void {
    if (c.kafka !== undefined) this.kafka.vars[name] = pick(c.kafka);
    if (c.tsbroker !== undefined) this.tsbroker.vars[name] = pick(c.tsbroker);
  }

  /** Fails the calling test if any scenario so far differed in a way not allowed (and clears the list). */
  assertNoDifferences(): void {
    const failures = this.failures.splice(0);
    assert.ok(failures.length === 0, `differences not in allowed_differences.ts:\n${failures.join("\n")}`);
  }

  /** Fails unless every version tsbroker advertises of each of `apiKeys` was sent to both brokers. */
  assertCovered(apiKeys: readonly number[]): void {
    for (const key of apiKeys) {
      const missing = this.advertised(key).filter((v) => !this.sent.get(key)?.has(v));
      assert.deepEqual(missing, [], `${CODECS.get(key)!.name}: advertised versions never compared`);
    }
  }

  /** The closing note: compared fields and the allowed differences used. */
  report(): string {
    const perApi = [...this.sent].sort((a, b) => a[0] - b[0]).map(([k, vs]) => {
      const sorted = [...vs].sort((a, b) => a - b);
      return `${CODECS.get(k)!.name} v${sorted[0]}–v${sorted.at(-1)}`;
    });
    const lines = [
      `[differential] ${this.file}: ${this.scenarios} exchanges, ${this.comparedFields} compared fields`,
      `[differential]   APIs: ${perApi.join(", ")}`,
      `[differential]   allowed differences used (${this.used.size}):`,
      ...[...this.used].map(([d, n]) => `[differential]     ${d.id} (${n} fields): ${d.reason}`),
    ];
    const text = lines.join("\n");
    console.log(text);
    return text;
  }

  async stop(): Promise<void> {
    for (const side of this.sides()) side.client?.destroy();
    await Promise.all([this.reference.stop(), this.broker.stop()]);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Error codes used by scenarios, by name. */
export { ErrorCode } from "../../src/protocol/errors.ts";
