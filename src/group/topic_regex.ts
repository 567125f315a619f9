/**
 * KIP-848 regex subscriptions (ConsumerGroupHeartbeat v1's
 * SubscribedTopicRegex): Kafka compiles them with RE2/J and subscribes the
 * member to every topic whose whole name matches, internal topics included.
 *
 * JavaScript's RegExp is close to RE2's syntax for what topic patterns use
 * (classes, alternation, repetition, groups). Where they differ, this keeps
 * RE2's rules: features RE2 refuses because they cannot run in linear time
 * (lookaround, backreferences) are refused here too; RE2's `(?P<name>…)`
 * groups and leading `(?i)`-style flags are translated.
 */

/** A compiled pattern, or why it is not one (Kafka: INVALID_REGULAR_EXPRESSION). */
export type CompiledTopicRegex = { ok: true; regex: RegExp } | { ok: false; reason: string };

const UNSUPPORTED = [
  { pattern: /\(\?<?[=!]/, reason: "invalid or unsupported Perl syntax" },
  { pattern: /(^|[^\\])(\\\\)*\\[1-9]/, reason: "invalid escape sequence" },
  { pattern: /\\k</, reason: "invalid escape sequence" },
];

export function compileTopicRegex(source: string): CompiledTopicRegex {
  for (const u of UNSUPPORTED) if (u.pattern.test(source)) return { ok: false, reason: u.reason };
  let body = source.replaceAll("(?P<", "(?<");
  let flags = "u";
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  if (leading) {
    if (leading[1].includes("U")) return { ok: false, reason: "invalid or unsupported Perl syntax" };
    flags += leading[1];
    body = body.slice(leading[0].length);
  }
  try {
    return { ok: true, regex: new RegExp(`^(?:${body})$`, flags) };
  } catch (e) {
    // "Invalid regular expression: /…/u: Unterminated group" → "unterminated group"
    const text = e instanceof Error ? e.message : String(e);
    const reason = text.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
    return { ok: false, reason: reason.charAt(0).toLowerCase() + reason.slice(1) };
  }
}

/**
 * The topics each regex of a group matches, cached until the set of topic
 * names changes (a heartbeat looks them up; matching every topic against every
 * member's pattern on each one would cost members × topics).
 */
export class TopicRegexMatcher {
  private names: readonly string[] = [];
  private readonly matches = new Map<string, readonly string[]>();

  /** Forgets cached matches when the topic names differ from last time. */
  refresh(names: readonly string[]): void {
    if (names.length === this.names.length && names.every((n, i) => n === this.names[i])) return;
    this.names = names;
    this.matches.clear();
  }

  /** Topics whose whole name matches `source` (already validated), sorted. */
  match(source: string): readonly string[] {
    let found = this.matches.get(source);
    if (found === undefined) {
      const compiled = compileTopicRegex(source);
      found = compiled.ok ? this.names.filter((n) => compiled.regex.test(n)) : [];
      this.matches.set(source, found);
    }
    return found;
  }
}
