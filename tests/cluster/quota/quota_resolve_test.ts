/** Quota resolution in Kafka's precedence order, per key, and which requests share a rate. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { QuotaResolver, quotaUserOf } from "../../../src/cluster/quota/quota_resolve.ts";
import type { QuotaRecord } from "../../../src/cluster/quota/quota_entity.ts";

const P = "producer_byte_rate";
const rec = (entity: Record<string, string | null>, values: Record<string, number>): QuotaRecord => ({
  entity,
  values,
});

describe("QuotaResolver", () => {
  const all = [
    rec({ user: "u", "client-id": "c" }, { [P]: 1 }),
    rec({ user: "u", "client-id": null }, { [P]: 2 }),
    rec({ user: "u" }, { [P]: 3, consumer_byte_rate: 33 }),
    rec({ user: null, "client-id": "c" }, { [P]: 4 }),
    rec({ user: null, "client-id": null }, { [P]: 5 }),
    rec({ user: null }, { [P]: 6 }),
    rec({ "client-id": "c" }, { [P]: 7 }),
    rec({ "client-id": null }, { [P]: 8 }),
  ];

  test("each level wins over the ones below it", () => {
    // Remove levels from the top one at a time: the next one answers.
    const cases: Array<[string, string, number]> = [["u", "c", 1], ["u", "x", 2]];
    for (const [user, client, limit] of cases) {
      assert.equal(new QuotaResolver(all).resolve(P, user, client)?.limit, limit);
    }
    for (let drop = 1; drop <= 8; drop++) {
      const r = new QuotaResolver(all.slice(drop));
      assert.equal(r.resolve(P, "u", "c")?.limit, drop === 8 ? undefined : drop + 1, `without the first ${drop}`);
    }
  });

  test("per key: a level without the key falls through to the next that has it", () => {
    const r = new QuotaResolver(all);
    assert.equal(r.resolve("consumer_byte_rate", "u", "c")?.limit, 33);
    assert.equal(r.resolve("request_percentage", "u", "c"), null);
    assert.equal(r.hasAny("request_percentage"), false);
  });

  test("a named quota is one shared rate; a default one is counted per user or client id", () => {
    const named = new QuotaResolver([rec({ "client-id": "app" }, { [P]: 100 })]);
    assert.equal(named.resolve(P, "alice", "app")?.rateKey, named.resolve(P, "bob", "app")?.rateKey);
    const byDefault = new QuotaResolver([rec({ "client-id": null }, { [P]: 100 })]);
    assert.notEqual(byDefault.resolve(P, "", "a")?.rateKey, byDefault.resolve(P, "", "b")?.rateKey);
    const userDefault = new QuotaResolver([rec({ user: null }, { [P]: 100 })]);
    assert.equal(userDefault.resolve(P, "alice", "a")?.rateKey, userDefault.resolve(P, "alice", "b")?.rateKey);
    assert.notEqual(userDefault.resolve(P, "alice", "a")?.rateKey, userDefault.resolve(P, "bob", "a")?.rateKey);
  });

  test("users are named without the principal type", () => {
    assert.equal(quotaUserOf("User:alice"), "alice");
    assert.equal(quotaUserOf("User:ANONYMOUS"), "ANONYMOUS");
  });
});
