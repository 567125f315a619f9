/**
 * SASL/OAUTHBEARER (issue 14, KIP-255) with real clients against a broker
 * process, on a SASL_PLAINTEXT listener whose validator is Kafka's default
 * unsecured one (tokens with alg "none", required scope "kafka"): kcat and
 * confluent-kafka-python with librdkafka's built-in unsecured JWT
 * (`sasl.oauthbearer.config`), the Java clients with the unsecured
 * OAuthBearerLoginModule, produce and consume; a token without the scope is
 * refused with Kafka's JSON challenge; kcat also over SASL_SSL. A second
 * SASL_PLAINTEXT listener checks signed tokens
 * against a JWKS file (raw client: a good ES256 token authenticates, its
 * session lifetime is the token's; alg none and a wrong issuer are refused).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateKeyPairSync, sign } from "node:crypto";
import { Buffer } from "node:buffer";
import { pathToFileURL } from "node:url";
import { type BrokerProcess, type Flavour, runCommand, startBroker, tempDir } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeSaslHandshakeResponse,
  encodeSaslHandshakeRequest,
} from "../../src/protocol/generated/sasl_handshake.ts";
import {
  decodeSaslAuthenticateResponse,
  encodeSaslAuthenticateRequest,
} from "../../src/protocol/generated/sasl_authenticate.ts";
import { kafkaTool, pythonWithClients } from "../clients/_clients.ts";
import { makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";

const LOGIN = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";
const JWKS_HANDLER = "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler";
const enc = new TextEncoder();
const dec = new TextDecoder();
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });

function overrides(jwksUrl: string, certs: TestCerts): Record<string, string> {
  const unsecured = `${LOGIN} required unsecuredValidatorRequiredScope="kafka";`;
  return {
    listeners: "SASL_PLAINTEXT://127.0.0.1:0,SIGNED://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
    "listener.security.protocol.map": "SASL_PLAINTEXT:SASL_PLAINTEXT,SIGNED:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
    "sasl.enabled.mechanisms": "OAUTHBEARER",
    "listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config": unsecured,
    "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config": unsecured,
    "ssl.keystore.location": certs.serverStore,
    "listener.name.signed.oauthbearer.sasl.jaas.config": `${LOGIN} required;`,
    "listener.name.signed.oauthbearer.sasl.server.callback.handler.class": JWKS_HANDLER,
    "sasl.oauthbearer.jwks.endpoint.url": jwksUrl,
    "sasl.oauthbearer.expected.issuer": "https://idp.example",
    "sasl.oauthbearer.expected.audience": "tsbroker",
    // The expired-session close is logged at debug level; the re-authentication test looks for it.
    "tsbroker.log.level": "debug",
  };
}

/** host:port of listener `name`, from the broker's start line. */
function addressOf(broker: BrokerProcess, name: string): string {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return new RegExp(`[=,]${name}://([^,\\s]+)`).exec(line)![1];
}
const signedPort = (broker: BrokerProcess) => Number(addressOf(broker, "SIGNED").split(":").at(-1));

function kcatOAuth(config: string): string[] {
  return [
    "-X",
    "security.protocol=SASL_PLAINTEXT",
    "-X",
    "sasl.mechanisms=OAUTHBEARER",
    "-X",
    "enable.sasl.oauthbearer.unsecure.jwt=true",
    "-X",
    `sasl.oauthbearer.config=${config}`,
  ];
}

function message(token: string): Uint8Array {
  return enc.encode(`n,,\x01auth=Bearer ${token}\x01\x01`);
}

function es256(claims: Record<string, unknown>): string {
  const input = `${b64({ alg: "ES256", kid: "k1", typ: "JWT" })}.${b64(claims)}`;
  const signature = sign("sha256", Buffer.from(input), { key: signer.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

/** A raw v1 handshake and one SaslAuthenticate v2 with `token` on a fresh connection to `port`. */
async function authenticateRaw(port: number, token: string) {
  const client = await WireClient.connect(port);
  const call = wireCaller("oauth-test");
  try {
    const hs = await call(
      client,
      17,
      1,
      { mechanism: "OAUTHBEARER" },
      encodeSaslHandshakeRequest,
      decodeSaslHandshakeResponse,
    );
    assert.equal(hs.errorCode, ErrorCode.NONE);
    const first = await call(
      client,
      36,
      2,
      { authBytes: message(token) },
      encodeSaslAuthenticateRequest,
      decodeSaslAuthenticateResponse,
    );
    if (first.errorCode !== ErrorCode.NONE || first.authBytes.length === 0) return { first, second: null };
    const second = await call(
      client,
      36,
      2,
      { authBytes: new Uint8Array([1]) },
      encodeSaslAuthenticateRequest,
      decodeSaslAuthenticateResponse,
    );
    return { first, second };
  } finally {
    client.destroy();
  }
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`SASL OAUTHBEARER, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    let work: string;
    let certs: TestCerts;
    before(async () => {
      work = tempDir(`oauth-${flavour}`);
      const jwks = path.join(work, "jwks.json");
      fs.writeFileSync(
        jwks,
        JSON.stringify({ keys: [{ ...signer.publicKey.export({ format: "jwk" }), kid: "k1", use: "sig" }] }),
      );
      certs = makeTestCerts();
      broker = await startBroker(flavour, { overrides: overrides(pathToFileURL(jwks).href, certs) });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    });

    test("kcat with librdkafka's unsecured JWT produces and consumes", async () => {
      const auth = kcatOAuth("principal=alice scope=kafka lifeSeconds=600");
      const put = await runCommand("kcat", ["-P", "-b", broker.bootstrap, "-t", "oauth-kcat", ...auth], {
        input: "one\ntwo\nthree\n",
      });
      assert.equal(put.code, 0, `kcat -P failed: ${put.stderr}`);
      const get = await runCommand("kcat", ["-C", "-b", broker.bootstrap, "-t", "oauth-kcat", "-e", "-q", ...auth]);
      assert.equal(get.code, 0, `kcat -C failed: ${get.stderr}`);
      assert.deepEqual(get.stdout.trim().split("\n"), ["one", "two", "three"]);
    });

    test("kcat over SASL_SSL with the unsecured JWT produces and consumes", async () => {
      const auth = [
        ...kcatOAuth("principal=erin scope=kafka"),
        "-X",
        "security.protocol=SASL_SSL",
        "-X",
        `ssl.ca.location=${certs.caPem}`,
      ];
      const at = addressOf(broker, "SASL_SSL");
      const put = await runCommand("kcat", ["-P", "-b", at, "-t", "oauth-ssl", ...auth], { input: "a\nb\n" });
      assert.equal(put.code, 0, `kcat -P over SASL_SSL failed: ${put.stderr}`);
      const get = await runCommand("kcat", ["-C", "-b", at, "-t", "oauth-ssl", "-e", "-q", ...auth]);
      assert.equal(get.code, 0, `kcat -C over SASL_SSL failed: ${get.stderr}`);
      assert.deepEqual(get.stdout.trim().split("\n"), ["a", "b"]);
    });

    test("kcat with a token lacking the required scope is refused with Kafka's JSON challenge", async () => {
      const out = await runCommand("kcat", [
        "-L",
        "-b",
        broker.bootstrap,
        "-m",
        "5",
        ...kcatOAuth("principal=alice scope=other"),
      ], { timeoutMs: 30_000 });
      assert.notEqual(out.code, 0);
      assert.match(out.stderr, /insufficient_scope/);
    });

    test("confluent-kafka-python with the unsecured JWT produces and consumes", async () => {
      const python = await pythonWithClients();
      const py = `
import sys
from confluent_kafka import Producer, Consumer
conf = {"bootstrap.servers": sys.argv[1], "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "OAUTHBEARER",
  "enable.sasl.oauthbearer.unsecure.jwt": True, "sasl.oauthbearer.config": "principal=bob scope=kafka"}
p = Producer(conf)
p.produce("oauth-py", b"from-python")
assert p.flush(30) == 0
c = Consumer({**conf, "group.id": "oauth-py", "auto.offset.reset": "earliest"})
c.subscribe(["oauth-py"])
for _ in range(60):
    m = c.poll(1.0)
    if m is not None and m.error() is None:
        print(m.value().decode())
        break
c.close()
`;
      const out = await runCommand(python, ["-c", py, broker.bootstrap], { timeoutMs: 90_000 });
      assert.equal(out.code, 0, `confluent-kafka failed: ${out.stderr}`);
      assert.equal(out.stdout.trim(), "from-python");
    });

    test("the Java producer and consumer log in with the unsecured OAuthBearerLoginModule", async () => {
      const props = path.join(work, "oauth.properties");
      fs.writeFileSync(
        props,
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n" +
          `sasl.jaas.config=${LOGIN} required unsecuredLoginStringClaim_sub="carol" ` +
          'unsecuredLoginListClaim_scope=",kafka";\n',
      );
      const produced = await kafkaTool("org.apache.kafka.tools.ProducerPerformance", [
        "--topic",
        "oauth-java",
        "--num-records",
        "200",
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
      assert.match(produced.stdout, /200 records sent/);
      const consumed = await kafkaTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
        "--bootstrap-server",
        broker.bootstrap,
        "--topic",
        "oauth-java",
        "--from-beginning",
        "--max-messages",
        "200",
        "--timeout-ms",
        "60000",
        "--consumer.config",
        props,
        "--group",
        "oauth-java-group",
      ], 120_000);
      assert.equal(consumed.code, 0, `ConsoleConsumer failed:\n${consumed.stderr}`);
      assert.equal(consumed.stdout.split("\n").filter((l) => /^[A-Z]{100}$/.test(l)).length, 200);
    });

    test("kafkajs re-authenticates before each 3-second token expires (no connections.max.reauth.ms)", async () => {
      const script = `
      import kafkajs from "kafkajs";
      let tokens = 0;
      const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
      const oauthBearerProvider = async () => {
        tokens++;
        const now = Date.now() / 1000;
        return { value: b64({ alg: "none" }) + "." + b64({ sub: "frank", scope: "kafka", iat: now, exp: now + 3 }) + "." };
      };
      const kafka = new kafkajs.Kafka({ brokers: [process.argv[1]], logLevel: kafkajs.logLevel.NOTHING,
        reauthenticationThreshold: 1000, sasl: { mechanism: "oauthbearer", oauthBearerProvider } });
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 16; i++) {
        await producer.send({ topic: "oauth-reauth", messages: [{ value: "m" + i }] });
        await new Promise((r) => setTimeout(r, 500));
      }
      await producer.disconnect();
      console.log(tokens);
    `;
      const kjs = await runCommand("node", ["--input-type=module", "-e", script, broker.bootstrap], {
        timeoutMs: 60_000,
      });
      assert.equal(kjs.code, 0, `kafkajs failed: ${kjs.stderr}`);
      // 8 s of producing with 3 s tokens: every connection authenticated several times.
      assert.ok(Number(kjs.stdout.trim()) >= 4, `kafkajs fetched ${kjs.stdout.trim()} tokens`);
      const expired = broker.output.filter((l) => /expired .* without re-authentication/.test(l));
      assert.deepEqual(expired, [], "connections were closed for expired sessions instead of re-authenticating");
      const get = await runCommand("kcat", [
        "-C",
        "-b",
        broker.bootstrap,
        "-t",
        "oauth-reauth",
        "-e",
        "-q",
        ...kcatOAuth("principal=alice scope=kafka"),
      ]);
      assert.equal(get.stdout.trim().split("\n").length, 16);
    });

    test("the JWKS listener: a signed token authenticates with the token's lifetime; alg none and a wrong issuer do not", async () => {
      const port = signedPort(broker);
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: "dave", iat: now, exp: now + 120, iss: "https://idp.example", aud: "tsbroker" };
      const good = await authenticateRaw(port, es256(claims));
      assert.equal(good.first.errorCode, ErrorCode.NONE);
      assert.equal(good.second, null);
      const lifetime = Number(good.first.sessionLifetimeMs);
      assert.ok(lifetime > 100_000 && lifetime <= 120_000, `session lifetime ${lifetime}`);
      for (const token of [`${b64({ alg: "none" })}.${b64(claims)}.`, es256({ ...claims, iss: "https://evil" })]) {
        const bad = await authenticateRaw(port, token);
        assert.equal(dec.decode(bad.first.authBytes), '{"status":"invalid_token"}');
        assert.equal(bad.second?.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
        assert.equal(bad.second?.errorMessage, '{"status":"invalid_token"}');
      }
    });
  });
}
