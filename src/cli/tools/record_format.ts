/**
 * kcat-style format strings for `tsbroker consume -f`: %t topic, %p partition, %o offset, %k key, %s value,
 * %K key size, %S value size (-1 for null), %h headers (k=v,k2=v2), %T timestamp in ms, %% a percent sign;
 * \n, \t, \r and \\ are escapes. The string is compiled once into a list of pieces, so a bad directive is a
 * usage error before the first record rather than a surprise in the middle of the output.
 */
import type { ConsumerRecord } from "../../client/records.ts";
import { UsageError } from "./flags.ts";

export type RecordFormatter = (r: ConsumerRecord) => string;

const text = new TextDecoder();
const str = (b: Uint8Array | null) => (b === null ? "" : text.decode(b));

const DIRECTIVES: Record<string, RecordFormatter> = {
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  k: (r) => str(r.key),
  s: (r) => str(r.value),
  K: (r) => String(r.key === null ? -1 : r.key.length),
  S: (r) => String(r.value === null ? -1 : r.value.length),
  h: (r) => r.headers.map(([k, v]) => `${k}=${str(v)}`).join(","),
  T: (r) => String(r.timestamp),
};

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\" };

/** Compiles `format`, or throws a UsageError naming the unknown directive. */
export function compileFormat(format: string): RecordFormatter {
  const pieces: (string | RecordFormatter)[] = [];
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const next = format[i + 1];
    if (c === "\\" && next !== undefined && ESCAPES[next] !== undefined) {
      literal += ESCAPES[next];
      i++;
    } else if (c === "%") {
      if (next === "%") literal += "%";
      else if (next !== undefined && DIRECTIVES[next]) {
        if (literal) pieces.push(literal);
        literal = "";
        pieces.push(DIRECTIVES[next]);
      } else {
        throw new UsageError(
          `-f: unknown directive "%${next ?? ""}" (use %t %p %o %k %s %K %S %h %T, or %% for a percent sign)`,
        );
      }
      i++;
    } else {
      literal += c;
    }
  }
  if (literal) pieces.push(literal);
  return (r) => pieces.map((p) => (typeof p === "string" ? p : p(r))).join("");
}

/** A record as one JSON-ready object (key, value and headers as text). */
export function recordJson(r: ConsumerRecord): Record<string, unknown> {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : str(r.key),
    value: r.value === null ? null : str(r.value),
    headers: r.headers.map(([k, v]) => [k, v === null ? null : str(v)]),
  };
}
