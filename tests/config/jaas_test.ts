import { test } from "node:test";
import assert from "node:assert/strict";
import { JaasError, parseJaasConfig, plainUsers } from "../../src/config/jaas.ts";

test("parseJaasConfig reads Kafka's PLAIN broker entry and its users", () => {
  const entry = parseJaasConfig(
    `org.apache.kafka.common.security.plain.PlainLoginModule required
       username="admin" password="admin-secret"
       user_admin="admin-secret" user_alice="alice \\"quoted\\" secret";`,
  );
  assert.equal(entry.loginModule, "org.apache.kafka.common.security.plain.PlainLoginModule");
  assert.equal(entry.flag, "required");
  assert.equal(entry.options.get("username"), "admin");
  assert.deepEqual(
    [...plainUsers(entry)],
    [["admin", "admin-secret"], ["alice", 'alice "quoted" secret']],
  );
});

test("parseJaasConfig accepts bare-word values, other flags and no options", () => {
  const entry = parseJaasConfig("org.apache.kafka.common.security.scram.ScramLoginModule Optional a=b;");
  assert.equal(entry.flag, "optional");
  assert.equal(entry.options.get("a"), "b");
  assert.equal(parseJaasConfig("X required;").options.size, 0);
});

test("parseJaasConfig names the problem", () => {
  const cases: Array<[string, RegExp]> = [
    ["", /expected a login module class name/],
    ["X sometimes;", /expected a control flag/],
    ["X required user_a=", /expected a value for option user_a/],
    ['X required user_a "b";', /expected "=" after option user_a/],
    ['X required user_a="b"', /must end with ";"/],
    ['X required user_a="b', /unterminated quoted value/],
    ['X required a="1" a="2";', /option a is given twice/],
    ["X required; Y required;", /only one login module/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseJaasConfig(text), (e: unknown) => e instanceof JaasError && pattern.test(e.message), text);
  }
});
