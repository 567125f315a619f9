/**
 * Resolves schema tables into what the emitter needs: struct names (with
 * clashes between a request and its response disambiguated), TypeScript
 * property names and types, and for every struct the hull of versions in
 * which its codec can run (used to drop version checks that always hold).
 */
import type { FieldSchema, MessageSchema, VersionRange } from "../../../src/protocol/schema/types.ts";
import { type ParsedFieldType, parseFieldType } from "../../../src/protocol/schema/field_type.ts";

/** Closed interval of versions; empty when lo > hi. */
export interface Span {
  readonly lo: number;
  readonly hi: number;
}

export interface StructModel {
  readonly schemaName: string;
  tsName: string;
  readonly fields: FieldModel[];
  /** Versions in which this struct's codec may be called. */
  span: Span | null;
  readonly topLevel: boolean;
  readonly message: MessageSchema;
  /** A tagged, non-nullable field holds this struct: emit `isDefaultX`. */
  needsIsDefault: boolean;
}

export interface FieldModel {
  readonly schema: FieldSchema;
  readonly prop: string;
  readonly type: ParsedFieldType;
  /** Struct referenced by a struct or array-of-struct field. */
  struct: StructModel | null;
}

export interface MessageModel {
  readonly schema: MessageSchema;
  readonly root: StructModel;
  /** Every struct of the message, root first, in declaration order. */
  readonly structs: StructModel[];
}

export function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function intersect(s: Span, r: VersionRange): Span {
  return {
    lo: Math.max(s.lo, r[0]),
    hi: r[1] === null ? s.hi : Math.min(s.hi, r[1]),
  };
}

export function isEmpty(s: Span): boolean {
  return s.lo > s.hi;
}

function hull(a: Span | null, b: Span): Span {
  return a === null ? b : { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

/** Struct element type of a field, if any. */
function structNameOf(t: ParsedFieldType): string | null {
  if (t.kind === "struct") return t.name;
  if (t.kind === "array" && t.element.kind === "struct") return t.element.name;
  return null;
}

function buildMessage(schema: MessageSchema): MessageModel {
  const structs = new Map<string, StructModel>();
  const order: StructModel[] = [];
  const common = new Map(schema.commonStructs.map((c) => [c.name, c]));

  const declare = (
    name: string,
    fields: readonly FieldSchema[],
    topLevel: boolean,
  ) => {
    if (structs.has(name)) {
      throw new Error(`${schema.name}: struct ${name} declared twice`);
    }
    const model: StructModel = {
      schemaName: name,
      tsName: name,
      fields: [],
      span: null,
      topLevel,
      message: schema,
      needsIsDefault: false,
    };
    structs.set(name, model);
    order.push(model);
    for (const f of fields) {
      const type = parseFieldType(f.type);
      const field: FieldModel = {
        schema: f,
        prop: lowerCamel(f.name),
        type,
        struct: null,
      };
      model.fields.push(field);
      const sn = structNameOf(type);
      if (sn !== null && f.fields) declare(sn, f.fields, false);
    }
    return model;
  };

  const root = declare(schema.name, schema.fields, true);
  const resolve = (model: StructModel) => {
    for (const f of model.fields) {
      const sn = structNameOf(f.type);
      if (sn === null) continue;
      let target = structs.get(sn);
      if (!target) {
        const c = common.get(sn);
        if (!c) throw new Error(`${schema.name}: unknown struct ${sn}`);
        target = declare(sn, c.fields, false);
        resolve(target);
      }
      f.struct = target;
    }
  };
  for (const m of [...order]) resolve(m);

  // Propagate version spans from the root down every field that can be present.
  const visit = (model: StructModel, span: Span) => {
    model.span = hull(model.span, span);
    for (const f of model.fields) {
      const present = intersect(span, f.schema.versions);
      if (isEmpty(present) || f.struct === null) continue;
      visit(f.struct, present);
    }
  };
  visit(root, { lo: schema.validVersions[0], hi: schema.validVersions[1] });

  for (const s of order) {
    for (const f of s.fields) {
      if (
        f.struct && f.type.kind === "struct" && f.schema.taggedVersions &&
        f.schema.default !== null
      ) {
        markIsDefault(f.struct);
      }
    }
  }
  return { schema, root, structs: order };
}

function markIsDefault(s: StructModel): void {
  if (s.needsIsDefault) return;
  s.needsIsDefault = true;
  for (const f of s.fields) {
    if (f.struct && f.type.kind === "struct" && f.schema.default !== null) {
      markIsDefault(f.struct);
    }
  }
}

/**
 * Builds the models of the messages emitted into one module. Nested struct
 * names used by more than one of them (e.g. a `Cursor` in both request and
 * response) are prefixed with their message name to keep exports unique.
 */
export function buildModule(schemas: readonly MessageSchema[]): MessageModel[] {
  const models = schemas.map(buildMessage);
  const count = new Map<string, number>();
  for (const m of models) {
    for (const s of m.structs) {
      count.set(s.schemaName, (count.get(s.schemaName) ?? 0) + 1);
    }
  }
  for (const m of models) {
    for (const s of m.structs) {
      if (!s.topLevel && (count.get(s.schemaName) ?? 0) > 1) {
        s.tsName = s.schemaName.startsWith(m.schema.name) ? s.schemaName : m.schema.name + s.schemaName;
      }
    }
  }
  const seen = new Set<string>();
  for (const m of models) {
    for (const s of m.structs) {
      if (seen.has(s.tsName)) {
        throw new Error(`duplicate struct name ${s.tsName}`);
      }
      seen.add(s.tsName);
    }
  }
  return models;
}
