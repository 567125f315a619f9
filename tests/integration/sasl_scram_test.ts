/**
 * SCRAM users on a SASL_PLAINTEXT listener (issue 14), against a broker
 * process under Deno: users created with Kafka's own kafka-configs tool
 * (AlterUserScramCredentials through the Java AdminClient) log in at once and
 * after a restart; DescribeUserScramCredentials and bad alterations on the
 * wire; kcat (librdkafka), kafkajs, confluent-kafka-python, franz-go
 * (sasl_go/) and the Java clients produce and consume as the SCRAM user.
 * The PLAIN, negative-path and re-authentication tests are in sasl_test.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker, tempDir } from "./_broker.ts";
import { handshaken, kcatRoundtrip, kcatSasl, plainToken, saslOverrides } from "./_sasl.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeSaslAuthenticateResponse,
  encodeSaslAuthenticateRequest,
} from "../../src/protocol/generated/sasl_authenticate.ts";
import {
  decodeDescribeUserScramCredentialsResponse,
  encodeDescribeUserScramCredentialsRequest,
} from "../../src/protocol/generated/describe_user_scram_credentials.ts";
import {
  decodeAlterUserScramCredentialsResponse,
  encodeAlterUserScramCredentialsRequest,
} from "../../src/protocol/generated/alter_user_scram_credentials.ts";
import { kafkaTool, pythonWithClients } from "../clients/_clients.ts";

const enc = new TextEncoder();

describe("SCRAM users created with kafka-configs log in at once and after a restart (deno)", () => {
  let broker: BrokerProcess;
  const dataDir = tempDir("tsbroker-scram-");
  const work = tempDir("tsbroker-scram-work-");
  before(async () => {
    broker = await startBroker("deno", { overrides: saslOverrides(), dataDir });
  });
  after(async () => {
    if (broker.running) await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("kafka-configs --add-config SCRAM-SHA-256, then SCRAM-SHA-512, over a PLAIN admin connection", async () => {
    const props = path.join(work, "admin.properties");
    fs.writeFileSync(
      props,
      "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n" +
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n',
    );
    // One mechanism per run: Kafka 4.4 refuses two changes for one user in one request (DUPLICATE_RESOURCE).
    for (
      const config of ["SCRAM-SHA-256=[iterations=8192,password=bob-secret]", "SCRAM-SHA-512=[password=bob-secret]"]
    ) {
      const out = await kafkaTool("org.apache.kafka.tools.ConfigCommand", [
        "--bootstrap-server",
        broker.bootstrap,
        "--command-config",
        props,
        "--alter",
        "--add-config",
        config,
        "--entity-type",
        "users",
        "--entity-name",
        "bob",
      ], 120_000);
      assert.equal(out.code, 0, `kafka-configs --add-config ${config} failed:\n${out.stdout}\n${out.stderr}`);
    }
    const stored = fs.readFileSync(path.join(dataDir, "__tsbroker_scram_credentials.json"), "utf8");
    assert.ok(!stored.includes("bob-secret"), "the password itself was stored");
  });

  test("the new user logs in at once with kcat over both mechanisms", async () => {
    await kcatRoundtrip(broker, "SCRAM-SHA-256", "bob", "bob-secret", "scram-256");
    await kcatRoundtrip(broker, "SCRAM-SHA-512", "bob", "bob-secret", "scram-512");
    const bad = await runCommand("kcat", [
      "-L",
      "-b",
      broker.bootstrap,
      "-m",
      "3",
      ...kcatSasl("SCRAM-SHA-256", "bob", "x"),
    ]);
    assert.match(
      bad.stderr,
      /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/,
    );
  });

  test("DescribeUserScramCredentials shows the mechanisms and iterations; bad alterations get Kafka's errors", async () => {
    const { client, call } = await handshaken(broker, "PLAIN");
    await call(
      client,
      36,
      2,
      { authBytes: plainToken("admin", "admin-secret") },
      encodeSaslAuthenticateRequest,
      decodeSaslAuthenticateResponse,
    );
    const described = await call(
      client,
      50,
      0,
      { users: [{ name: "bob" }, { name: "nobody" }] },
      encodeDescribeUserScramCredentialsRequest,
      decodeDescribeUserScramCredentialsResponse,
    );
    assert.deepEqual(described.results.map((r) => [r.user, r.errorCode, r.credentialInfos]), [
      ["bob", 0, [{ mechanism: 1, iterations: 8192 }, { mechanism: 2, iterations: 4096 }]],
      ["nobody", ErrorCode.RESOURCE_NOT_FOUND, []],
    ]);
    const salt = enc.encode("0123456789abcdef");
    const salted = new Uint8Array(32).fill(7);
    const altered = await call(
      client,
      51,
      0,
      {
        deletions: [{ name: "ghost", mechanism: 1 }],
        upsertions: [
          { name: "low", mechanism: 1, iterations: 1000, salt, saltedPassword: salted },
          { name: "odd", mechanism: 9, iterations: 4096, salt, saltedPassword: salted },
        ],
      },
      encodeAlterUserScramCredentialsRequest,
      decodeAlterUserScramCredentialsResponse,
    );
    assert.deepEqual(altered.results.map((r) => [r.user, r.errorCode]), [
      ["ghost", ErrorCode.RESOURCE_NOT_FOUND],
      ["low", ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ["odd", ErrorCode.UNSUPPORTED_SASL_MECHANISM],
    ]);
    client.destroy();
  });

  test("kafkajs produces as the SCRAM user, and confluent-kafka-python consumes it", async () => {
    const script = `
      import kafkajs from "kafkajs";
      const kafka = new kafkajs.Kafka({ brokers: [process.argv[1]], logLevel: kafkajs.logLevel.NOTHING,
        sasl: { mechanism: "scram-sha-256", username: "bob", password: "bob-secret" } });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: "scram-kjs", messages: [{ value: "from-kafkajs" }] });
      await producer.disconnect();
    `;
    const kjs = await runCommand("node", ["--input-type=module", "-e", script, broker.bootstrap]);
    assert.equal(kjs.code, 0, `kafkajs failed: ${kjs.stderr}`);
    const python = await pythonWithClients();
    const py = `
import sys
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "scram-py", "auto.offset.reset": "earliest",
  "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "SCRAM-SHA-512",
  "sasl.username": "bob", "sasl.password": "bob-secret"})
c.subscribe(["scram-kjs"])
for _ in range(60):
    m = c.poll(1.0)
    if m is not None and m.error() is None:
        print(m.value().decode())
        break
c.close()
`;
    const out = await runCommand(python, ["-c", py, broker.bootstrap], { timeoutMs: 90_000 });
    assert.equal(out.code, 0, `confluent-kafka failed: ${out.stderr}`);
    assert.equal(out.stdout.trim(), "from-kafkajs");
  });

  test("the Java producer and consumer (Kafka's perf and console tools) work as the SCRAM-SHA-512 user", async () => {
    const props = path.join(work, "bob.properties");
    fs.writeFileSync(
      props,
      "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n" +
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";\n',
    );
    const produced = await kafkaTool("org.apache.kafka.tools.ProducerPerformance", [
      "--topic",
      "scram-java",
      "--num-records",
      "500",
      "--record-size",
      "100",
      "--throughput",
      "-1",
      "--producer.config",
      props,
      "--producer-props",
      `bootstrap.servers=${broker.bootstrap}`,
      "acks=all",
    ], 120_000);
    assert.equal(produced.code, 0, `ProducerPerformance failed:\n${produced.stdout}\n${produced.stderr}`);
    assert.match(produced.stdout, /500 records sent/);
    const consumed = await kafkaTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
      "--bootstrap-server",
      broker.bootstrap,
      "--topic",
      "scram-java",
      "--from-beginning",
      "--max-messages",
      "500",
      "--timeout-ms",
      "60000",
      "--consumer.config",
      props,
      "--group",
      "scram-java-group",
    ], 120_000);
    assert.equal(consumed.code, 0, `ConsoleConsumer failed:\n${consumed.stderr}`);
    // ProducerPerformance's values are 100 random capital letters.
    assert.equal(consumed.stdout.split("\n").filter((l) => /^[A-Z]{100}$/.test(l)).length, 500);
  });

  test("franz-go produces and consumes as the SCRAM user (both mechanisms) and as a PLAIN user", async () => {
    const binary = path.join(work, "saslgo");
    const built = await runCommand("go", [
      "-C",
      path.join(ROOT, "tests/integration/sasl_go"),
      "build",
      "-o",
      binary,
      ".",
    ], {
      env: { GOFLAGS: "-mod=mod" },
      timeoutMs: 300_000,
    });
    assert.equal(
      built.code,
      0,
      `building tests/integration/sasl_go (needs Go and the Go module proxy once): ${built.stderr}`,
    );
    for (
      const [mechanism, user, password] of [
        ["SCRAM-SHA-256", "bob", "bob-secret"],
        ["SCRAM-SHA-512", "bob", "bob-secret"],
        ["PLAIN", "alice", "alice-secret"],
      ]
    ) {
      const out = await runCommand(binary, [broker.bootstrap, mechanism, user, password, `go-${mechanism}`]);
      assert.equal(out.code, 0, `franz-go with ${mechanism} failed: ${out.stderr}`);
      assert.equal(out.stdout.trim(), "10");
    }
  });

  test("after a restart the SCRAM user still logs in", async () => {
    assert.equal(await broker.stop(), 0);
    broker = await startBroker("deno", { overrides: saslOverrides(), dataDir });
    await kcatRoundtrip(broker, "SCRAM-SHA-512", "bob", "bob-secret", "after-restart");
  });
});
