/**
 * tsbroker's own declarative description of Kafka protocol messages.
 *
 * The tables in `messages/` use this format. They hold only structural facts
 * (names, types, version ranges, nullability, tags, defaults); the codec
 * generator (scripts/protocol/generate.ts) turns them into straight-line
 * encoders/decoders, and tests/protocol/schema_matches_spec_test.ts keeps them
 * in line with the upstream Kafka specification.
 */

/** Inclusive version range; `to === null` means "and every later version". */
export type VersionRange = readonly [from: number, to: number | null];

/** Scalar and blob types of the Kafka message grammar. */
export type PrimitiveType =
  | "bool"
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "varint"
  | "float64"
  | "uuid"
  | "string"
  | "bytes"
  | "records";

/**
 * A field type as written in the schema: a primitive, `[]X` (array of a
 * primitive or of a struct), or the name of a struct (inline or common).
 * Kept as a plain string, like the upstream grammar; see
 * `parseFieldType` in field_type.ts for the structured view.
 */
export type FieldTypeName = PrimitiveType | `[]${string}` | string;

/**
 * A field's default, already converted to the value it denotes:
 * numbers for int8/16/32/uint16/varint/float64, bigint for int64,
 * booleans for bool, strings for string, and `null` for a null default
 * (strings, bytes, arrays, structs).
 */
export type FieldDefault = number | bigint | boolean | string | null;

export interface FieldSchema {
  readonly name: string;
  readonly type: FieldTypeName;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  /** Versions in which the field travels in the tagged-field section. */
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  readonly default?: FieldDefault;
  readonly ignorable?: boolean;
  /**
   * Per-field override of the message's flexible versions. Only the request
   * header's ClientId uses it (`null` = never compact), so that old brokers
   * can always read the client id of an ApiVersions request.
   */
  readonly flexibleVersions?: number | null;
  /** Nested fields when `type` is an inline struct or array of structs. */
  readonly fields?: readonly FieldSchema[];
}

/** A named struct declared once and referenced by type name. */
export interface StructSchema {
  readonly name: string;
  readonly versions: VersionRange;
  readonly fields: readonly FieldSchema[];
}

export type MessageType = "request" | "response" | "header" | "data";

export interface MessageSchema {
  /** Absent for headers and data schemas. */
  readonly apiKey?: number;
  readonly type: MessageType;
  readonly name: string;
  readonly validVersions: readonly [min: number, max: number];
  /** First flexible version, or `null` if the message is never flexible. */
  readonly flexibleVersions: number | null;
  readonly deprecatedVersions?: VersionRange;
  /** Upstream marks the newest version as still under development. */
  readonly latestVersionUnstable?: boolean;
  /**
   * Versions newer than the Kafka 3.9 specification the tables were imported from, added by hand from a later
   * Kafka's definition: versions above `specMaxVersion` (and the fields that start there) come from Kafka `kafka`.
   * The drift test compares the table cut back to `specMaxVersion` with the 3.9 specification.
   */
  readonly beyondSpec?: { readonly kafka: string; readonly specMaxVersion: number; readonly why: string };
  readonly fields: readonly FieldSchema[];
  readonly commonStructs: readonly StructSchema[];
}

/** Request and response of one API, as grouped in one schema file. */
export interface ApiSchemaPair {
  readonly apiKey: number;
  /** API name without the Request/Response suffix, e.g. "Metadata". */
  readonly name: string;
  /** Module base name under messages/ and generated/, e.g. "api_versions". */
  readonly module: string;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

/** A header or data schema that lives in its own module. */
export interface StandaloneSchema {
  readonly module: string;
  readonly schemas: readonly MessageSchema[];
}
