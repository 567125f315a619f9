import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";

/** Loads `text` as broker.toml and returns the ConfigError it must raise. */
export function loadError(text: string | undefined, overrides?: string[]): ConfigError {
  try {
    loadConfig({ text, source: "broker.toml", overrides });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected loadConfig to throw");
}

/** Asserts the message contains every fragment (plain substrings, not regexes). */
export function assertMentions(message: string, ...fragments: string[]): void {
  for (const f of fragments) {
    assert.ok(message.includes(f), `expected ${JSON.stringify(message)} to mention ${JSON.stringify(f)}`);
  }
}
