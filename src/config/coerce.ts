/**
 * Turns a raw value (TOML-typed, or a string as in Kafka's .properties files and
 * --override) into the type a key's spec asks for, checking its range.
 */
import type { KeySpec, NumberSpec } from "./keys.ts";

export type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

const TYPE_LIMITS = {
  int: { min: -2147483648, max: 2147483647 },
  // JS numbers are exact only up to 2^53; a long beyond that would silently change.
  long: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  double: { min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
} as const;

const INTEGER_TEXT = /^[+-]?\d+$/;

function fail(problem: string): Coerced {
  return { ok: false, problem };
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Human description of the valid values of a numeric spec, e.g. "an int from 1 to 64" or "-1 (unbounded) or a long ≥ 1". */
export function describeNumberRange(spec: NumberSpec): string {
  const limits = TYPE_LIMITS[spec.type];
  const min = spec.min ?? limits.min;
  const max = spec.max ?? limits.max;
  let range: string;
  if (min === max) range = `exactly ${min}`;
  else if (min > limits.min && max < limits.max) range = `${article(spec.type)} from ${min} to ${max}`;
  else if (min > limits.min) range = `${article(spec.type)} ≥ ${min}`;
  else if (max < limits.max) range = `${article(spec.type)} ≤ ${max}`;
  else range = article(spec.type);
  const special = (spec.special ?? []).map((s) => `${s.value} (${s.meaning})`);
  return special.length > 0 ? `${special.join(", ")} or ${range}` : range;
}

function coerceNumber(spec: NumberSpec, raw: unknown): Coerced {
  let n: number;
  if (typeof raw === "number") {
    n = raw;
  } else if (typeof raw === "string") {
    const text = raw.trim();
    const looksRight = spec.type === "double" ? text !== "" && Number.isFinite(Number(text)) : INTEGER_TEXT.test(text);
    if (!looksRight) return fail(`expected ${article(spec.type)}`);
    n = Number(text);
  } else {
    return fail(`expected ${article(spec.type)}`);
  }
  if (spec.type !== "double" && !Number.isInteger(n)) return fail(`expected ${article(spec.type)} (a whole number)`);
  if (!Number.isFinite(n)) return fail(`expected a finite ${spec.type}`);

  const limits = TYPE_LIMITS[spec.type];
  const isSpecial = (spec.special ?? []).some((s) => s.value === n);
  const inRange = n >= (spec.min ?? limits.min) && n <= (spec.max ?? limits.max);
  if (!isSpecial && !inRange) {
    const note = spec.rangeNote ? ` (${spec.rangeNote})` : "";
    return fail(`out of range, expected ${describeNumberRange(spec)}${note}`);
  }
  return { ok: true, value: n };
}

/** Blank entries are dropped in both forms, as Kafka does for comma-separated lists. */
function coerceList(raw: unknown, minItems: number): Coerced {
  let items: string[];
  if (typeof raw === "string") {
    items = raw.split(",");
  } else if (Array.isArray(raw) && raw.every((item) => typeof item === "string")) {
    items = raw;
  } else {
    return fail("expected a list (an array of strings or a comma-separated string)");
  }
  const list = items.map((item) => item.trim()).filter((item) => item !== "");
  if (list.length < minItems) return fail(`expected at least ${minItems} entr${minItems === 1 ? "y" : "ies"}`);
  return { ok: true, value: list };
}

export function coerceValue(spec: KeySpec, raw: unknown): Coerced {
  switch (spec.type) {
    case "int":
    case "long":
    case "double":
      return coerceNumber(spec, raw);
    case "boolean": {
      if (typeof raw === "boolean") return { ok: true, value: raw };
      const text = typeof raw === "string" ? raw.trim().toLowerCase() : undefined;
      if (text === "true" || text === "false") return { ok: true, value: text === "true" };
      return fail("expected a boolean (true or false)");
    }
    case "string":
      return typeof raw === "string" ? { ok: true, value: raw.trim() } : fail("expected a string");
    case "list":
      return coerceList(raw, spec.minItems ?? 0);
    case "enum": {
      // Case-insensitive like Kafka's enum-ish settings, but stored in canonical form.
      const text = typeof raw === "string" ? raw.trim().toLowerCase() : undefined;
      const match = spec.values.find((v) => v.toLowerCase() === text);
      return match !== undefined ? { ok: true, value: match } : fail(`expected one of ${spec.values.join(", ")}`);
    }
  }
}
