/**
 * What the tools print: aligned tables for people (`--format table`, the default) and JSON for scripts
 * (`--format json`). JSON turns offsets (bigint in the client) into numbers while they are exact, else
 * strings, so `jq` sees plain numbers for every offset a real log reaches.
 */

/** Where a tool writes: stdout, stderr, stdin lines, whether stdout is a terminal. */
export interface ToolIo {
  out(text: string): void;
  err(text: string): void;
  /** Lines of standard input, without their line ends. */
  stdinLines(): AsyncIterable<string>;
  /** Whether stdout is a terminal (progress lines are shown only then). */
  readonly isTty: boolean;
  /** Calls `handler` on SIGINT/SIGTERM (a consumer stops cleanly and commits). */
  onInterrupt(handler: () => void): void;
}

export type Format = "table" | "json";

/**
 * Whoever reads stdout went away (`tsbroker consume t | head -3`): the tool stops quietly with status 0, as
 * a filter in a pipeline should, instead of dying on EPIPE.
 */
export class OutputClosed extends Error {
  override readonly name = "OutputClosed";
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table(headers: string[], rows: (string | number | bigint | null)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd() + "\n")
    .join("");
}

/** `key: value` lines, keys aligned. */
export function fields(entries: [string, string | number | bigint | null][]): string {
  const width = Math.max(...entries.map(([k]) => k.length)) + 1;
  return entries.map(([k, v]) => `${(k + ":").padEnd(width)} ${v === null ? "-" : String(v)}\n`).join("");
}

/** JSON with bigints as numbers (or strings beyond 2^53), one line per document. */
export function json(value: unknown, pretty = false): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? jsonBigint(v) : v), pretty ? 2 : undefined) +
    "\n";
}

function jsonBigint(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : String(v);
}
