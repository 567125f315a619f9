/**
 * `ssl.principal.mapping.rules` (KIP-371), as Kafka's SslPrincipalMapper reads
 * them: rules separated by commas or new lines, each `DEFAULT` (the
 * distinguished name unchanged) or `RULE:pattern/replacement/[LU]`. A rule
 * applies when its pattern matches the whole name; the name is then rewritten
 * with every match replaced (Java's replaceAll, whose `$1` groups and `\`
 * escapes the replacement may use) and lower- or upper-cased with L or U. The
 * first rule that applies gives the name; when none does the connection fails
 * authentication. Patterns are JavaScript regular expressions, which agree
 * with Java's for the patterns such rules use (groups, classes, `.*?`).
 */

export interface MappingRule {
  /** null for DEFAULT. */
  pattern: RegExp | null;
  whole: RegExp | null;
  /** The replacement in JavaScript's syntax. */
  replacement: string;
  caseChange: "" | "L" | "U";
}

export class MappingRuleError extends Error {}

/** Java replacement syntax (`$1`, `${name}`, `\$`) in JavaScript's (`$1`, `$<name>`, `$$`). */
function javaReplacement(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length) {
      const next = text[++i];
      out += next === "$" ? "$$" : next;
    } else if (c === "$" && text[i + 1] === "{") {
      const close = text.indexOf("}", i);
      if (close < 0) throw new MappingRuleError(`unclosed group reference in replacement "${text}"`);
      out += `$<${text.slice(i + 2, close)}>`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

const RULE = /RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)/y;

/** Parses the rules; throws MappingRuleError naming the bad rule. */
export function parseMappingRules(text: string): MappingRule[] {
  const rules: MappingRule[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]) && text[at] !== "\n") at++;
  };
  while (true) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (at >= text.length) break;
    if (text.startsWith("DEFAULT", at)) {
      rules.push({ pattern: null, whole: null, replacement: "", caseChange: "" });
      at += "DEFAULT".length;
    } else {
      RULE.lastIndex = at;
      const m = RULE.exec(text);
      if (!m) {
        const end = text.slice(at).search(/[,\n]/);
        throw new MappingRuleError(`invalid rule "${end < 0 ? text.slice(at) : text.slice(at, at + end)}"`);
      }
      let pattern: RegExp, whole: RegExp;
      try {
        pattern = new RegExp(m[1], "g");
        whole = new RegExp(`^(?:${m[1]})$`);
      } catch (e) {
        throw new MappingRuleError(`rule "${m[0]}": bad pattern (${(e as Error).message})`);
      }
      rules.push({ pattern, whole, replacement: javaReplacement(m[2]), caseChange: m[3] as "" | "L" | "U" });
      at = RULE.lastIndex;
      // Kafka ignores anything after the flags up to the separator.
      while (at < text.length && text[at] !== "," && text[at] !== "\n") at++;
    }
    skipSpace();
    if (at < text.length && text[at] !== "," && text[at] !== "\n") {
      throw new MappingRuleError(`invalid rule text at "${text.slice(at)}"`);
    }
    at++;
  }
  if (rules.length === 0) throw new MappingRuleError("no rules (use DEFAULT for the distinguished name as it is)");
  return rules;
}

/** The name the first applying rule gives `dn`, or null when no rule applies. */
export function mapDistinguishedName(rules: readonly MappingRule[], dn: string): string | null {
  for (const rule of rules) {
    if (!rule.pattern || !rule.whole) return dn;
    if (!rule.whole.test(dn)) continue;
    rule.pattern.lastIndex = 0;
    const name = dn.replace(rule.pattern, rule.replacement);
    if (rule.caseChange === "L") return name.toLowerCase();
    if (rule.caseChange === "U") return name.toUpperCase();
    return name;
  }
  return null;
}
