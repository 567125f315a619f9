/**
 * `tsbroker acl` and `tsbroker user` as processes against a broker process with the StandardAuthorizer: the
 * CLI speaks PLAINTEXT, where the broker's principal is User:ANONYMOUS, a super user; kcat logs in over
 * SASL_PLAINTEXT with SCRAM-SHA-256 as a user the CLI created. The user is refused produce until
 * `acl create` allows WRITE, `acl list` shows the binding, `acl delete` takes it away (refused again), and
 * after `user delete` the login itself fails. Bad usage exits 2; a broker without an authorizer gets a
 * message naming authorizer.class.name.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, runCommand, startBroker } from "../integration/_broker.ts";
import { kcatSasl } from "../integration/_sasl.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

const TOPIC = "guarded";

const SETTINGS: Record<string, string> = {
  listeners: "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
  "sasl.enabled.mechanisms": "SCRAM-SHA-256,SCRAM-SHA-512",
  "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
  "super.users": "User:ANONYMOUS",
  "num.partitions": "1",
  "auto.create.topics.enable": "false",
};

/** The bound port of the SASL_PLAINTEXT listener, from the broker's start line. */
function saslPort(broker: BrokerProcess): number {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return Number(/SASL_PLAINTEXT:\/\/[^,\s]*:(\d+)/.exec(line)![1]);
}

function kcatProduce(
  broker: BrokerProcess,
  user: string,
  password: string,
  value: string,
  mechanism = "SCRAM-SHA-256",
) {
  return runCommand("kcat", [
    "-P",
    "-b",
    `127.0.0.1:${saslPort(broker)}`,
    "-t",
    TOPIC,
    ...kcatSasl(mechanism, user, password),
    "-X",
    "message.timeout.ms=5000",
  ], { input: `${value}\n`, timeoutMs: 30_000 });
}

describe("tsbroker acl and user against a broker with the StandardAuthorizer", DENO_ONLY, () => {
  let broker: BrokerProcess;
  const b = () => ["-b", broker.bootstrap];
  before(async () => {
    broker = await startBroker("deno", { overrides: SETTINGS });
    expectCode(await tsbroker(["topic", "create", TOPIC, ...b()]), 0, "topic create");
  });
  after(async () => await broker?.stop());

  test("a user the CLI creates logs in, and may produce only while an ACL allows it", async () => {
    let run = await tsbroker(["user", "create", "carol", "--password", "carol-secret", ...b()]);
    expectCode(run, 0, "user create");
    run = await tsbroker(["user", "list", "--format", "json", ...b()]);
    expectCode(run, 0, "user list");
    assert.deepEqual(JSON.parse(run.stdout), [{
      user: "carol",
      credentials: [{ mechanism: "SCRAM-SHA-256", iterations: 4096 }],
    }]);

    let put = await kcatProduce(broker, "carol", "carol-secret", "denied");
    assert.notEqual(put.code, 0, `kcat -P as carol without an ACL succeeded:\n${put.stdout}`);
    assert.match(put.stderr, /Topic authorization failed/);

    run = await tsbroker([
      "acl",
      "create",
      "--allow",
      "--principal",
      "User:carol",
      "--operation",
      "write",
      "--topic",
      TOPIC,
      ...b(),
    ]);
    expectCode(run, 0, "acl create");
    assert.match(run.stdout, /Created 1 ACL binding/);
    put = await kcatProduce(broker, "carol", "carol-secret", "allowed");
    assert.equal(put.code, 0, `kcat -P as carol with WRITE: ${put.stderr}`);

    run = await tsbroker(["acl", "list", ...b()]);
    expectCode(run, 0, "acl list");
    assert.match(run.stdout, /^PRINCIPAL\s+PERMISSION\s+OPERATION\s+RESOURCE\s+NAME\s+PATTERN\s+HOST$/m);
    assert.match(run.stdout, new RegExp(`^User:carol\\s+ALLOW\\s+WRITE\\s+TOPIC\\s+${TOPIC}\\s+LITERAL\\s+\\*$`, "m"));
    run = await tsbroker(["acl", "list", "--topic", TOPIC, "--matching", "--format", "json", ...b()]);
    expectCode(run, 0, "acl list --matching");
    assert.deepEqual(JSON.parse(run.stdout), [{
      resourceType: "TOPIC",
      resourceName: TOPIC,
      patternType: "LITERAL",
      principal: "User:carol",
      host: "*",
      operation: "WRITE",
      permission: "ALLOW",
    }]);
    run = await tsbroker(["acl", "list", "--principal", "User:nobody", ...b()]);
    expectCode(run, 0, "acl list --principal User:nobody");
    assert.match(run.stdout, /No ACL bindings match/);

    run = await tsbroker(["acl", "delete", "--principal", "User:carol", "--topic", TOPIC, "--dry-run", ...b()]);
    expectCode(run, 0, "acl delete --dry-run");
    assert.match(run.stdout, /Would delete 1 ACL binding/);
    run = await tsbroker(["acl", "list", "--principal", "User:carol", "--format", "json", ...b()]);
    assert.equal(JSON.parse(run.stdout).length, 1, "the dry run deleted the binding");
    run = await tsbroker(["acl", "delete", "--principal", "User:carol", "--topic", TOPIC, ...b()]);
    expectCode(run, 0, "acl delete");
    assert.match(run.stdout, /Deleted 1 ACL binding/);
    run = await tsbroker(["acl", "list", "--format", "json", ...b()]);
    assert.deepEqual(JSON.parse(run.stdout), []);
    put = await kcatProduce(broker, "carol", "carol-secret", "denied again");
    assert.notEqual(put.code, 0, `kcat -P as carol after acl delete succeeded:\n${put.stdout}`);

    run = await tsbroker(["user", "delete", "carol", ...b()]);
    expectCode(run, 0, "user delete");
    assert.match(run.stdout, /Deleted SCRAM-SHA-256 credential of user 'carol'/);
    put = await kcatProduce(broker, "carol", "carol-secret", "no login");
    assert.notEqual(put.code, 0, `kcat -P as a deleted user succeeded:\n${put.stdout}`);
    assert.match(put.stderr, /[Aa]uthentication failed|SASL/);
    run = await tsbroker(["user", "delete", "carol", ...b()]);
    expectCode(run, 1, "user delete of a deleted user");
    assert.match(run.stderr, /user 'carol' has no SCRAM credentials \(RESOURCE_NOT_FOUND\)/);
  });

  test("a SCRAM-SHA-512 user whose password comes from stdin logs in; a prefixed ALL binding lets it produce", async () => {
    let run = await tsbroker(
      ["user", "create", "frank", "--password", "-", "-m", "sha-512", "--iterations", "8192", ...b()],
      { input: "frank-secret\n" },
    );
    expectCode(run, 0, "user create --password -");
    run = await tsbroker(["user", "list", "frank", "--format", "json", ...b()]);
    assert.deepEqual(JSON.parse(run.stdout), [{
      user: "frank",
      credentials: [{ mechanism: "SCRAM-SHA-512", iterations: 8192 }],
    }]);
    run = await tsbroker(
      [
        "acl",
        "create",
        "--allow",
        "--principal",
        "User:frank",
        "--operation",
        "all",
        "--topic",
        "guard",
        "--prefixed",
        ...b(),
      ],
    );
    expectCode(run, 0, "acl create --prefixed");
    const put = await kcatProduce(broker, "frank", "frank-secret", "hello", "SCRAM-SHA-512");
    assert.equal(put.code, 0, `kcat -P as frank over SCRAM-SHA-512: ${put.stderr}`);
    const wrong = await kcatProduce(broker, "frank", "not-frank", "hello", "SCRAM-SHA-512");
    assert.notEqual(wrong.code, 0, "kcat with a wrong password succeeded");
    expectCode(await tsbroker(["acl", "delete", "--principal", "User:frank", ...b()]), 0, "acl delete");
    expectCode(await tsbroker(["user", "delete", "frank", "-m", "SCRAM-SHA-512", ...b()]), 0, "user delete -m");
  });

  test("the broker's refusals name the Kafka error", async () => {
    let run = await tsbroker(["user", "create", "dave", "--password", "x", "--iterations", "100", ...b()]);
    expectCode(run, 1, "user create with 100 iterations");
    assert.match(run.stderr, /UNACCEPTABLE_CREDENTIAL/);
    run = await tsbroker([
      "acl",
      "create",
      "--allow",
      "--principal",
      "User:dave",
      "--operation",
      "read",
      "--group",
      "readers",
      "--prefixed",
      ...b(),
    ]);
    expectCode(run, 0, "acl create --group --prefixed");
    run = await tsbroker(["acl", "list", "--group", "readers", "--prefixed", "--format", "json", ...b()]);
    assert.equal(JSON.parse(run.stdout)[0].patternType, "PREFIXED");
    run = await tsbroker(["acl", "delete", "--principal", "User:dave", "--format", "json", ...b()]);
    expectCode(run, 0, "acl delete --principal");
    assert.equal(JSON.parse(run.stdout).bindings.length, 1);
  });

  test("bad usage exits 2 and names the mistake", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["acl", "create", "--allow", "--principal", "User:x", "--operation", "frobnicate", "--topic", "t"],
        /unknown operation "frobnicate"/,
      ],
      [["acl", "create", "--allow", "--operation", "read", "--topic", "t"], /missing --principal/],
      [
        ["acl", "create", "--allow", "--deny", "--principal", "User:x", "--operation", "read", "--topic", "t"],
        /--allow or --deny, not both/,
      ],
      [["acl", "create", "--allow", "--principal", "alice", "--operation", "read", "--topic", "t"], /TYPE:NAME/],
      [
        ["acl", "create", "--allow", "--principal", "User:x", "--operation", "read", "--topic", "t", "--cluster"],
        /give one resource/,
      ],
      [["acl", "delete"], /name a resource or a --principal/],
      [["user", "create", "eve"], /missing --password/],
      [["user", "create", "eve", "--password", "p", "-m", "SCRAM-MD5"], /unknown mechanism "SCRAM-MD5"/],
    ];
    for (const [args, message] of cases) {
      const run = await tsbroker([...args, ...b()]);
      expectCode(run, 2, args.join(" "));
      assert.match(run.stderr, message, args.join(" "));
    }
  });
});

describe("tsbroker acl against a broker without an authorizer", DENO_ONLY, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno");
  });
  after(async () => await broker?.stop());

  test("SECURITY_DISABLED says to set authorizer.class.name", async () => {
    const run = await tsbroker(["acl", "list", "-b", broker.bootstrap]);
    expectCode(run, 1, "acl list without an authorizer");
    assert.match(run.stderr, /SECURITY_DISABLED/);
    assert.match(run.stderr, /authorizer\.class\.name=org\.apache\.kafka\.metadata\.authorizer\.StandardAuthorizer/);
  });
});
