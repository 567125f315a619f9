/**
 * SASL_PLAINTEXT listeners (issue 14) with real clients and raw requests,
 * against a broker process: PLAIN users from the listener's JAAS config,
 * SCRAM users created with Kafka's own kafka-configs tool
 * (AlterUserScramCredentials through the Java AdminClient) that log in at once
 * and after a restart; kcat (librdkafka), kafkajs, confluent-kafka-python,
 * franz-go (sasl_go/) and the Java clients produce and consume; kafkajs
 * re-authenticates (KIP-368). Negative paths are checked on the wire: what Kafka
 * answers, and that only that connection is closed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, ROOT, runCommand, startBroker, tempDir } from "./_broker.ts";
import { requestFrame, wireCaller, WireClient } from "./_wire.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeSaslHandshakeResponse,
  encodeSaslHandshakeRequest,
} from "../../src/protocol/generated/sasl_handshake.ts";
import {
  decodeSaslAuthenticateResponse,
  encodeSaslAuthenticateRequest,
} from "../../src/protocol/generated/sasl_authenticate.ts";
import { decodeMetadataResponse, encodeMetadataRequest } from "../../src/protocol/generated/metadata.ts";
import {
  decodeDescribeUserScramCredentialsResponse,
  encodeDescribeUserScramCredentialsRequest,
} from "../../src/protocol/generated/describe_user_scram_credentials.ts";
import {
  decodeAlterUserScramCredentialsResponse,
  encodeAlterUserScramCredentialsRequest,
} from "../../src/protocol/generated/alter_user_scram_credentials.ts";
import { kafkaTool, pythonWithClients } from "../clients/_clients.ts";

const PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_admin="admin-secret" user_alice="alice-secret" user_a="b";';

function saslOverrides(): Record<string, string> {
  return {
    listeners: "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
    "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
  };
}

/** The bound port of the PLAINTEXT listener, from the broker's start line. */
function plaintextPort(broker: BrokerProcess): number {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return Number(/,PLAINTEXT:\/\/[^,\s]*:(\d+)/.exec(line)![1]);
}

function kcatSasl(mechanism: string, user: string, password: string): string[] {
  return [
    "-X",
    "security.protocol=SASL_PLAINTEXT",
    "-X",
    `sasl.mechanisms=${mechanism}`,
    "-X",
    `sasl.username=${user}`,
    "-X",
    `sasl.password=${password}`,
  ];
}

async function kcatRoundtrip(broker: BrokerProcess, mechanism: string, user: string, password: string, topic: string) {
  const auth = kcatSasl(mechanism, user, password);
  const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", topic, ...auth], {
    input: "one\ntwo\nthree\n",
  });
  assert.equal(put.code, 0, `kcat -P with ${mechanism} as ${user} failed: ${put.stderr}`);
  const get = await runCommand("kcat", ["-C", "-b", broker.bootstrap, "-t", topic, "-e", "-q", ...auth]);
  assert.equal(get.code, 0, `kcat -C with ${mechanism} as ${user} failed: ${get.stderr}`);
  assert.deepEqual(get.stdout.trim().split("\n"), ["one", "two", "three"]);
}

const enc = new TextEncoder();

/** A connection that did the v1 handshake for `mechanism`. */
async function handshaken(broker: BrokerProcess, mechanism: string) {
  const client = await WireClient.connect(broker.port);
  const call = wireCaller("sasl-test");
  const hs = await call(client, 17, 1, { mechanism }, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse);
  return { client, call, hs };
}

function plainToken(user: string, password: string): Uint8Array {
  return enc.encode(`\0${user}\0${password}`);
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`SASL PLAIN on a SASL_PLAINTEXT listener, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, { overrides: saslOverrides() });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("kcat produces and consumes as a PLAIN user", async () => {
      await kcatRoundtrip(broker, "PLAIN", "alice", "alice-secret", `plain-${flavour}`);
    });

    test("kcat with a wrong password gets Kafka's message and no metadata", async () => {
      const out = await runCommand("kcat", [
        "-L",
        "-b",
        broker.bootstrap,
        "-m",
        "3",
        ...kcatSasl("PLAIN", "alice", "wrong"),
      ]);
      assert.notEqual(out.code, 0);
      assert.match(out.stderr, /Authentication failed: Invalid username or password/);
    });

    test("a wrong password is answered SASL_AUTHENTICATION_FAILED, then only that connection closes", async () => {
      const other = await handshaken(broker, "PLAIN");
      const { client, call, hs } = await handshaken(broker, "PLAIN");
      assert.equal(hs.errorCode, ErrorCode.NONE);
      assert.deepEqual(hs.mechanisms, ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]);
      const res = await call(
        client,
        36,
        2,
        { authBytes: plainToken("alice", "nope") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(res.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(res.errorMessage, "Authentication failed: Invalid username or password");
      assert.ok(await client.closedWithin(5000), "the failed connection stays open");
      const ok = await other.call(
        other.client,
        36,
        1,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(ok.errorCode, ErrorCode.NONE);
      assert.equal(ok.sessionLifetimeMs, 0n);
      const md = await other.call(
        other.client,
        3,
        12,
        {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
          includeClusterAuthorizedOperations: false,
        },
        encodeMetadataRequest,
        decodeMetadataResponse,
      );
      assert.equal(md.brokers.length, 1);
      // Authenticated: a second SaslAuthenticate is Kafka's ILLEGAL_SASL_STATE, answered by the handler.
      const again = await other.call(
        other.client,
        36,
        2,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(again.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      other.client.destroy();
    });
  });
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`SASL negative paths on the wire, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, {
        overrides: {
          ...saslOverrides(),
          "tsbroker.request.read.timeout.ms": 2000,
          "connection.failed.authentication.delay.ms": 500,
        },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("a request other than ApiVersions or SaslHandshake before authentication closes the connection", async () => {
      const client = await WireClient.connect(broker.port);
      client.write(requestFrame(3, 12, 1, "x", {
        topics: [],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
        includeClusterAuthorizedOperations: false,
      }, encodeMetadataRequest));
      assert.equal(await client.readFrame(), null);
    });

    test("an unknown mechanism is answered UNSUPPORTED_SASL_MECHANISM with the enabled list, then closed", async () => {
      const { client, hs } = await handshaken(broker, "GSSAPI");
      assert.equal(hs.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      assert.deepEqual(hs.mechanisms, ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]);
      assert.ok(await client.closedWithin(5000));
    });

    test("a v0 handshake is followed by unframed tokens (clients before Kafka 1.0)", async () => {
      const client = await WireClient.connect(broker.port);
      const call = wireCaller("old");
      const hs = await call(
        client,
        17,
        0,
        { mechanism: "PLAIN" },
        encodeSaslHandshakeRequest,
        decodeSaslHandshakeResponse,
      );
      assert.equal(hs.errorCode, ErrorCode.NONE);
      const token = plainToken("admin", "admin-secret");
      const framed = new Uint8Array(4 + token.length);
      new DataView(framed.buffer).setInt32(0, token.length);
      framed.set(token, 4);
      client.write(framed);
      assert.deepEqual(await client.readFrame(), new Uint8Array(0));
      const md = await call(
        client,
        3,
        4,
        {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
          includeClusterAuthorizedOperations: false,
        },
        encodeMetadataRequest,
        decodeMetadataResponse,
      );
      assert.equal(md.brokers.length, 1);
      client.destroy();
    });

    test("a failed authentication is answered and closed only after connection.failed.authentication.delay.ms", async () => {
      const { client, call } = await handshaken(broker, "PLAIN");
      const started = performance.now();
      const res = await call(
        client,
        36,
        2,
        { authBytes: plainToken("alice", "guess") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(res.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.ok(performance.now() - started >= 450, `answered after ${performance.now() - started} ms`);
      assert.ok(await client.closedWithin(5000));
    });

    test("an unframed token shorter than a request header is still a token", async () => {
      const client = await WireClient.connect(broker.port);
      const call = wireCaller("old");
      await call(client, 17, 0, { mechanism: "PLAIN" }, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse);
      client.write(new Uint8Array([0, 0, 0, 4, 0, 97, 0, 98])); // "\0a\0b"
      assert.deepEqual(await client.readFrame(), new Uint8Array(0));
      client.destroy();
    });

    test("a client that stops mid-handshake is closed by the request read timeout, others unaffected", async () => {
      const client = await WireClient.connect(broker.port);
      const half = requestFrame(17, 1, 1, "slow", { mechanism: "PLAIN" }, encodeSaslHandshakeRequest);
      client.write(half.subarray(0, half.length - 3));
      // tsbroker.request.read.timeout.ms is 2 s here (30 s by default).
      const other = await handshaken(broker, "PLAIN");
      assert.ok(await client.closedWithin(10_000), "a half-sent handshake is kept open");
      assert.equal(other.hs.errorCode, ErrorCode.NONE);
      assert.ok(!other.client.closed, "another connection was closed too");
      other.client.destroy();
    });

    test("a frame larger than sasl.server.max.receive.size before authentication closes the connection", async () => {
      const client = await WireClient.connect(broker.port);
      const header = new Uint8Array(8);
      new DataView(header.buffer).setInt32(0, 600_000);
      new DataView(header.buffer).setInt16(4, 17);
      client.write(header);
      assert.ok(await client.closedWithin(5000));
    });

    test("SaslHandshake on a PLAINTEXT listener is answered ILLEGAL_SASL_STATE, as Kafka's KafkaApis does", async () => {
      const client = await WireClient.connect(plaintextPort(broker));
      const call = wireCaller("plain");
      const hs = await call(
        client,
        17,
        1,
        { mechanism: "PLAIN" },
        encodeSaslHandshakeRequest,
        decodeSaslHandshakeResponse,
      );
      assert.equal(hs.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      assert.deepEqual(hs.mechanisms, []);
      const auth = await call(
        client,
        36,
        0,
        { authBytes: new Uint8Array(0) },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(auth.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      assert.equal(auth.errorMessage, "SaslAuthenticate request received after successful authentication");
      client.destroy();
    });
  });
}

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

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`re-authentication (KIP-368) with connections.max.reauth.ms, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, {
        overrides: { ...saslOverrides(), "connections.max.reauth.ms": 2000, "tsbroker.log.level": "debug" },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("kafkajs re-authenticates on its connections and keeps producing past several session lifetimes", async () => {
      const script = `
      import kafkajs from "kafkajs";
      const kafka = new kafkajs.Kafka({ brokers: [process.argv[1]], logLevel: kafkajs.logLevel.NOTHING,
        reauthenticationThreshold: 1000, sasl: { mechanism: "plain", username: "alice", password: "alice-secret" } });
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 14; i++) {
        await producer.send({ topic: "reauth-" + process.argv[2], messages: [{ value: "m" + i }] });
        await new Promise((r) => setTimeout(r, 500));
      }
      await producer.disconnect();
    `;
      const kjs = await runCommand("node", ["--input-type=module", "-e", script, broker.bootstrap, flavour], {
        timeoutMs: 60_000,
      });
      assert.equal(kjs.code, 0, `kafkajs failed: ${kjs.stderr}`);
      const expired = broker.output.filter((l) => /expired .* without re-authentication/.test(l));
      assert.deepEqual(expired, [], "connections were closed for expired sessions instead of re-authenticating");
      const get = await runCommand("kcat", [
        "-C",
        "-b",
        broker.bootstrap,
        "-t",
        `reauth-${flavour}`,
        "-e",
        "-q",
        ...kcatSasl("PLAIN", "alice", "alice-secret"),
      ]);
      assert.equal(get.stdout.trim().split("\n").length, 14);
    });

    test("a connection that does not re-authenticate is closed at its first request after expiry", async () => {
      const { client, call } = await handshaken(broker, "PLAIN");
      const ok = await call(
        client,
        36,
        1,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(ok.sessionLifetimeMs, 2000n);
      await new Promise((r) => setTimeout(r, 2300));
      client.write(requestFrame(3, 12, 9, "x", {
        topics: [],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
        includeClusterAuthorizedOperations: false,
      }, encodeMetadataRequest));
      assert.equal(await client.readFrame(), null);
    });

    test("re-authenticating as another user is refused with Kafka's message", async () => {
      const { client, call } = await handshaken(broker, "PLAIN");
      await call(
        client,
        36,
        2,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      const again = await call(
        client,
        17,
        1,
        { mechanism: "PLAIN" },
        encodeSaslHandshakeRequest,
        decodeSaslHandshakeResponse,
      );
      assert.equal(again.errorCode, ErrorCode.NONE);
      const other = await call(
        client,
        36,
        2,
        { authBytes: plainToken("admin", "admin-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(other.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(other.errorMessage, "Cannot change principals during re-authentication from User.alice: User.admin");
      assert.ok(await client.closedWithin(5000));
    });
  });
}
