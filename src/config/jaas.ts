/**
 * Kafka's `sasl.jaas.config` value: one JAAS login module entry,
 *
 *     org.apache.kafka.common.security.plain.PlainLoginModule required
 *       username="admin" password="admin-secret" user_alice="alice-secret";
 *
 * a login module class, a control flag (required, requisite, sufficient or
 * optional), options `name=value` (value quoted or a bare word; `\"` and
 * `\\` escape inside quotes) and a closing ";". As with Kafka's JaasConfig,
 * exactly one entry is allowed. Errors say what was expected where.
 *
 * For PLAIN, the options `user_<name>="<password>"` are the users the
 * broker accepts (Kafka's PlainServerCallbackHandler reads the same).
 */

export const PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
export const SCRAM_LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
export const OAUTHBEARER_LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
const FLAGS = ["required", "requisite", "sufficient", "optional"];

export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

export class JaasError extends Error {}

type Token = { kind: "word" | "quoted" | "=" | ";"; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "=" || c === ";") {
      tokens.push({ kind: c, text: c, at: i });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let value = "";
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new JaasError(`unterminated quoted value starting at character ${start + 1}`);
      i++;
      tokens.push({ kind: "quoted", text: value, at: start });
    } else {
      const start = i;
      while (i < text.length && !/[\s=;"']/.test(text[i])) i++;
      tokens.push({ kind: "word", text: text.slice(start, i), at: start });
    }
  }
  return tokens;
}

/** Parses one login module entry; throws JaasError naming the problem. */
export function parseJaasConfig(text: string): JaasEntry {
  const tokens = tokenize(text);
  let p = 0;
  const describe = (t: Token | undefined) => t ? `"${t.text}" at character ${t.at + 1}` : "the end";
  const module = tokens[p++];
  if (!module || module.kind !== "word") {
    throw new JaasError(`expected a login module class name, found ${describe(module)}`);
  }
  const flag = tokens[p++];
  if (!flag || flag.kind !== "word" || !FLAGS.includes(flag.text.toLowerCase())) {
    throw new JaasError(`expected a control flag (${FLAGS.join(", ")}) after ${module.text}, found ${describe(flag)}`);
  }
  const options = new Map<string, string>();
  while (p < tokens.length && tokens[p].kind !== ";") {
    const name = tokens[p];
    if (name.kind !== "word") throw new JaasError(`expected an option name, found ${describe(name)}`);
    if (tokens[p + 1]?.kind !== "=") {
      throw new JaasError(`expected "=" after option ${name.text}, found ${describe(tokens[p + 1])}`);
    }
    const value = tokens[p + 2];
    if (!value || (value.kind !== "word" && value.kind !== "quoted")) {
      throw new JaasError(`expected a value for option ${name.text}, found ${describe(value)}`);
    }
    if (options.has(name.text)) throw new JaasError(`option ${name.text} is given twice`);
    options.set(name.text, value.text);
    p += 3;
  }
  if (p >= tokens.length) throw new JaasError(`the login module entry must end with ";"`);
  if (p + 1 < tokens.length) {
    throw new JaasError(`only one login module may be given, found more after ${describe(tokens[p])}`);
  }
  return { loginModule: module.text, flag: flag.text.toLowerCase(), options };
}

/** PLAIN's users: every `user_<name>` option, name → password. */
export function plainUsers(entry: JaasEntry): Map<string, string> {
  const users = new Map<string, string>();
  for (const [name, value] of entry.options) {
    if (name.startsWith("user_") && name.length > 5) users.set(name.slice(5), value);
  }
  return users;
}
