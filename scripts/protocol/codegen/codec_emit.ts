/**
 * Emits straight-line encode/decode functions for one struct, in the style
 * of franz-go's generator: a `flexible` flag, one `if (version ...)` block per
 * field whose presence or encoding changes across versions, compact
 * encodings and tagged-field sections where the message is flexible.
 *
 * Version conditions that always hold inside the struct's version span are
 * dropped, so e.g. a field present in every version reads unconditionally.
 */
import type { ParsedFieldType } from "../../../src/protocol/schema/field_type.ts";
import { inRange } from "../../../src/protocol/schema/field_type.ts";
import { type FieldModel, intersect, isEmpty, type Span, type StructModel } from "./model.ts";
import { baseTsType, defaultExpr, isDefaultExpr, isTsNullable, tsType } from "./types_emit.ts";

/** How a field is encoded in one run of consecutive versions. */
interface Segment {
  readonly lo: number;
  readonly hi: number;
  readonly compact: boolean;
  readonly nullable: boolean;
}

const RESERVED_LOCALS = new Set([
  "r",
  "w",
  "m",
  "t",
  "version",
  "flexible",
  "n",
  "a",
  "i",
  "s",
  "tag",
  "size",
  "end",
  "numTagged",
  "start",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "let",
  "static",
  "yield",
  "await",
  "implements",
  "interface",
  "package",
  "private",
  "protected",
  "public",
]);

function localName(f: FieldModel): string {
  return RESERVED_LOCALS.has(f.prop) ? `${f.prop}_` : f.prop;
}

/** Emission context of one struct's codec. */
class StructCtx {
  readonly span: Span;
  /** First flexible version of the message, or null. */
  readonly flexFrom: number | null;
  constructor(readonly struct: StructModel) {
    this.span = struct.span!;
    this.flexFrom = struct.message.flexibleVersions;
  }

  /** "always" | "never" | "mixed": is the message flexible within `span`? */
  flexibility(span: Span = this.span): "always" | "never" | "mixed" {
    if (this.flexFrom === null || this.flexFrom > span.hi) return "never";
    if (this.flexFrom <= span.lo) return "always";
    return "mixed";
  }

  /** Whether field `f` uses compact encodings at version `v`. */
  compactAt(f: FieldModel, v: number): boolean {
    const override = f.schema.flexibleVersions;
    const from = override !== undefined ? override : this.flexFrom;
    return from !== null && v >= from;
  }

  label(f: FieldModel): string {
    return `${this.struct.schemaName}.${f.schema.name}`;
  }

  /** Condition for "version within span" given that version is within `outer`. */
  cond(span: Span, outer: Span): string | null {
    const parts: string[] = [];
    if (span.lo > outer.lo) parts.push(this.geq(span.lo));
    if (span.hi < outer.hi) parts.push(`version <= ${span.hi}`);
    return parts.length === 0 ? null : parts.join(" && ");
  }

  geq(v: number): string {
    return v === this.flexFrom ? "flexible" : `version >= ${v}`;
  }

  /**
   * Runs of versions in which `f` is encoded the same way. Compactness only
   * matters for length-prefixed types, nullability only for types that can
   * be null; fixed-width fields therefore always form a single run.
   */
  segments(f: FieldModel, span: Span): Segment[] {
    const t = f.type;
    const lengthPrefixed = t.kind === "array" ||
      (t.kind === "primitive" &&
        (t.name === "string" || t.name === "bytes" || t.name === "records"));
    const canBeNull = t.kind === "array" || t.kind === "struct" ||
      (t.kind === "primitive" && (t.name === "string" || t.name === "bytes"));
    const out: Segment[] = [];
    for (let v = span.lo; v <= span.hi; v++) {
      const compact = lengthPrefixed && this.compactAt(f, v);
      const nullable = canBeNull && inRange(f.schema.nullableVersions, v);
      const last = out[out.length - 1];
      if (last && last.compact === compact && last.nullable === nullable) {
        out[out.length - 1] = { ...last, hi: v };
      } else {
        out.push({ lo: v, hi: v, compact, nullable });
      }
    }
    return out;
  }

  /** Splits the present versions of `f` into inline and tagged spans. */
  spans(f: FieldModel): { inline: Span | null; tagged: Span | null } {
    const present = intersect(this.span, f.schema.versions);
    if (isEmpty(present)) return { inline: null, tagged: null };
    const tv = f.schema.taggedVersions;
    if (tv === undefined) return { inline: present, tagged: null };
    const tagged = intersect(present, tv);
    if (isEmpty(tagged)) return { inline: present, tagged: null };
    if (tagged.hi !== present.hi) {
      throw new Error(
        `${this.label(f)}: tagged versions must be a suffix of its versions`,
      );
    }
    const inline = { lo: present.lo, hi: tagged.lo - 1 };
    if (this.flexFrom === null || tagged.lo < this.flexFrom) {
      throw new Error(`${this.label(f)}: tagged in a non-flexible version`);
    }
    return { inline: isEmpty(inline) ? null : inline, tagged };
  }
}

// ---------------------------------------------------------------------------
// Segment chains: `if (version >= c) {...} else if (...) {...} else {...}`

function chain(
  ctx: StructCtx,
  segs: Segment[],
  body: (s: Segment) => string[],
  ind: string,
): string[] {
  if (segs.length === 1) return body(segs[0]).map((l) => ind + l);
  const out: string[] = [];
  for (let k = segs.length - 1; k >= 0; k--) {
    const head = k === segs.length - 1
      ? `if (${ctx.geq(segs[k].lo)}) {`
      : k === 0
      ? `} else {`
      : `} else if (${ctx.geq(segs[k].lo)}) {`;
    out.push(ind + head);
    for (const l of body(segs[k])) out.push(ind + "  " + l);
  }
  out.push(ind + "}");
  return out;
}

function guarded(cond: string | null, lines: string[], ind: string): string[] {
  if (cond === null) return lines.map((l) => ind + l);
  return [
    `${ind}if (${cond}) {`,
    ...lines.map((l) => ind + "  " + l),
    `${ind}}`,
  ];
}

// ---------------------------------------------------------------------------
// Decoding

function primitiveRead(
  t: ParsedFieldType & { kind: "primitive" },
  seg: Segment,
): string {
  const c = seg.compact ? "Compact" : "";
  switch (t.name) {
    case "string":
      return seg.nullable ? `r.read${c}NullableString()` : `r.read${c}String()`;
    case "bytes":
      return seg.nullable ? `r.read${c}NullableBytes()` : `r.read${c}Bytes()`;
    case "records":
      return `r.read${c}Records()`;
    case "bool":
      return "r.readBool()";
    case "int8":
      return "r.readInt8()";
    case "int16":
      return "r.readInt16()";
    case "uint16":
      return "r.readUint16()";
    case "int32":
      return "r.readInt32()";
    case "uint32":
      return "r.readUint32()";
    case "int64":
      return "r.readInt64()";
    case "varint":
      return "r.readVarint()";
    case "float64":
      return "r.readFloat64()";
    case "uuid":
      return "r.readUuid()";
  }
}

/** Statements assigning the decoded value of `f` (as in `seg`) to `target`. */
function readStatements(f: FieldModel, seg: Segment, target: string): string[] {
  const t = f.type;
  if (t.kind === "primitive") return [`${target} = ${primitiveRead(t, seg)};`];
  if (t.kind === "struct") {
    const call = `decode${f.struct!.tsName}(r, version)`;
    return [
      seg.nullable ? `${target} = r.readInt8() < 0 ? null : ${call};` : `${target} = ${call};`,
    ];
  }
  const c = seg.compact ? "Compact" : "";
  const el = t.element;
  const elemRead = el.kind === "struct"
    ? `decode${f.struct!.tsName}(r, version)`
    : primitiveRead(el as ParsedFieldType & { kind: "primitive" }, {
      ...seg,
      nullable: false,
    });
  // Preallocating is about twice as fast as push() on V8 and JSC; `n` is
  // already bounded by the bytes left (Reader.read*ArrayLength).
  const fill = [
    `const a: ${baseTsType(t, f)} = new Array(n);`,
    `for (let i = 0; i < n; i++) a[i] = ${elemRead};`,
    `${target} = a;`,
  ];
  if (!seg.nullable) return [`const n = r.read${c}ArrayLength();`, ...fill];
  return [
    `const n = r.read${c}NullableArrayLength();`,
    `if (n < 0) {`,
    `  ${target} = null;`,
    `} else {`,
    ...fill.map((l) => "  " + l),
    `}`,
  ];
}

/** Wraps multi-statement reads in a block so `n`/`a` stay local. */
function readBlock(f: FieldModel, seg: Segment, target: string): string[] {
  const st = readStatements(f, seg, target);
  return st.length === 1 ? st : ["{", ...st.map((l) => "  " + l), "}"];
}

/** The decoder's tagged-field loop: each known tag read in place, unknown ones skipped. */
function taggedSection(ctx: StructCtx, tagged: { f: FieldModel; span: Span }[]): string[] {
  if (tagged.length === 0) return ["r.skipTaggedFields();"];
  const section: string[] = [];
  const tctx: Span = {
    lo: Math.max(ctx.span.lo, ctx.flexFrom!),
    hi: ctx.span.hi,
  };
  section.push(
    `const numTagged = r.readUnsignedVarint("tagged field count");`,
    `for (let t = 0; t < numTagged; t++) {`,
    `  const tag = r.readUnsignedVarint("tag");`,
    `  const size = r.readUnsignedVarint("tagged field size");`,
  );
  tagged.sort((x, y) => x.f.schema.tag! - y.f.schema.tag!);
  tagged.forEach(({ f, span }, k) => {
    const cond = ctx.cond(span, tctx);
    const test = `tag === ${f.schema.tag}` + (cond ? ` && ${cond}` : "");
    section.push(`  ${k === 0 ? "if" : "} else if"} (${test}) {`);
    section.push(`    const end = r.pos + size;`);
    section.push(
      ...chain(
        ctx,
        ctx.segments(f, span),
        (seg) => readStatements(f, seg, localName(f)),
        "    ",
      ),
    );
    section.push(`    r.endTaggedField(end, "${ctx.label(f)}");`);
  });
  section.push(`  } else {`, `    r.skip(size);`, `  }`, `}`);
  return section;
}

export function emitDecoder(s: StructModel, exported: boolean): string {
  const ctx = new StructCtx(s);
  const body: string[] = [];
  const tagged: { f: FieldModel; span: Span }[] = [];

  for (const f of s.fields) {
    const local = localName(f);
    const { inline, tagged: tspan } = ctx.spans(f);
    if (tspan) tagged.push({ f, span: tspan });
    if (inline === null) {
      const decl = tspan ? "let" : "const";
      body.push(`  ${decl} ${local}: ${tsType(f)} = ${defaultExpr(f)};`);
      continue;
    }
    const cond = ctx.cond(inline, ctx.span);
    const segs = ctx.segments(f, inline);
    const simple = segs.length === 1 &&
      readStatements(f, segs[0], local).length === 1;
    if (cond === null && tspan === null && simple) {
      body.push(`  const ${readStatements(f, segs[0], local)[0]}`);
      continue;
    }
    body.push(
      cond === null && tspan === null
        ? `  let ${local}: ${tsType(f)};`
        : `  let ${local}: ${tsType(f)} = ${defaultExpr(f)};`,
    );
    const inner = segs.length === 1
      ? readBlock(f, segs[0], local)
      : chain(ctx, segs, (seg) => readStatements(f, seg, local), "");
    body.push(...guarded(cond, inner, "  "));
  }

  const flex = ctx.flexibility();
  if (flex !== "never") {
    body.push(...guarded(flex === "mixed" ? "flexible" : null, taggedSection(ctx, tagged), "  "));
  }

  const props = s.fields.map((f) => {
    const local = localName(f);
    return local === f.prop ? local : `${f.prop}: ${local}`;
  });
  body.push(`  return { ${props.join(", ")} };`);
  return finishFunction(
    `${exported ? "export " : ""}function decode${s.tsName}(r: Reader, version: number): ${s.tsName} {`,
    ctx,
    body,
  );
}

// ---------------------------------------------------------------------------
// Encoding

function primitiveWrite(
  t: ParsedFieldType & { kind: "primitive" },
  seg: Segment,
  x: string,
  nonNullLabel: string | null,
): string {
  const c = seg.compact ? "Compact" : "";
  const v = nonNullLabel !== null && !seg.nullable ? `nonNull(${x}, "${nonNullLabel}")` : x;
  switch (t.name) {
    case "string":
      return seg.nullable ? `w.write${c}NullableString(${x});` : `w.write${c}String(${v});`;
    case "bytes":
      return seg.nullable ? `w.write${c}NullableBytes(${x});` : `w.write${c}Bytes(${v});`;
    case "records":
      return `w.write${c}NullableBytes(${x});`;
    case "bool":
      return `w.writeBool(${x});`;
    case "int8":
      return `w.writeInt8(${x});`;
    case "int16":
      return `w.writeInt16(${x});`;
    case "uint16":
      return `w.writeUint16(${x});`;
    case "int32":
      return `w.writeInt32(${x});`;
    case "uint32":
      return `w.writeUint32(${x});`;
    case "int64":
      return `w.writeInt64(${x});`;
    case "varint":
      return `w.writeVarint(${x});`;
    case "float64":
      return `w.writeFloat64(${x});`;
    case "uuid":
      return `w.writeUuid(${x});`;
  }
}

function writeStatements(
  ctx: StructCtx,
  f: FieldModel,
  seg: Segment,
  x: string,
): string[] {
  const t = f.type;
  // Null is representable only in nullable versions; elsewhere refuse it.
  const nn = isTsNullable(f) && !seg.nullable ? ctx.label(f) : null;
  if (t.kind === "primitive") return [primitiveWrite(t, seg, x, nn)];
  if (t.kind === "struct") {
    const enc = (v: string) => `encode${f.struct!.tsName}(w, version, ${v});`;
    if (!seg.nullable) return [enc(nn ? `nonNull(${x}, "${nn}")` : x)];
    return [
      `if (${x} === null) {`,
      `  w.writeInt8(-1);`,
      `} else {`,
      `  w.writeInt8(1);`,
      `  ${enc(x)}`,
      `}`,
    ];
  }
  const c = seg.compact ? "Compact" : "";
  const el = t.element;
  const elemWrite = el.kind === "struct" ? `encode${f.struct!.tsName}(w, version, a[i]);` : primitiveWrite(
    el as ParsedFieldType & { kind: "primitive" },
    { ...seg, nullable: false },
    "a[i]",
    null,
  );
  const loop = [
    `w.write${c}ArrayLength(a.length);`,
    `for (let i = 0; i < a.length; i++) ${elemWrite}`,
  ];
  if (!seg.nullable) {
    return [`const a = ${nn ? `nonNull(${x}, "${nn}")` : x};`, ...loop];
  }
  return [
    `const a = ${x};`,
    `if (a === null) {`,
    `  w.write${c}ArrayLength(-1);`,
    `} else {`,
    ...loop.map((l) => "  " + l),
    `}`,
  ];
}

function writeBlock(
  ctx: StructCtx,
  f: FieldModel,
  seg: Segment,
  x: string,
): string[] {
  const st = writeStatements(ctx, f, seg, x);
  const needsScope = st.some((l) => l.startsWith("const "));
  return needsScope ? ["{", ...st.map((l) => "  " + l), "}"] : st;
}

export function emitEncoder(s: StructModel, exported: boolean): string {
  const ctx = new StructCtx(s);
  const body: string[] = [];
  const tagged: { f: FieldModel; span: Span }[] = [];

  for (const f of s.fields) {
    const { inline, tagged: tspan } = ctx.spans(f);
    if (tspan) tagged.push({ f, span: tspan });
    if (inline === null) continue; // absent in every version this codec sees
    const x = `m.${f.prop}`;
    const segs = ctx.segments(f, inline);
    const inner = segs.length === 1
      ? writeBlock(ctx, f, segs[0], x)
      : chain(ctx, segs, (seg) => writeStatements(ctx, f, seg, x), "");
    body.push(...guarded(ctx.cond(inline, ctx.span), inner, "  "));
  }

  const flex = ctx.flexibility();
  if (flex !== "never") {
    const section: string[] = [];
    if (tagged.length === 0) {
      section.push("w.writeEmptyTaggedFields();");
    } else {
      const tctx: Span = {
        lo: Math.max(ctx.span.lo, ctx.flexFrom!),
        hi: ctx.span.hi,
      };
      tagged.sort((x, y) => x.f.schema.tag! - y.f.schema.tag!);
      // Like Kafka, a tagged field is sent only when it differs from its default.
      for (const { f, span } of tagged) {
        const cond = ctx.cond(span, tctx);
        const differs = `!(${isDefaultExpr(f, `m.${f.prop}`)})`
          .replace(/^!\((\w[\w.]*) === (.*)\)$/, "$1 !== $2")
          .replace(/^!\((\w+\([\w.]*\))\)$/, "!$1");
        section.push(
          `const tag${f.schema.tag} = ${cond ? `${cond} && ` : ""}${differs};`,
        );
      }
      const count = tagged.length === 1
        ? `tag${tagged[0].f.schema.tag} ? 1 : 0`
        : tagged.map(({ f }) => `(tag${f.schema.tag} ? 1 : 0)`).join(" + ");
      section.push(`w.writeUnsignedVarint(${count});`);
      for (const { f, span } of tagged) {
        section.push(`if (tag${f.schema.tag}) {`);
        section.push(`  const start = w.beginTaggedField(${f.schema.tag});`);
        const segs = ctx.segments(f, span);
        const inner = segs.length === 1 ? writeBlock(ctx, f, segs[0], `m.${f.prop}`) : chain(
          ctx,
          segs,
          (seg) => writeStatements(ctx, f, seg, `m.${f.prop}`),
          "",
        );
        section.push(...inner.map((l) => "  " + l));
        section.push(`  w.endTaggedField(start);`);
        section.push(`}`);
      }
    }
    body.push(...guarded(flex === "mixed" ? "flexible" : null, section, "  "));
  }

  return finishFunction(
    `${exported ? "export " : ""}function encode${s.tsName}(w: Writer, version: number, m: ${s.tsName}): void {`,
    ctx,
    body,
  );
}

/** Adds the `flexible` flag when used and marks `version` unused when not. */
function finishFunction(
  signature: string,
  ctx: StructCtx,
  body: string[],
): string {
  const text = body.join("\n");
  const lines = [signature];
  if (/(?<![.\w])flexible\b/.test(text)) {
    lines.push(`  const flexible = version >= ${ctx.flexFrom};`);
  }
  let head = lines.join("\n");
  if (!/(?<![.\w])(version|flexible)\b/.test(text)) {
    head = head.replace("version: number", "_version: number");
  }
  return `${head}\n${text}\n}\n`;
}
