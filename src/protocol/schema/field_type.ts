import type { FieldTypeName, PrimitiveType, VersionRange } from "./types.ts";

const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveType>([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "varint",
  "float64",
  "uuid",
  "string",
  "bytes",
  "records",
]);

/** Structured view of a `FieldTypeName`. */
export type ParsedFieldType =
  | { readonly kind: "primitive"; readonly name: PrimitiveType }
  | { readonly kind: "struct"; readonly name: string }
  | { readonly kind: "array"; readonly element: ParsedFieldType };

export function isPrimitiveType(t: string): t is PrimitiveType {
  return PRIMITIVES.has(t);
}

export function parseFieldType(t: FieldTypeName): ParsedFieldType {
  if (t.startsWith("[]")) {
    const element = parseFieldType(t.slice(2));
    if (element.kind === "array") {
      throw new Error(`nested arrays are not part of the grammar: ${t}`);
    }
    return { kind: "array", element };
  }
  if (isPrimitiveType(t)) return { kind: "primitive", name: t };
  if (!/^[A-Z][A-Za-z0-9]*$/.test(t)) throw new Error(`bad field type: ${t}`);
  return { kind: "struct", name: t };
}

/** True if `v` lies in `range` (a missing range contains nothing). */
export function inRange(range: VersionRange | undefined, v: number): boolean {
  if (range === undefined) return false;
  return v >= range[0] && (range[1] === null || v <= range[1]);
}
