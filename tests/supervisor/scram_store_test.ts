import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { alterCredentials, describeCredentials, ScramStore } from "../../src/supervisor/scram_store.ts";
import { saltedPassword, scramHash } from "../../src/protocol/scram_formulas.ts";
import { ScramServer } from "../../src/network/sasl/scram.ts";
import { ScramCredentialCache } from "../../src/network/sasl/scram_cache.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { ScramClient } from "../network/sasl/_scram_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const salt = enc.encode("some-salt");
const upsert = (name: string, mechanism: number, password: string, iterations = 4096) => ({
  name,
  mechanism,
  iterations,
  salt,
  saltedPassword: saltedPassword(
    scramHash(mechanism === 1 ? "SCRAM-SHA-256" : "SCRAM-SHA-512")!,
    password,
    salt,
    iterations,
  ),
});

test("a credential made from AlterUserScramCredentials' salted password lets the user log in", () => {
  const { next, results } = alterCredentials([], [], [upsert("alice", 1, "pw", 8192)]);
  assert.deepEqual(results, [{ user: "alice", errorCode: 0, errorMessage: null }]);
  const cache = new ScramCredentialCache(next);
  const server = new ScramServer("SCRAM-SHA-256", cache.lookup);
  const client = new ScramClient("SCRAM-SHA-256", "alice", "pw");
  const serverFirst = dec.decode(server.evaluate(enc.encode(client.first)));
  assert.match(serverFirst, /,i=8192$/);
  server.evaluate(enc.encode(client.final(serverFirst)));
  assert.ok(server.complete);
  assert.equal(cache.lookup("SCRAM-SHA-512", "alice"), undefined);
});

test("Kafka's errors: duplicate user, bounds on iterations, unknown mechanism, empty user, missing deletion", () => {
  const { next: start } = alterCredentials([], [], [upsert("bob", 2, "pw")]);
  const { next, results } = alterCredentials(start, [{ name: "ghost", mechanism: 1 }, { name: "bob", mechanism: 2 }], [
    upsert("carol", 1, "a"),
    upsert("carol", 2, "a"),
    upsert("low", 1, "a", 4095),
    upsert("high", 1, "a", 16385),
    { ...upsert("odd", 1, "a"), mechanism: 3 },
    upsert("", 1, "a"),
    { ...upsert("nopw", 1, "a"), saltedPassword: new Uint8Array(0) },
    { ...upsert("nosalt", 1, "a"), salt: new Uint8Array(0) },
  ]);
  assert.deepEqual(results.map((r) => [r.user, r.errorCode]), [
    ["ghost", ErrorCode.RESOURCE_NOT_FOUND],
    ["bob", 0],
    ["carol", ErrorCode.DUPLICATE_RESOURCE],
    ["low", ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ["high", ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ["odd", ErrorCode.UNSUPPORTED_SASL_MECHANISM],
    ["", ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ["nopw", ErrorCode.UNKNOWN_SERVER_ERROR],
    ["nosalt", 0],
  ]);
  assert.deepEqual(next.map((r) => r.user), ["nosalt"]);
});

test("describe: named users, unknown and duplicate names, all users", () => {
  const { next } = alterCredentials([], [], [upsert("a", 2, "x"), upsert("b", 1, "y", 5000)]);
  const { next: both } = alterCredentials(next, [], [upsert("a", 1, "x")]);
  assert.deepEqual(describeCredentials(both, null).results.map((r) => [r.user, r.credentialInfos]), [
    ["a", [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 4096 }]],
    ["b", [{ mechanism: 1, iterations: 5000 }]],
  ]);
  assert.deepEqual(describeCredentials(both, []).results.length, 2);
  assert.deepEqual(describeCredentials(both, ["b", "zz", "b"]).results.map((r) => [r.user, r.errorCode]), [
    ["b", ErrorCode.DUPLICATE_RESOURCE],
    ["zz", ErrorCode.RESOURCE_NOT_FOUND],
  ]);
});

test("the store persists salted keys only, survives a reopen, and reports every change", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scram-store-"));
  try {
    const store = ScramStore.open(dir);
    const seen: number[] = [];
    store.onChange = (records) => seen.push(records.length);
    store.execute({ kind: "alter", deletions: [], upsertions: [upsert("alice", 1, "secret-password")] });
    store.execute({ kind: "alter", deletions: [], upsertions: [upsert("low", 1, "x", 10)] }); // refused: no change
    assert.deepEqual(seen, [1]);
    const text = fs.readFileSync(path.join(dir, "__tsbroker_scram_credentials.json"), "utf8");
    assert.ok(!text.includes("secret-password"));
    assert.match(text, /"storedKey"/);
    const again = ScramStore.open(dir);
    assert.deepEqual(again.all(), store.all());
    fs.writeFileSync(path.join(dir, "__tsbroker_scram_credentials.json"), "{not json");
    assert.throws(() => ScramStore.open(dir), /cannot be read/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
