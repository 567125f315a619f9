/**
 * Finds the line(s) of a TOML file where a (flattened, dotted) key is set.
 *
 * smol-toml returns plain values without positions, so to point users at the
 * offending line we re-scan the text. This is a deliberately small line-based
 * reader: it understands table headers, bare/quoted/dotted keys and skips the
 * inside of multi-line strings, which covers how config files are written. When
 * it cannot find a key the error simply has no line number.
 */

interface KeyPath {
  segments: string[];
  end: number;
}

const BARE_KEY_CHAR = /[A-Za-z0-9_-]/;

/** Reads a TOML key path (`a."b.c".'d'`) starting at `start`, or undefined if there is none. */
function readKeyPath(s: string, start: number): KeyPath | undefined {
  const segments: string[] = [];
  let i = start;
  for (;;) {
    while (s[i] === " " || s[i] === "\t") i++;
    const quote = s[i];
    if (quote === '"' || quote === "'") {
      let segment = "";
      i++;
      while (i < s.length && s[i] !== quote) {
        // Basic strings may escape the quote; literal strings cannot escape anything.
        if (quote === '"' && s[i] === "\\" && i + 1 < s.length) i++;
        segment += s[i++];
      }
      if (s[i] !== quote) return undefined;
      i++;
      segments.push(segment);
    } else {
      const from = i;
      while (i < s.length && BARE_KEY_CHAR.test(s[i])) i++;
      if (i === from) return undefined;
      segments.push(s.slice(from, i));
    }
    while (s[i] === " " || s[i] === "\t") i++;
    if (s[i] !== ".") return { segments, end: i };
    i++;
  }
}

function countOccurrences(s: string, needle: string): number {
  return s.split(needle).length - 1;
}

/**
 * 1-based lines where `key` is assigned, in file order. Falls back to lines that
 * assign an inline table containing the key (`num = { partitions = 3 }`).
 */
export function findKeyLines(text: string, key: string): number[] {
  const exact: number[] = [];
  const enclosing: number[] = [];
  let table: string[] = [];
  let inBasicMultiline = false;
  let inLiteralMultiline = false;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const wasInside = inBasicMultiline || inLiteralMultiline;
    if (!inLiteralMultiline && countOccurrences(line, '"""') % 2 === 1) inBasicMultiline = !inBasicMultiline;
    if (!inBasicMultiline && countOccurrences(line, "'''") % 2 === 1) inLiteralMultiline = !inLiteralMultiline;
    if (wasInside) continue;

    const trimmed = line.trimStart();
    if (trimmed.startsWith("[")) {
      const header = readKeyPath(trimmed, trimmed.startsWith("[[") ? 2 : 1);
      if (header) table = header.segments;
      continue;
    }
    const path = readKeyPath(trimmed, 0);
    if (!path || trimmed[path.end] !== "=") continue;
    const full = [...table, ...path.segments].join(".");
    if (full === key) exact.push(n + 1);
    else if (key.startsWith(full + ".")) enclosing.push(n + 1);
  }
  return exact.length > 0 ? exact : enclosing;
}

/** The line where `key` is (last) set, if it can be found. */
export function findKeyLine(text: string, key: string): number | undefined {
  const lines = findKeyLines(text, key);
  return lines.length > 0 ? lines[lines.length - 1] : undefined;
}
