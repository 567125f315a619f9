/**
 * Differential: the SASL APIs against the reference Kafka, both on a
 * PLAINTEXT listener (the suite's common setup): SaslHandshake (17) and
 * SaslAuthenticate (36) at every version, which a PLAINTEXT connection only
 * gets ILLEGAL_SASL_STATE for (the authenticated-connection path of Kafka's
 * KafkaApis); DescribeUserScramCredentials (50) and
 * AlterUserScramCredentials (51): creating users for both mechanisms,
 * describing them, all users, unknown users and a user named twice, and
 * Kafka's error for each bad alteration (too few or too many iterations, an
 * unknown mechanism, an empty user or salted password, deleting what does
 * not exist, a user changed twice in one request: Kafka 4.4 refuses even
 * two mechanisms for one user), then deleting. Results are compared
 * without their order (allowed difference scram-credentials-order: Kafka
 * answers in hash-map order).
 */
import { after, before, describe, test } from "node:test";
import { Oracle, SUITE_COVERAGE } from "./_oracle.ts";

const salt = new TextEncoder().encode("differential-salt");
const salted = (n: number) => new Uint8Array(n).fill(42);
const upsert = (name: string, mechanism: number, iterations: number) => ({
  name,
  mechanism,
  iterations,
  salt,
  saltedPassword: salted(mechanism === 2 ? 64 : 32),
});

describe("differential: SASL and SCRAM credential APIs", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("sasl_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("SaslHandshake and SaslAuthenticate on a PLAINTEXT listener, at every version", async () => {
    for (const version of o.advertised(17)) {
      await o.compare({ title: "PLAIN on PLAINTEXT", apiKey: 17, version, request: { mechanism: "PLAIN" } });
    }
    for (const version of o.advertised(36)) {
      await o.compare({
        title: "a token on PLAINTEXT",
        apiKey: 36,
        version,
        request: { authBytes: new TextEncoder().encode("\0u\0p") },
      });
    }
    o.assertNoDifferences();
  });

  test("SCRAM credentials: create, describe, Kafka's errors, delete", async () => {
    const describeUsers = (title: string, users: string[] | null, settleMs = 0) =>
      o.compare({
        title,
        apiKey: 50,
        version: 0,
        request: { users: users === null ? null : users.map((name) => ({ name })) },
        settleMs,
      });
    const alter = (title: string, deletions: Array<{ name: string; mechanism: number }>, upsertions: unknown[]) =>
      o.compare({ title, apiKey: 51, version: 0, request: { deletions, upsertions } });

    await describeUsers("nobody yet, by name", ["diff-nobody"]);
    await describeUsers("nobody yet, all users (empty list)", []);
    await alter("a user with one mechanism", [], [upsert("diff-alice", 1, 8192)]);
    await alter("another user, the other mechanism", [], [upsert("diff-bob", 2, 4096)]);
    await alter("one user, both mechanisms at once", [], [
      upsert("diff-carol", 1, 4096),
      upsert("diff-carol", 2, 4096),
    ]);
    await alter("a second mechanism for a user, in a request of its own", [], [upsert("diff-carol", 2, 8192)]);
    await alter("and the first", [], [upsert("diff-carol", 1, 4096)]);
    await alter("two users at once", [], [upsert("diff-erin", 1, 4096), upsert("diff-frank", 2, 4096)]);
    await alter("the same credential twice", [], [upsert("diff-dave", 1, 4096), upsert("diff-dave", 1, 8192)]);
    await alter("a deletion and an upsertion of one user", [{ name: "diff-alice", mechanism: 1 }], [
      upsert("diff-alice", 2, 8192),
    ]);
    await describeUsers("one user by name", ["diff-alice"], 10_000);
    await describeUsers("users and an unknown one", ["diff-alice", "diff-bob", "diff-nobody", "diff-carol"], 10_000);
    await describeUsers("a user named twice", ["diff-alice", "diff-alice"]);
    await describeUsers("all users (null)", null, 10_000);
    await alter("too few iterations", [], [upsert("diff-low", 1, 4095)]);
    await alter("too many iterations", [], [upsert("diff-high", 1, 16385)]);
    await alter("an unknown mechanism", [], [upsert("diff-odd", 7, 4096)]);
    await alter("mechanism 0 (UNKNOWN)", [], [upsert("diff-zero", 0, 4096)]);
    await alter("an empty user name", [], [upsert("", 1, 4096)]);
    await alter("an empty salt", [], [{ ...upsert("diff-nosalt", 1, 4096), salt: new Uint8Array(0) }]);
    await alter("an empty salted password", [], [{
      ...upsert("diff-nopw", 1, 4096),
      saltedPassword: new Uint8Array(0),
    }]);
    await alter("deleting a credential that does not exist", [{ name: "diff-ghost", mechanism: 1 }], []);
    await alter("deleting with an unknown mechanism", [{ name: "diff-ghost", mechanism: 0 }], []);
    await alter("deleting the other mechanism than the user has", [{ name: "diff-bob", mechanism: 1 }], []);
    await alter("deleting", [{ name: "diff-alice", mechanism: 1 }], []);
    await alter("deleting the user's other one", [{ name: "diff-bob", mechanism: 2 }], []);
    await describeUsers("after deleting", ["diff-alice", "diff-bob"], 10_000);
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["sasl_test.ts"]);
  });
});
