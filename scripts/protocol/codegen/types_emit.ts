/**
 * Type-level pieces of the emitted code: TypeScript types of fields,
 * default-value expressions and "is default" tests.
 */
import type { ParsedFieldType } from "../../../src/protocol/schema/field_type.ts";
import type { FieldModel, StructModel } from "./model.ts";

/** Base TS type of a parsed type, without nullability. */
export function baseTsType(t: ParsedFieldType, f: FieldModel): string {
  switch (t.kind) {
    case "array":
      return `${baseTsType(t.element, f)}[]`;
    case "struct":
      return f.struct!.tsName;
    case "primitive":
      switch (t.name) {
        case "int64":
          return "bigint";
        case "bool":
          return "boolean";
        case "string":
        case "uuid":
          return "string";
        case "bytes":
        case "records":
          return "Uint8Array";
        default:
          return "number";
      }
  }
}

/** True if the field's TS type admits null (records always do). */
export function isTsNullable(f: FieldModel): boolean {
  if (f.type.kind === "primitive" && f.type.name === "records") return true;
  return f.schema.nullableVersions !== undefined;
}

export function tsType(f: FieldModel): string {
  const base = baseTsType(f.type, f);
  return isTsNullable(f) ? `${base} | null` : base;
}

/** Expression for the value a field takes when absent (or not yet read). */
export function defaultExpr(f: FieldModel): string {
  const d = f.schema.default;
  if (d === null) return "null";
  const t = f.type;
  if (d !== undefined) {
    if (typeof d === "bigint") return `${d}n`;
    return JSON.stringify(d);
  }
  switch (t.kind) {
    case "array":
      return "[]";
    case "struct":
      return `default${f.struct!.tsName}()`;
    case "primitive":
      switch (t.name) {
        case "int64":
          return "0n";
        case "bool":
          return "false";
        case "string":
          return '""';
        case "uuid":
          return "ZERO_UUID";
        case "bytes":
          return "new Uint8Array(0)";
        case "records":
          return "null";
        default:
          return "0";
      }
  }
}

/** Expression that is true when `x` (the field's value) equals its default. */
export function isDefaultExpr(f: FieldModel, x: string): string {
  const d = f.schema.default;
  const nullableTs = isTsNullable(f);
  if (d === null) return `${x} === null`;
  const t = f.type;
  if (t.kind === "array" || (t.kind === "primitive" && t.name === "bytes")) {
    return nullableTs ? `(${x} !== null && ${x}.length === 0)` : `${x}.length === 0`;
  }
  if (t.kind === "struct") {
    const test = `isDefault${f.struct!.tsName}(${x})`;
    return nullableTs ? `(${x} !== null && ${test})` : test;
  }
  return `${x} === ${defaultExpr(f)}`;
}

/** Whether the emitted module needs `ZERO_UUID` for this struct's defaults. */
export function usesZeroUuid(s: StructModel): boolean {
  return s.fields.some((f) =>
    f.schema.default === undefined && f.type.kind === "primitive" &&
    f.type.name === "uuid"
  );
}
