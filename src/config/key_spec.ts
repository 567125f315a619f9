/**
 * What a configuration key's entry in the table says: its type, default,
 * range and meaning. The table itself is keys.ts (with keys_log.ts and
 * keys_groups.ts); everything else derives from it.
 */

export type KeyType = "string" | "int" | "long" | "double" | "boolean" | "list" | "enum";

/** "kafka": a key with Kafka's name and meaning; "tsbroker": an extension (name starts with `tsbroker.`). */
export type KeyOrigin = "kafka" | "tsbroker";

/** A value allowed outside min..max, such as -1 meaning "unbounded". */
export interface SpecialValue {
  readonly value: number;
  readonly meaning: string;
}

interface SpecBase {
  /** One-line meaning, shown in docs and --help. */
  readonly doc: string;
  readonly origin: KeyOrigin;
  /** Set only when tsbroker's default differs from Kafka's, so users migrating notice. */
  readonly kafkaDefault?: string;
  /** Kafka's PASSWORD type: passwords and private keys, never shown to clients (DescribeConfigs answers null). */
  readonly sensitive?: boolean;
}

export interface NumberSpec extends SpecBase {
  readonly type: "int" | "long" | "double";
  /**
   * null = unset, as Kafka's `null` defaults: another key then decides (e.g. log.roll.ms unset → log.roll.hours).
   * Such keys are read through the helpers of log_settings.ts, which apply Kafka's precedence.
   */
  readonly default: number | null;
  readonly min?: number;
  readonly max?: number;
  readonly special?: readonly SpecialValue[];
  /** How docs show a null default whose value is derived (e.g. from the CPU count). */
  readonly defaultText?: string;
  /** Why the range is what it is; appended to out-of-range errors. */
  readonly rangeNote?: string;
}

export interface StringSpec extends SpecBase {
  readonly type: "string";
  readonly default: string;
  /** Expected shape, for docs and errors; checked by validate.ts. */
  readonly format?: string;
}

export interface ListSpec extends SpecBase {
  readonly type: "list";
  readonly default: readonly string[];
  /** Lists that must not be empty (e.g. listeners) set this to 1. */
  readonly minItems?: number;
  /** Shape of each item, for docs and errors. */
  readonly format?: string;
}

export interface BooleanSpec extends SpecBase {
  readonly type: "boolean";
  readonly default: boolean;
}

export interface EnumSpec extends SpecBase {
  readonly type: "enum";
  readonly default: string;
  readonly values: readonly string[];
}

export type KeySpec = NumberSpec | StringSpec | ListSpec | BooleanSpec | EnumSpec;

export const INT_MAX = 2147483647;
/** Kafka's Long.MAX_VALUE defaults become 2^53−1, the largest long tsbroker holds exactly; both mean "never". */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;
export const LONG_MAX_NOTE =
  "9223372036854775807 (Long.MAX_VALUE; tsbroker caps longs at 2^53−1, which means the same)";
