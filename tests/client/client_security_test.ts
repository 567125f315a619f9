/**
 * The client library over SASL and TLS (issue 16 with issue 14) against a tsbroker process with one listener
 * per security protocol: SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (users created through
 * AlterUserScramCredentials, one with "," and "=" in its name), SSL, mTLS and SASL_SSL, each producing and
 * consuming. Negative paths fail fast (well under the request timeout) with a non-retriable error naming the
 * cause: a wrong password, an unknown user, a mechanism the broker does not enable, an untrusted certificate,
 * a hostname mismatch, a missing client certificate. A broker with a short connections.max.reauth.ms keeps a
 * client's connections across several session expiries (KIP-368). The reference Kafka, on a SASL_PLAINTEXT
 * listener, takes PLAIN and SCRAM logins from the same client.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Admin } from "../../src/client/admin.ts";
import { Consumer } from "../../src/client/consumer.ts";
import { KafkaClientError } from "../../src/client/errors.ts";
import { type ClientOptions, NetworkClient } from "../../src/client/network_client.ts";
import { Apis } from "../../src/client/apis.ts";
import { Producer } from "../../src/client/producer.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { freePort, type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { type BrokerProcess, metric, ROOT, startBroker } from "../integration/_broker.ts";
import { makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";
import * as fs from "node:fs";
import * as path from "node:path";

const PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_admin="admin-secret" user_alice="alice-secret";';
const WEIRD_USER = "we,ird=user";

/** host:port of listener `name`, from the broker's start line. */
export function addressOf(broker: BrokerProcess, name: string): string {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return new RegExp(`[=,]${name}://([^,\\s]+)`).exec(line)![1];
}

/** Produces three records to a new topic and reads them back, both with `options`. */
async function roundtrip(options: ClientOptions, topic: string): Promise<void> {
  const admin = new Admin(options);
  const producer = new Producer(options);
  const consumer = new Consumer(options);
  try {
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    for (const value of ["one", "two", "three"]) await producer.send({ topic, value });
    consumer.assign([{ topic, partition: 0 }]);
    await consumer.seekToBeginning();
    const values: string[] = [];
    const deadline = Date.now() + 15_000;
    while (values.length < 3 && Date.now() < deadline) {
      for (const r of await consumer.poll(500)) values.push(new TextDecoder().decode(r.value!));
    }
    assert.deepEqual(values, ["one", "two", "three"]);
  } finally {
    await consumer.close();
    await producer.close();
    await admin.close();
  }
}

/** Asks for metadata with `options`; resolves with the error it fails with and how long that took. */
async function refused(options: ClientOptions): Promise<{ error: KafkaClientError; ms: number }> {
  const client = new NetworkClient({ requestTimeoutMs: 20_000, ...options });
  const start = Date.now();
  try {
    await client.retrying(() =>
      client.send(client.anyNode(), Apis.Metadata, {
        topics: [],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      })
    );
  } catch (e) {
    assert.ok(e instanceof KafkaClientError, `not a KafkaClientError: ${e}`);
    assert.equal(e.retriable, false, `retriable: ${e.message}`);
    return { error: e, ms: Date.now() - start };
  } finally {
    await client.close();
  }
  assert.fail("the broker answered");
}

describe("client security: tsbroker listeners", () => {
  let broker: BrokerProcess;
  let certs: TestCerts;
  let at: (listener: string) => string[];
  before(async () => {
    certs = makeTestCerts();
    broker = await startBroker("deno", {
      overrides: {
        listeners: "SASL_PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0,SASL_SSL://127.0.0.1:0," +
          "PLAINTEXT://127.0.0.1:0",
        "listener.security.protocol.map":
          "SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
        "listener.name.sasl_ssl.plain.sasl.jaas.config": PLAIN_JAAS,
        "ssl.keystore.location": certs.serverStore,
        "ssl.truststore.location": certs.caPem,
        "listener.name.mtls.ssl.client.auth": "required",
        "group.initial.rebalance.delay.ms": 0,
      },
    });
    at = (listener) => [addressOf(broker, listener)];
    const admin = new Admin({ bootstrapServers: at("PLAINTEXT") });
    try {
      // One credential per user and request: Kafka refuses a user altered twice in one request.
      await admin.alterUserScramCredentials([
        { user: "scrammy", mechanism: "SCRAM-SHA-256", password: "scram-secret" },
        { user: WEIRD_USER, mechanism: "SCRAM-SHA-256", password: "weird-secret" },
      ]);
      await admin.alterUserScramCredentials([
        { user: "scrammy", mechanism: "SCRAM-SHA-512", password: "scram-secret-512", iterations: 8192 },
      ]);
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    await broker?.stop();
    certs?.remove();
  });

  const tls = () => ({ ca: fs.readFileSync(certs.caPem, "utf8") });

  test("SASL_PLAINTEXT with PLAIN: produce and consume", async () => {
    await roundtrip({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "PLAIN", username: "alice", password: "alice-secret" },
    }, "plain-t");
  });

  test("SASL_PLAINTEXT with SCRAM-SHA-256 and SCRAM-SHA-512, users made by AlterUserScramCredentials", async () => {
    await roundtrip({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "SCRAM-SHA-256", username: "scrammy", password: "scram-secret" },
    }, "scram256-t");
    await roundtrip({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "SCRAM-SHA-512", username: "scrammy", password: "scram-secret-512" },
    }, "scram512-t");
  });

  test("SCRAM user names with ',' and '=' are escaped", async () => {
    await roundtrip({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "SCRAM-SHA-256", username: WEIRD_USER, password: "weird-secret" },
    }, "weird-t");
  });

  test("SSL (server certificate checked against the CA and the host name)", async () => {
    await roundtrip({ bootstrapServers: at("SSL"), tls: tls() }, "ssl-t");
  });

  test("mTLS: a client certificate on a listener that requires one", async () => {
    await roundtrip({
      bootstrapServers: at("MTLS"),
      tls: { ...tls(), cert: fs.readFileSync(certs.clientCert, "utf8"), key: fs.readFileSync(certs.clientKey, "utf8") },
    }, "mtls-t");
  });

  test("SASL_SSL with SCRAM-SHA-256 and PLAIN", async () => {
    await roundtrip({
      bootstrapServers: at("SASL_SSL"),
      tls: tls(),
      sasl: { mechanism: "SCRAM-SHA-256", username: "scrammy", password: "scram-secret" },
    }, "saslssl-t");
    await roundtrip({
      bootstrapServers: at("SASL_SSL"),
      tls: tls(),
      sasl: { mechanism: "PLAIN", username: "admin", password: "admin-secret" },
    }, "saslssl-plain-t");
  });

  test("a wrong password fails at once with the broker's message (PLAIN and SCRAM)", async () => {
    const plain = await refused({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "PLAIN", username: "alice", password: "nope" },
    });
    assert.equal(plain.error.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.match(plain.error.message, /Invalid username or password/);
    assert.ok(plain.ms < 5000, `took ${plain.ms} ms`);
    const scram = await refused({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "SCRAM-SHA-256", username: "scrammy", password: "nope" },
    });
    assert.equal(scram.error.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.match(scram.error.message, /Authentication failed.*SCRAM-SHA-256/);
    assert.ok(scram.ms < 5000, `took ${scram.ms} ms`);
  });

  test("an unknown user fails at once (PLAIN and SCRAM-SHA-512)", async () => {
    for (const mechanism of ["PLAIN", "SCRAM-SHA-512"] as const) {
      const r = await refused({
        bootstrapServers: at("SASL_PLAINTEXT"),
        sasl: { mechanism, username: "nobody", password: "x" },
      });
      assert.equal(r.error.code, ErrorCode.SASL_AUTHENTICATION_FAILED, r.error.message);
      assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    }
  });

  test("a mechanism the broker does not enable: UNSUPPORTED_SASL_MECHANISM naming those it does", async () => {
    const r = await refused({
      bootstrapServers: at("SASL_PLAINTEXT"),
      sasl: { mechanism: "OAUTHBEARER", token: "x.y.z" },
    });
    assert.equal(r.error.code, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    assert.match(r.error.message, /does not enable OAUTHBEARER.*PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
  });

  test("an untrusted server certificate fails the handshake at once, saying so", async () => {
    const r = await refused({
      bootstrapServers: at("SSL"),
      tls: { ca: fs.readFileSync(certs.dir + "/rogue-ca.pem", "utf8") },
    });
    assert.match(r.error.message, /TLS handshake with .* failed: .*not signed by a trusted CA/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  test("a certificate for another host name fails the handshake at once; checkHostname: false accepts it", async () => {
    const r = await refused({
      bootstrapServers: at("SSL"),
      tls: { ...tls(), servername: "broker.example" },
    });
    assert.match(r.error.message, /TLS handshake with .* failed: .*hostname mismatch/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    await roundtrip({
      bootstrapServers: at("SSL"),
      tls: { ...tls(), servername: "broker.example", checkHostname: false },
    }, "nohostcheck-t");
  });

  test("under Bun: SASL_SSL and mTLS produce; an untrusted certificate, a hostname mismatch and a wrong password fail at once", async () => {
    const out = await new Deno.Command(path.join(ROOT, "node_modules", ".bin", "bun"), {
      args: [
        "run",
        path.join(ROOT, "tests", "client", "_bun_security_scenario.ts"),
        JSON.stringify({
          saslSsl: at("SASL_SSL")[0],
          mtls: at("MTLS")[0],
          ssl: at("SSL")[0],
          ca: certs.caPem,
          rogueCa: path.join(certs.dir, "rogue-ca.pem"),
          clientCert: certs.clientCert,
          clientKey: certs.clientKey,
        }),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    assert.equal(r.saslSsl, 0);
    assert.equal(r.mtls, 0);
    for (
      const [name, pattern] of [
        ["untrusted", /not signed by a trusted CA/],
        ["mismatch", /hostname mismatch/],
        ["wrongPassword", /SASL_AUTHENTICATION_FAILED: Authentication failed/],
      ] as const
    ) {
      assert.match(r[name].message, pattern, name);
      assert.equal(r[name].retriable, false, name);
      assert.ok(r[name].ms < 5000, `${name} took ${r[name].ms} ms`);
    }
  });

  test("no client certificate on a listener that requires one fails at once", async () => {
    const r = await refused({ bootstrapServers: at("MTLS"), tls: tls() });
    assert.match(r.error.message, /TLS handshake with .* failed/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });
});

describe("client security: re-authentication (KIP-368)", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno", {
      overrides: {
        listeners: "SASL_PLAINTEXT://127.0.0.1:0",
        "sasl.enabled.mechanisms": "PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
        "connections.max.reauth.ms": 1000,
      },
    });
  });
  after(async () => {
    await broker?.stop();
  });

  test("a connection stays usable across several session expiries, without reconnecting", async () => {
    const options: ClientOptions = {
      bootstrapServers: [broker.bootstrap],
      sasl: { mechanism: "PLAIN", username: "alice", password: "alice-secret" },
    };
    const admin = new Admin(options);
    const producer = new Producer(options);
    try {
      await admin.createTopics([{ name: "reauth-t", partitions: 1 }]);
      await producer.send({ topic: "reauth-t", value: "first" });
      const accepted = await metric(broker, "kafka_network_connections_accepted_total");
      // 4.5 s at 1 s sessions: at least three expiries, with sends before and after each.
      for (let i = 0; i < 15; i++) {
        await new Promise((r) => setTimeout(r, 300));
        await producer.send({ topic: "reauth-t", value: `v${i}` });
      }
      assert.equal(await metric(broker, "kafka_network_connections_accepted_total"), accepted);
    } finally {
      await producer.close();
      await admin.close();
    }
  });
});

describe("client security: the reference Kafka on SASL_PLAINTEXT", () => {
  let kafka: ReferenceKafka;
  let saslPort: number;
  before(async () => {
    saslPort = await freePort();
    kafka = await startReferenceKafka({
      heap: "384m",
      extraListeners: [{ name: "SASL_PLAINTEXT", protocol: "SASL_PLAINTEXT", port: saslPort }],
      config: {
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config":
          "org.apache.kafka.common.security.scram.ScramLoginModule required;",
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config":
          "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      },
    });
    const admin = new Admin({ bootstrapServers: [kafka.bootstrap] });
    try {
      await admin.alterUserScramCredentials([
        { user: "scrammy", mechanism: "SCRAM-SHA-256", password: "scram-secret" },
      ]);
      await admin.alterUserScramCredentials([
        { user: "scrammy", mechanism: "SCRAM-SHA-512", password: "scram-secret-512" },
      ]);
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    await kafka?.stop();
  });

  test("PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 log in, produce and consume", async () => {
    const bootstrapServers = [`127.0.0.1:${saslPort}`];
    await roundtrip(
      { bootstrapServers, sasl: { mechanism: "PLAIN", username: "alice", password: "alice-secret" } },
      "k-plain",
    );
    // Kafka's broker applies the controller's credential record a moment after answering.
    await new Promise((r) => setTimeout(r, 1500));
    await roundtrip({
      bootstrapServers,
      sasl: { mechanism: "SCRAM-SHA-256", username: "scrammy", password: "scram-secret" },
    }, "k-scram256");
    await roundtrip({
      bootstrapServers,
      sasl: { mechanism: "SCRAM-SHA-512", username: "scrammy", password: "scram-secret-512" },
    }, "k-scram512");
  });

  test("a wrong password: Kafka's message, at once", async () => {
    const r = await refused({
      bootstrapServers: [`127.0.0.1:${saslPort}`],
      sasl: { mechanism: "PLAIN", username: "alice", password: "nope" },
    });
    assert.equal(r.error.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.match(r.error.message, /Invalid username or password/);
    const s = await refused({
      bootstrapServers: [`127.0.0.1:${saslPort}`],
      sasl: { mechanism: "SCRAM-SHA-512", username: "scrammy", password: "nope" },
    });
    assert.equal(s.error.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
  });
});
