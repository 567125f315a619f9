/**
 * The differential oracle's comparison (see _oracle.ts): two decoded answers
 * walked field by field along the response schema at the version sent, record
 * sets batch by batch, each difference checked against allowed_differences.ts
 * (values allowed to differ, broker-chosen ids aliased per side, arrays
 * matched by a key or sorted where the protocol leaves their order free).
 * What is compared and which allowed differences were used are added to the
 * oracle's tallies; what remains is returned as the scenario's differences.
 */
import assert from "node:assert/strict";
import { API_SCHEMAS } from "../../src/protocol/schema/messages/index.ts";
import type { FieldSchema, MessageSchema } from "../../src/protocol/schema/types.ts";
import { inRange, parseFieldType } from "../../src/protocol/schema/field_type.ts";
import { errorName } from "../../src/protocol/errors.ts";
import { ALLOWED_DIFFERENCES, type AllowedDifference, matchesPath } from "./allowed_differences.ts";
import type { Body } from "./_codecs.ts";

export type Answer = { kind: "answer"; body: Body; leftover: number; decodeVersion: number };
export type Outcome = Answer | { kind: "closed" };

export interface Difference {
  path: string;
  kafka: unknown;
  tsbroker: unknown;
}

/** A value as a difference report shows it (bigints with their "n", byte arrays by length). */
export const fmt = (v: unknown): string =>
  typeof v === "bigint"
    ? `${v}n`
    : v instanceof Uint8Array
    ? `<${v.byteLength} bytes>`
    : JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);

/** What a comparison adds to and reads from its oracle: the tallies, each side's aliases, Kafka's versions. */
export interface DiffTally {
  /** Leaf fields compared (equal after normalisation, or allowed to differ). */
  comparedFields: number;
  /** Allowed differences that matched, with the number of fields each covered. */
  readonly used: Map<AllowedDifference, number>;
  /** Each side's broker-chosen id → alias ("#1", "#2"...), in order of first appearance. */
  readonly kafka: { readonly aliases: Map<string, string> };
  readonly tsbroker: { readonly aliases: Map<string, string> };
  kafkaSupports(apiKey: number, version: number): boolean;
}

/** Compares the two brokers' outcomes of one exchange, counting into the oracle's tallies. */
export class ResponseDiff {
  constructor(private readonly tally: DiffTally) {}

  /** The first plain entry allowing a difference at `path` (and, given the two values, whose `when` holds). */
  private allowed(
    apiKey: number,
    version: number,
    title: string,
    path: string,
    values?: [unknown, unknown],
  ): AllowedDifference | undefined {
    return ALLOWED_DIFFERENCES.find((d) =>
      d.unordered === undefined && d.keyedBy === undefined &&
      (d.apiKeys === "all" || d.apiKeys.includes(apiKey)) &&
      (d.versions === undefined || (version >= d.versions[0] && version <= d.versions[1])) &&
      (d.scenario === undefined || d.scenario.test(title)) &&
      matchesPath(d.path, path) &&
      (values === undefined ||
        (d.alias ? aliasable(values[0]) && aliasable(values[1]) : d.when === undefined || d.when(values[0], values[1])))
    );
  }

  private use(d: AllowedDifference, n = 1): void {
    this.tally.used.set(d, (this.tally.used.get(d) ?? 0) + n);
    this.tally.comparedFields += n;
  }

  /** The differences between the two outcomes that allowed_differences.ts does not allow. */
  diffOutcomes(apiKey: number, version: number, k: Outcome, t: Outcome, title: string): Difference[] {
    const diffs: Difference[] = [];
    const describe = (o: Outcome) => o.kind === "closed" ? "connection closed" : "answered";
    if (k.kind !== t.kind) {
      const d = this.allowed(apiKey, version, title, "$outcome");
      if (d?.kafkaLacksVersion) {
        // The entry claims Kafka dropped this version: hold it to Kafka's own ApiVersions answer.
        assert.ok(
          !this.tally.kafkaSupports(apiKey, version),
          `${d.id}: Kafka does advertise api ${apiKey} v${version}`,
        );
      }
      if (d) this.use(d);
      else diffs.push({ path: "$outcome", kafka: describe(k), tsbroker: describe(t) });
      return diffs;
    }
    this.tally.comparedFields++;
    if (k.kind === "closed" || t.kind === "closed") return diffs;
    this.tally.comparedFields++;
    if (k.leftover !== 0 || t.leftover !== 0) {
      diffs.push({ path: "$leftoverBytes", kafka: k.leftover, tsbroker: t.leftover });
    }
    const schema = API_SCHEMAS.find((s) => s.apiKey === apiKey)!.response;
    const ctx = { apiKey, version: k.decodeVersion, title, schema, diffs };
    if (k.decodeVersion !== t.decodeVersion) {
      diffs.push({ path: "$decodedAt", kafka: k.decodeVersion, tsbroker: t.decodeVersion });
      return diffs;
    }
    this.walkStruct(ctx, schema.fields, k.body, t.body, "");
    return diffs;
  }

  private walkStruct(ctx: WalkContext, fields: readonly FieldSchema[], a: Body, b: Body, path: string): void {
    for (const field of fields) {
      if (!inRange(field.versions, ctx.version)) continue;
      const name = field.name.charAt(0).toLowerCase() + field.name.slice(1);
      const p = path === "" ? name : `${path}.${name}`;
      this.walkField(ctx, field, a?.[name], b?.[name], p);
    }
  }

  private structFields(ctx: WalkContext, field: FieldSchema, typeName: string): readonly FieldSchema[] {
    return field.fields ?? ctx.schema.commonStructs.find((s) => s.name === typeName)?.fields ?? [];
  }

  private walkField(ctx: WalkContext, field: FieldSchema, a: Body, b: Body, p: string): void {
    const type = parseFieldType(field.type);
    if (type.kind === "struct") {
      if (a === null || b === null) return this.leaf(ctx, p, a === null ? null : "{…}", b === null ? null : "{…}");
      return this.walkStruct(ctx, this.structFields(ctx, field, type.name), a, b, p);
    }
    if (type.kind === "array") {
      if (a === null || b === null) return this.leaf(ctx, p, a === null ? null : "[…]", b === null ? null : "[…]");
      const generic = stripIndices(p);
      const keyed = ALLOWED_DIFFERENCES.find((d) =>
        d.keyedBy !== undefined && (d.apiKeys === "all" || d.apiKeys.includes(ctx.apiKey)) &&
        (d.scenario === undefined || d.scenario.test(ctx.title)) &&
        (d.versions === undefined || (ctx.version >= d.versions[0] && ctx.version <= d.versions[1])) &&
        matchesPath(d.path, generic)
      );
      if (keyed) return this.walkKeyed(ctx, field, keyed, a as Body[], b as Body[], p);
      const order = ALLOWED_DIFFERENCES.find((d) =>
        d.unordered !== undefined && (d.apiKeys === "all" || d.apiKeys.includes(ctx.apiKey)) &&
        matchesPath(d.path, generic)
      );
      let [xs, ys] = [a as Body[], b as Body[]];
      if (order) {
        const key = (e: Body) => order.unordered!.map((f) => fmt(e?.[f] ?? e)).join("|");
        const sort = (arr: Body[]) => [...arr].sort((l, r) => key(l) < key(r) ? -1 : key(l) > key(r) ? 1 : 0);
        const [sx, sy] = [sort(xs), sort(ys)];
        const reordered = (orig: Body[], sorted: Body[]) => orig.some((e, i) => e !== sorted[i]);
        if (reordered(xs, sx) || reordered(ys, sy)) this.tally.used.set(order, (this.tally.used.get(order) ?? 0) + 1);
        [xs, ys] = [sx, sy];
      }
      if (xs.length !== ys.length) {
        const d = this.allowed(ctx.apiKey, ctx.version, ctx.title, `${generic}.length`, [xs, ys]);
        if (d) return this.use(d);
        // Name what only one side has when the elements carry a name, else show the start of each.
        const id = ["name", "groupId", "topic", "partitionIndex", "apiKey"].find((f) =>
          (xs[0] ?? ys[0])?.[f] !== undefined
        );
        const ids = (arr: Body[]) => new Set(arr.map((e) => fmt(e?.[id!])));
        const only = (l: Set<string>, r: Set<string>) => [...l].filter((x) => !r.has(x)).join(", ");
        const [kx, ky] = id ? [ids(xs), ids(ys)] : [new Set<string>(), new Set<string>()];
        ctx.diffs.push({
          path: `${p}.length`,
          kafka: id ? `${xs.length}, only here: ${only(kx, ky)}` : `${xs.length}: ${fmt(xs).slice(0, 400)}`,
          tsbroker: id ? `${ys.length}, only here: ${only(ky, kx)}` : `${ys.length}: ${fmt(ys).slice(0, 400)}`,
        });
        return;
      }
      this.tally.comparedFields++;
      for (let i = 0; i < xs.length; i++) {
        const q = `${p}[${i}]`;
        if (type.element.kind === "primitive") this.leaf(ctx, q, xs[i], ys[i]);
        else {this.walkStruct(
            ctx,
            this.structFields(ctx, field, type.element.kind === "struct" ? type.element.name : ""),
            xs[i],
            ys[i],
            q,
          );}
      }
      return;
    }
    if (field.type === "records" && a instanceof Uint8Array && b instanceof Uint8Array && !equal(a, b)) {
      return this.walkRecords(ctx, p, a, b);
    }
    this.leaf(ctx, p, a, b);
  }

  /** Record sets that differ: compared batch by batch, header field by field, then the records' bytes. */
  private walkRecords(ctx: WalkContext, p: string, a: Uint8Array, b: Uint8Array): void {
    const [xs, ys] = [splitBatches(a), splitBatches(b)];
    if (xs.length !== ys.length) {
      ctx.diffs.push({ path: `${p}.batches.length`, kafka: xs.length, tsbroker: ys.length });
      return;
    }
    xs.forEach((x, i) => {
      const y = ys[i];
      for (const key of Object.keys(x) as (keyof BatchView)[]) {
        // The crc covers the producer id: when the ids differ (each broker chose its own) so must the crcs.
        const name = key === "crc" && x.producerId !== y.producerId ? "crcOverDifferentProducerIds" : key;
        this.leaf(ctx, `${p}.batches[${i}].${name}`, x[key], y[key]);
      }
    });
  }

  /** Arrays matched element by element on a key field (see AllowedDifference.keyedBy). */
  private walkKeyed(ctx: WalkContext, field: FieldSchema, rule: AllowedDifference, a: Body[], b: Body[], p: string) {
    const key = rule.keyedBy!;
    const type = parseFieldType(field.type);
    const fields = type.kind === "array" && type.element.kind === "struct"
      ? this.structFields(ctx, field, type.element.name)
      : [];
    const ys = new Map(b.map((e) => [e[key], e]));
    for (const x of a) {
      const y = ys.get(x[key]);
      const q = `${p}[${key}=${x[key]}]`;
      if (y === undefined) {
        if (rule.onlyInKafka?.includes(x[key])) this.use(rule);
        else ctx.diffs.push({ path: q, kafka: "present", tsbroker: "absent" });
        continue;
      }
      ys.delete(x[key]);
      this.walkStruct(ctx, fields, x, y, q);
    }
    for (const k of ys.keys()) {
      if (rule.onlyInTsbroker?.includes(k)) this.use(rule);
      else ctx.diffs.push({ path: `${p}[${key}=${k}]`, kafka: "absent", tsbroker: "present" });
    }
  }

  private leaf(ctx: WalkContext, p: string, a: unknown, b: unknown): void {
    const generic = stripIndices(p);
    const rule = this.allowed(ctx.apiKey, ctx.version, ctx.title, generic, [a, b]);
    if (rule?.alias) {
      // Broker-chosen ids: equal when each is the n-th distinct id its broker handed out.
      const [x, y] = [
        this.alias(this.tally.kafka, `${typeof a}:${a}`),
        this.alias(this.tally.tsbroker, `${typeof b}:${b}`),
      ];
      if (x === y) return this.use(rule);
      ctx.diffs.push({ path: p, kafka: `${a} (${x})`, tsbroker: `${b} (${y})` });
      return;
    }
    if (equal(a, b)) {
      this.tally.comparedFields++;
      return;
    }
    if (rule && !rule.alias) return this.use(rule);
    const named = /errorCode$/i.test(p) && typeof a === "number" && typeof b === "number";
    ctx.diffs.push({
      path: p,
      kafka: named ? `${a} ${errorName(a as number)}` : a,
      tsbroker: named ? `${b} ${errorName(b as number)}` : b,
    });
  }

  private alias(side: { readonly aliases: Map<string, string> }, value: string): string {
    let alias = side.aliases.get(value);
    if (alias === undefined) side.aliases.set(value, alias = `#${side.aliases.size + 1}`);
    return alias;
  }
}

interface BatchView {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  records: Uint8Array;
}

/** The v2 batches of a record set, header fields decoded (a trailing partial batch is kept as raw bytes). */
function splitBatches(buf: Uint8Array): BatchView[] {
  const out: BatchView[] = [];
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at + 61 <= buf.byteLength) {
    const length = v.getInt32(at + 8);
    const end = Math.min(buf.byteLength, at + 12 + length);
    out.push({
      baseOffset: v.getBigInt64(at),
      batchLength: length,
      partitionLeaderEpoch: v.getInt32(at + 12),
      magic: v.getInt8(at + 16),
      crc: v.getUint32(at + 17),
      attributes: v.getInt16(at + 21),
      lastOffsetDelta: v.getInt32(at + 23),
      baseTimestamp: v.getBigInt64(at + 27),
      maxTimestamp: v.getBigInt64(at + 35),
      producerId: v.getBigInt64(at + 43),
      producerEpoch: v.getInt16(at + 51),
      baseSequence: v.getInt32(at + 53),
      recordCount: v.getInt32(at + 57),
      records: buf.subarray(at + 61, end),
    });
    at = end;
  }
  return out;
}

interface WalkContext {
  apiKey: number;
  version: number;
  title: string;
  schema: MessageSchema;
  diffs: Difference[];
}

/** "topics[3].configs[name=x].value" → "topics[].configs[].value", the form allowed paths are written in. */
export function stripIndices(path: string): string {
  return path.replace(/\[\d+\]/g, "[]").replace(/\[[^\]=]+=[^\]]*\]/g, "[]");
}

/** Ids a broker chose (non-empty strings, non-negative numbers), as opposed to sentinels like "" and -1. */
function aliasable(v: unknown): boolean {
  return (typeof v === "string" && v !== "") || ((typeof v === "bigint" || typeof v === "number") && v >= 0);
}

function equal(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
  }
  return a === b;
}
