/**
 * ACLs with a real client (kcat, librdkafka) over SASL_PLAINTEXT against a
 * broker process with the StandardAuthorizer: alice may not produce and bob
 * may not consume until the super user (User:admin) grants WRITE to alice
 * and READ to bob with CreateAcls; then both work, each only for what it was
 * granted; after a restart the grants are still there.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, runCommand, startBroker } from "./_broker.ts";
import { wireCaller } from "./_wire.ts";
import { ACL_SETTINGS, Sessions } from "../differential/_acl_scenarios.ts";
import * as ca from "../../src/protocol/generated/create_acls.ts";
import * as ct from "../../src/protocol/generated/create_topics.ts";
import { AclOperation, AclPermission, PatternType, ResourceType } from "../../src/cluster/acl/acl_types.ts";

const TOPIC = "matrix";
const SETTINGS = { ...ACL_SETTINGS, "super.users": "User:admin", listeners: "SASL_PLAINTEXT://127.0.0.1:0" };
const call = wireCaller("acl-matrix");

function kcat(broker: BrokerProcess, user: string, args: string[], input?: string) {
  return runCommand("kcat", [
    "-b",
    broker.bootstrap,
    "-X",
    "security.protocol=SASL_PLAINTEXT",
    "-X",
    "sasl.mechanisms=PLAIN",
    "-X",
    `sasl.username=${user}`,
    "-X",
    `sasl.password=${user}-secret`,
    "-t",
    TOPIC,
    ...args,
  ], { input, timeoutMs: 30_000 });
}

const produce = (broker: BrokerProcess, user: string, lines: string) =>
  kcat(broker, user, ["-P", "-X", "message.timeout.ms=5000"], lines);
const consume = (broker: BrokerProcess, user: string) => kcat(broker, user, ["-C", "-e", "-q", "-o", "beginning"]);

async function asAdmin<T>(broker: BrokerProcess, fn: (s: Sessions) => Promise<T>): Promise<T> {
  const sessions = new Sessions(broker.port);
  try {
    return await fn(sessions);
  } finally {
    sessions.close();
  }
}

function grant(principal: string, operation: number): ca.AclCreation {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: TOPIC,
    resourcePatternType: PatternType.LITERAL,
    principal,
    host: "*",
    operation,
    permissionType: AclPermission.ALLOW,
  };
}

describe("ACL matrix with kcat over SASL_PLAINTEXT", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno", { overrides: SETTINGS });
    await asAdmin(broker, async (s) => {
      const created = await call(
        await s.of("admin"),
        19,
        7,
        {
          topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 5000,
          validateOnly: false,
        },
        ct.encodeCreateTopicsRequest,
        ct.decodeCreateTopicsResponse,
      );
      assert.equal(created.topics[0].errorCode, 0);
    });
  });
  after(async () => {
    await broker?.stop();
    if (broker) fs.rmSync(broker.dataDir, { recursive: true, force: true });
  });

  test("without grants alice cannot produce and bob cannot consume", async () => {
    const put = await produce(broker, "alice", "denied\n");
    assert.notEqual(put.code, 0, `kcat -P as alice succeeded:\n${put.stdout}`);
    assert.match(put.stderr, /authoriz/i);
    const get = await consume(broker, "bob");
    assert.notEqual(get.code, 0, `kcat -C as bob succeeded:\n${get.stdout}`);
    assert.match(get.stderr, /authoriz/i);
  });

  test("after CreateAcls alice produces and bob consumes, each only that", async () => {
    await asAdmin(broker, async (s) => {
      const res = await call(
        await s.of("admin"),
        30,
        3,
        {
          creations: [grant("User:alice", AclOperation.WRITE), grant("User:bob", AclOperation.READ)],
        },
        ca.encodeCreateAclsRequest,
        ca.decodeCreateAclsResponse,
      );
      assert.deepEqual(res.results.map((r) => r.errorCode), [0, 0]);
    });
    const put = await produce(broker, "alice", "one\ntwo\n");
    assert.equal(put.code, 0, `kcat -P as alice: ${put.stderr}`);
    const get = await consume(broker, "bob");
    assert.equal(get.code, 0, `kcat -C as bob: ${get.stderr}`);
    assert.deepEqual(get.stdout.trim().split("\n"), ["one", "two"]);
    const bobPut = await produce(broker, "bob", "not mine\n");
    assert.notEqual(bobPut.code, 0, "bob, who may only read, produced");
    const aliceGet = await consume(broker, "alice");
    assert.notEqual(aliceGet.code, 0, "alice, who may only write, consumed");
  });

  test("the grants survive a restart", async () => {
    assert.equal(await broker.stop(), 0);
    broker = await startBroker("deno", { overrides: SETTINGS, dataDir: broker.dataDir });
    const put = await produce(broker, "alice", "three\n");
    assert.equal(put.code, 0, `kcat -P as alice after the restart: ${put.stderr}`);
    const get = await consume(broker, "bob");
    assert.deepEqual(get.stdout.trim().split("\n"), ["one", "two", "three"]);
    assert.notEqual((await produce(broker, "bob", "x\n")).code, 0);
  });
});
