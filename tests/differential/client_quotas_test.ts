/**
 * Differential: client quotas against the reference Kafka at every version
 * tsbroker advertises — AlterClientQuotas (49) v0–1: users, client ids, both,
 * defaults (null names), ip entities; unknown keys and entity types, values
 * not above 0, fractions of integral keys, bad combinations, empty names and
 * entities, duplicate keys and entities, SCRAM keys on a user, removals and
 * validateOnly; DescribeClientQuotas (48) v0–1: every quota, exact, default
 * and specified matches, strict, and each malformed filter.
 */
import { after, before, describe, test } from "node:test";
import { Oracle, SUITE_COVERAGE } from "./_oracle.ts";

type Entity = Array<{ entityType: string; entityName: string | null }>;
type Op = { key: string; value: number; remove: boolean };

const set = (key: string, value: number): Op => ({ key, value, remove: false });
const remove = (key: string): Op => ({ key, value: 0, remove: true });
const user = (name: string | null): Entity => [{ entityType: "user", entityName: name }];
const client = (name: string | null): Entity => [{ entityType: "client-id", entityName: name }];

describe("differential: client quotas", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("client_quotas_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  const alter = (title: string, version: number, entries: Array<[Entity, Op[]]>, validateOnly = false) =>
    o.compare({
      title: `AlterClientQuotas v${version}: ${title}`,
      apiKey: 49,
      version,
      request: { entries: entries.map(([entity, ops]) => ({ entity, ops })), validateOnly },
    });
  const describeQuotas = (
    title: string,
    version: number,
    components: Array<{ entityType: string; matchType: number; match: string | null }>,
    strict = false,
  ) =>
    o.compare({
      title: `DescribeClientQuotas v${version}: ${title}`,
      apiKey: 48,
      version,
      request: { components, strict },
      settleMs: 5_000,
    });

  test("AlterClientQuotas: valid alterations, refusals, removals, validateOnly", async () => {
    for (const version of o.advertised(49)) {
      const u = `alice${version}`, c = `app${version}`;
      await alter("a user, a client, both, defaults", version, [
        [user(u), [set("producer_byte_rate", 1048576), set("request_percentage", 12.5)]],
        [client(c), [set("consumer_byte_rate", 2000), set("controller_mutation_rate", 3.5)]],
        [[...user(u), ...client(c)], [set("producer_byte_rate", 5000)]],
        [user(null), [set("consumer_byte_rate", 7000)]],
        [client(null), [set("producer_byte_rate", 9000)]],
        [[...user(null), ...client(null)], [set("request_percentage", 50)]],
        [[{ entityType: "ip", entityName: "127.0.0.1" }], [set("connection_creation_rate", 10)]],
        [[{ entityType: "ip", entityName: null }], [set("connection_creation_rate", 20)]],
      ]);
      await alter("unknown key", version, [[user(u), [set("no_such_rate", 1)]]]);
      await alter("zero and negative", version, [
        [user(`${u}-z`), [set("producer_byte_rate", 0)]],
        [client(`${c}-n`), [set("consumer_byte_rate", -5)]],
      ]);
      await alter("fraction of an integral key", version, [[user(u), [set("producer_byte_rate", 10.5)]]]);
      await alter("too large", version, [
        [[{ entityType: "ip", entityName: "10.0.0.1" }], [set("connection_creation_rate", 3e9)]],
      ]);
      await alter("client key on ip, ip key on user", version, [
        [[{ entityType: "ip", entityName: "10.0.0.2" }], [set("producer_byte_rate", 10)]],
        [user(`${u}-ip`), [set("connection_creation_rate", 10)]],
      ]);
      await alter("ip with user", version, [
        [[...user(u), { entityType: "ip", entityName: "10.0.0.3" }], [set("producer_byte_rate", 10)]],
      ]);
      await alter("unknown entity type", version, [[[{ entityType: "group", entityName: "g" }], [
        set("producer_byte_rate", 10),
      ]]]);
      await alter("empty names and entity", version, [
        [user(""), [set("producer_byte_rate", 10)]],
        [client(""), [set("producer_byte_rate", 10)]],
        [[], [set("producer_byte_rate", 10)]],
      ]);
      await alter("duplicate key and entity", version, [
        [user(`${u}-d`), [set("producer_byte_rate", 10), set("producer_byte_rate", 20)]],
        [client(`${c}-d`), [set("producer_byte_rate", 10)]],
        [client(`${c}-d`), [set("consumer_byte_rate", 10)]],
      ]);
      await alter("a SCRAM key on a user", version, [[user(u), [set("SCRAM-SHA-256", 10)]]]);
      await alter("validateOnly", version, [
        [user(`${u}-v`), [set("producer_byte_rate", 10)]],
        [user(`${u}-w`), [set("producer_byte_rate", -1)]],
      ], true);
      await alter("removals", version, [
        [client(c), [remove("controller_mutation_rate"), remove("nothing_here")]],
        [user(`${u}-never`), [remove("producer_byte_rate")]],
        [[{ entityType: "ip", entityName: null }], [remove("connection_creation_rate")]],
      ]);
    }
    o.assertNoDifferences();
  });

  test("DescribeClientQuotas: matches, strict, malformed filters", async () => {
    for (const version of o.advertised(48)) {
      await describeQuotas("everything", version, []);
      await describeQuotas("everything, strict", version, [], true);
      await describeQuotas("exact user", version, [{ entityType: "user", matchType: 0, match: "alice0" }]);
      await describeQuotas(
        "exact user, strict",
        version,
        [{ entityType: "user", matchType: 0, match: "alice0" }],
        true,
      );
      await describeQuotas("default user", version, [{ entityType: "user", matchType: 1, match: null }]);
      await describeQuotas("default user and client, strict", version, [
        { entityType: "user", matchType: 1, match: null },
        { entityType: "client-id", matchType: 1, match: null },
      ], true);
      await describeQuotas("specified client", version, [{ entityType: "client-id", matchType: 2, match: null }]);
      await describeQuotas("specified user and exact client", version, [
        { entityType: "user", matchType: 2, match: null },
        { entityType: "client-id", matchType: 0, match: "app1" },
      ]);
      await describeQuotas("ip specified", version, [{ entityType: "ip", matchType: 2, match: null }]);
      await describeQuotas("no match", version, [{ entityType: "user", matchType: 0, match: "nobody" }]);
      await describeQuotas("empty type", version, [{ entityType: "", matchType: 0, match: "x" }]);
      await describeQuotas("type twice", version, [
        { entityType: "user", matchType: 0, match: "x" },
        { entityType: "user", matchType: 1, match: null },
      ]);
      await describeQuotas("unknown type", version, [{ entityType: "group", matchType: 0, match: "x" }]);
      await describeQuotas("exact without a name", version, [{ entityType: "user", matchType: 0, match: null }]);
      await describeQuotas("default with a name", version, [{ entityType: "user", matchType: 1, match: "x" }]);
      await describeQuotas("specified with a name", version, [{ entityType: "user", matchType: 2, match: "x" }]);
      await describeQuotas("bad match type", version, [{ entityType: "user", matchType: 7, match: null }]);
      await describeQuotas("ip with user", version, [
        { entityType: "ip", matchType: 2, match: null },
        { entityType: "user", matchType: 2, match: null },
      ]);
    }
    o.assertNoDifferences();
  });

  test("every advertised version of the file's APIs was compared", () => {
    o.assertCovered(SUITE_COVERAGE["client_quotas_test.ts"]);
  });
});
