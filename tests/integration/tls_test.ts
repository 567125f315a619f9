/**
 * SSL and SASL_SSL listeners (issue 14) against a broker process under Deno
 * and under Bun, with certificates made by openssl for the test: kcat
 * (librdkafka), kafkajs, confluent-kafka-python, franz-go (tls_go/) and the
 * Java clients connect over SSL (no client certificate: User:ANONYMOUS), mTLS
 * (ssl.client.auth=required, principal from ssl.principal.mapping.rules) and
 * SASL_SSL with PLAIN and SCRAM-SHA-256, and produce and consume. Negative
 * paths: a client without a certificate or with an untrusted one, a
 * certificate no mapping rule maps, plaintext bytes on a TLS port and a client
 * that stalls in its handshake each lose only their own connection, within
 * bounded time. The principal is seen where it matters, by the authorizer:
 * super.users names a certificate's distinguished name and a SASL user.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { pbkdf2Sync } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, ROOT, runCommand, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeAlterUserScramCredentialsResponse,
  encodeAlterUserScramCredentialsRequest,
} from "../../src/protocol/generated/alter_user_scram_credentials.ts";
import { kafkaTool, pythonWithClients } from "../clients/_clients.ts";
import { makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";

const PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_alice="alice-secret";';
/** Only certificates of OU=Clients,O=Example map to a name on the MTLS listener (no DEFAULT). */
const MTLS_RULES = "RULE:^CN=([a-z]+),OU=Clients,O=Example$/$1/";
const HANDSHAKE_TIMEOUT_MS = 2000;

function tlsOverrides(certs: TestCerts): Record<string, string | number> {
  return {
    listeners: "SSL://127.0.0.1:0,MTLS://127.0.0.1:0,SASL_SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
    "listener.security.protocol.map": "SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT",
    "ssl.keystore.location": certs.serverStore,
    "ssl.truststore.location": certs.caPem,
    "ssl.client.auth": "requested",
    "listener.name.mtls.ssl.client.auth": "required",
    "listener.name.mtls.ssl.principal.mapping.rules": MTLS_RULES,
    "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256",
    "listener.name.sasl_ssl.plain.sasl.jaas.config": PLAIN_JAAS,
    "tsbroker.request.read.timeout.ms": HANDSHAKE_TIMEOUT_MS,
  };
}

/** host:port of listener `name`, from the broker's start line. */
function addressOf(broker: BrokerProcess, name: string): string {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return new RegExp(`[=,]${name}://([^,\\s]+)`).exec(line)![1];
}

type Ssl = { ca: string; cert?: string; key?: string };

function kcatSsl(protocol: "SSL" | "SASL_SSL", ssl: Ssl, sasl?: [string, string, string]): string[] {
  const args = ["-X", `security.protocol=${protocol}`, "-X", `ssl.ca.location=${ssl.ca}`];
  if (ssl.cert) args.push("-X", `ssl.certificate.location=${ssl.cert}`, "-X", `ssl.key.location=${ssl.key}`);
  if (sasl) {
    args.push("-X", `sasl.mechanisms=${sasl[0]}`, "-X", `sasl.username=${sasl[1]}`, "-X", `sasl.password=${sasl[2]}`);
  }
  return args;
}

async function kcatRoundtrip(bootstrap: string, auth: string[], topic: string): Promise<void> {
  const put = await runCommand("kcat", ["-P", "-b", bootstrap, "-t", topic, ...auth], { input: "one\ntwo\nthree\n" });
  assert.equal(put.code, 0, `kcat -P ${auth.join(" ")} failed: ${put.stderr}`);
  const get = await runCommand("kcat", ["-C", "-b", bootstrap, "-t", topic, "-e", "-q", ...auth]);
  assert.equal(get.code, 0, `kcat -C ${auth.join(" ")} failed: ${get.stderr}`);
  assert.deepEqual(get.stdout.trim().split("\n"), ["one", "two", "three"]);
}

/** kcat -L that must fail; resolves to its stderr. */
async function kcatRefused(bootstrap: string, auth: string[]): Promise<string> {
  const out = await runCommand("kcat", ["-L", "-b", bootstrap, "-m", "3", ...auth]);
  assert.notEqual(out.code, 0, `kcat -L ${auth.join(" ")} got metadata:\n${out.stdout}`);
  return out.stderr;
}

/** A SCRAM-SHA-256 user, created with AlterUserScramCredentials on the PLAINTEXT listener. */
async function createScramUser(broker: BrokerProcess, user: string, password: string): Promise<void> {
  const client = await WireClient.connect(Number(addressOf(broker, "PLAINTEXT").split(":")[1]));
  const salt = new TextEncoder().encode(`salt-of-${user}`);
  const saltedPassword = new Uint8Array(pbkdf2Sync(password, salt, 4096, 32, "sha256"));
  const res = await wireCaller("tls-test")(
    client,
    51,
    0,
    { deletions: [], upsertions: [{ name: user, mechanism: 1, iterations: 4096, salt, saltedPassword }] },
    encodeAlterUserScramCredentialsRequest,
    decodeAlterUserScramCredentialsResponse,
  );
  client.destroy();
  assert.deepEqual(res.results.map((r) => [r.user, r.errorCode]), [[user, ErrorCode.NONE]]);
}

/** Opens a TCP connection to `address`, sends `bytes`, and resolves once the broker closes it (with what it sent). */
function rawExchange(address: string, bytes: Uint8Array, limitMs: number): Promise<{ ms: number; got: Uint8Array }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const chunks: Uint8Array[] = [];
    const socket = net.connect(Number(port), host, () => {
      if (bytes.byteLength > 0) socket.write(bytes);
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the broker kept the connection open for ${limitMs} ms`));
    }, limitMs);
    socket.on("data", (d: Uint8Array) => chunks.push(d));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - start, got: new Uint8Array(Buffer.concat(chunks)) });
    });
  });
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`TLS listeners, broker under ${flavour}`, () => {
    let certs: TestCerts;
    let broker: BrokerProcess;
    let ssl: string, mtls: string, saslSsl: string;
    before(async () => {
      certs = makeTestCerts();
      broker = await startBroker(flavour, { overrides: tlsOverrides(certs) });
      [ssl, mtls, saslSsl] = ["SSL", "MTLS", "SASL_SSL"].map((name) => addressOf(broker, name));
      await createScramUser(broker, "bob", "bob-secret");
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
      certs.remove();
    });

    const alice = (): Ssl => ({ ca: certs.caPem, cert: certs.clientCert, key: certs.clientKey });

    test("kcat over SSL without a client certificate (ssl.client.auth=requested), and with one", async () => {
      await kcatRoundtrip(ssl, kcatSsl("SSL", { ca: certs.caPem }), `ssl-anon-${flavour}`);
      await kcatRoundtrip(ssl, kcatSsl("SSL", alice()), `ssl-cert-${flavour}`);
    });

    test("an untrusted client certificate fails the handshake even where certificates are only requested", async () => {
      const untrusted = { ca: certs.caPem, cert: certs.untrustedCert, key: certs.untrustedKey };
      await kcatRefused(ssl, kcatSsl("SSL", untrusted));
      await kcatRefused(mtls, kcatSsl("SSL", untrusted));
    });

    test("mTLS: kcat with alice's certificate produces and consumes; without a certificate it is refused", async () => {
      await kcatRoundtrip(mtls, kcatSsl("SSL", alice()), `mtls-${flavour}`);
      await kcatRefused(mtls, kcatSsl("SSL", { ca: certs.caPem }));
    });

    test("mTLS: a trusted certificate no mapping rule maps is refused, with a log line naming its subject", async () => {
      await kcatRefused(mtls, kcatSsl("SSL", { ca: certs.caPem, cert: certs.carolCert, key: certs.carolKey }));
      assert.ok(
        broker.output.some((l) => l.includes("no ssl.principal.mapping.rules rule applies to CN=carol,O=Elsewhere")),
        broker.output.slice(-10).join("\n"),
      );
    });

    test(
      flavour === "deno"
        ? "an X.509 v1 client certificate is refused under Deno (rustls), and the log line says why"
        : "an X.509 v1 client certificate is accepted under Bun",
      async () => {
        const legacy = kcatSsl("SSL", { ca: certs.caPem, cert: certs.legacyCert, key: certs.legacyKey });
        if (flavour === "bun") return await kcatRoundtrip(ssl, legacy, "legacy-cert");
        await kcatRefused(ssl, legacy);
        assert.ok(broker.output.some((l) => l.includes("X.509 v1 certificate, which Deno's TLS does not accept")));
      },
    );

    test("kcat over SASL_SSL with PLAIN and SCRAM-SHA-256; a wrong password is refused", async () => {
      await kcatRoundtrip(
        saslSsl,
        kcatSsl("SASL_SSL", { ca: certs.caPem }, ["PLAIN", "alice", "alice-secret"]),
        `sasl-ssl-plain-${flavour}`,
      );
      await kcatRoundtrip(
        saslSsl,
        kcatSsl("SASL_SSL", { ca: certs.caPem }, ["SCRAM-SHA-256", "bob", "bob-secret"]),
        `sasl-ssl-scram-${flavour}`,
      );
      const stderr = await kcatRefused(saslSsl, kcatSsl("SASL_SSL", { ca: certs.caPem }, ["PLAIN", "alice", "nope"]));
      assert.match(stderr, /Authentication failed/);
    });

    test("kafkajs produces over mTLS and consumes over SASL_SSL with SCRAM-SHA-256", async () => {
      const script = `
        import fs from "node:fs";
        import kafkajs from "kafkajs";
        const [mtls, saslSsl, ca, cert, key, topic] = process.argv.slice(1);
        const tls = { ca: [fs.readFileSync(ca, "utf8")] };
        const producer = new kafkajs.Kafka({ brokers: [mtls], logLevel: kafkajs.logLevel.NOTHING,
          ssl: { ...tls, cert: fs.readFileSync(cert, "utf8"), key: fs.readFileSync(key, "utf8") } }).producer();
        await producer.connect();
        await producer.send({ topic, messages: [{ value: "a" }, { value: "b" }] });
        await producer.disconnect();
        const kafka = new kafkajs.Kafka({ brokers: [saslSsl], logLevel: kafkajs.logLevel.NOTHING, ssl: tls,
          sasl: { mechanism: "scram-sha-256", username: "bob", password: "bob-secret" } });
        const consumer = kafka.consumer({ groupId: topic + "-group" });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const got = [];
        await new Promise((resolve) => consumer.run({ eachMessage: async ({ message }) => {
          got.push(message.value.toString());
          if (got.length === 2) resolve();
        } }));
        await consumer.disconnect();
        console.log(got.join(","));
      `;
      const out = await runCommand(
        "node",
        [
          "--input-type=module",
          "-e",
          script,
          mtls,
          saslSsl,
          certs.caPem,
          certs.clientCert,
          certs.clientKey,
          `kjs-${flavour}`,
        ],
        { timeoutMs: 90_000 },
      );
      assert.equal(out.code, 0, `kafkajs failed: ${out.stderr}`);
      assert.equal(out.stdout.trim(), "a,b");
    });

    test("confluent-kafka-python produces over SSL with a certificate and consumes over SASL_SSL with PLAIN", async () => {
      const python = await pythonWithClients();
      const py = `
import sys
from confluent_kafka import Consumer, Producer
ssl, sasl_ssl, ca, cert, key, topic = sys.argv[1:]
p = Producer({"bootstrap.servers": ssl, "security.protocol": "SSL", "ssl.ca.location": ca,
  "ssl.certificate.location": cert, "ssl.key.location": key})
p.produce(topic, b"from-python")
assert p.flush(30) == 0
c = Consumer({"bootstrap.servers": sasl_ssl, "group.id": topic, "auto.offset.reset": "earliest",
  "security.protocol": "SASL_SSL", "ssl.ca.location": ca, "sasl.mechanisms": "PLAIN",
  "sasl.username": "alice", "sasl.password": "alice-secret"})
c.subscribe([topic])
for _ in range(60):
    m = c.poll(1.0)
    if m is not None and m.error() is None:
        print(m.value().decode())
        break
c.close()
`;
      const out = await runCommand(
        python,
        ["-c", py, ssl, saslSsl, certs.caPem, certs.clientCert, certs.clientKey, `py-${flavour}`],
        { timeoutMs: 90_000 },
      );
      assert.equal(out.code, 0, `confluent-kafka failed: ${out.stderr}`);
      assert.equal(out.stdout.trim(), "from-python");
    });

    test("the Java producer over mTLS (PEM key store) and consumer over SASL_SSL with SCRAM-SHA-256", async () => {
      const mtlsProps = path.join(certs.dir, "mtls.properties");
      fs.writeFileSync(
        mtlsProps,
        `security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.caPem}\n` +
          `ssl.keystore.type=PEM\nssl.keystore.location=${certs.clientStore}\n`,
      );
      const scramProps = path.join(certs.dir, "scram.properties");
      fs.writeFileSync(
        scramProps,
        `security.protocol=SASL_SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.caPem}\n` +
          "sasl.mechanism=SCRAM-SHA-256\n" +
          'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";\n',
      );
      const topic = `java-${flavour}`;
      const produced = await kafkaTool("org.apache.kafka.tools.ProducerPerformance", [
        "--topic",
        topic,
        "--num-records",
        "300",
        "--record-size",
        "100",
        "--throughput",
        "-1",
        "--producer.config",
        mtlsProps,
        "--producer-props",
        `bootstrap.servers=${mtls}`,
        "acks=all",
      ], 120_000);
      assert.equal(produced.code, 0, `ProducerPerformance failed:\n${produced.stdout}\n${produced.stderr}`);
      assert.match(produced.stdout, /300 records sent/);
      const consumed = await kafkaTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
        "--bootstrap-server",
        saslSsl,
        "--topic",
        topic,
        "--from-beginning",
        "--max-messages",
        "300",
        "--timeout-ms",
        "60000",
        "--consumer.config",
        scramProps,
        "--group",
        `${topic}-group`,
      ], 120_000);
      assert.equal(consumed.code, 0, `ConsoleConsumer failed:\n${consumed.stderr}`);
      assert.equal(consumed.stdout.split("\n").filter((l) => /^[A-Z]{100}$/.test(l)).length, 300);
    });

    test("franz-go over SSL, mTLS and SASL_SSL (PLAIN, SCRAM-SHA-256) produces and consumes", async () => {
      const binary = path.join(certs.dir, "tlsgo");
      const built = await runCommand("go", [
        "-C",
        path.join(ROOT, "tests/integration/tls_go"),
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
        `building tests/integration/tls_go (needs Go and the Go module proxy once): ${built.stderr}`,
      );
      const runs: Array<[string, string[]]> = [
        [ssl, ["-", "-", "-", "-", "-"]],
        [mtls, [certs.clientCert, certs.clientKey, "-", "-", "-"]],
        [saslSsl, ["-", "-", "PLAIN", "alice", "alice-secret"]],
        [saslSsl, ["-", "-", "SCRAM-SHA-256", "bob", "bob-secret"]],
      ];
      for (const [i, [address, args]] of runs.entries()) {
        const out = await runCommand(binary, [address, certs.caPem, ...args, `go-${flavour}-${i}`]);
        assert.equal(out.code, 0, `franz-go ${args.join(" ")} failed: ${out.stderr}`);
        assert.equal(out.stdout.trim(), "10");
      }
    });

    test("plaintext Kafka bytes on a TLS port close that connection at once; the listener serves on", async () => {
      // An ApiVersions request as a PLAINTEXT client would send it.
      const request = new Uint8Array([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]);
      for (const address of [ssl, saslSsl]) {
        const { ms, got } = await rawExchange(address, request, 10_000);
        assert.ok(ms < 5000, `closed after ${ms} ms`);
        // At most a TLS alert record (content type 21) comes back, never a Kafka answer.
        assert.ok(got.byteLength === 0 || got[0] === 21, `got ${got.byteLength} bytes starting ${got[0]}`);
      }
      await kcatRoundtrip(ssl, kcatSsl("SSL", { ca: certs.caPem }), `after-garbage-${flavour}`);
      assert.ok(broker.output.some((l) => /TLS handshake with 127\.0\.0\.1 failed/.test(l)));
    });

    test("clients that stall in their handshake are closed after tsbroker.request.read.timeout.ms", async () => {
      // Twenty connections: ten send nothing, ten the first bytes of a ClientHello record.
      const partialHello = new Uint8Array([22, 3, 1, 0, 200, 1, 0, 0]);
      const stalled = await Promise.all(
        Array.from({ length: 20 }, (_, i) => rawExchange(ssl, i < 10 ? new Uint8Array(0) : partialHello, 15_000)),
      );
      for (const { ms } of stalled) {
        assert.ok(ms >= HANDSHAKE_TIMEOUT_MS - 200 && ms < HANDSHAKE_TIMEOUT_MS + 5000, `closed after ${ms} ms`);
      }
      await kcatRoundtrip(ssl, kcatSsl("SSL", { ca: certs.caPem }), `after-stall-${flavour}`);
    });
  });
}

/** Whether openssl completes a handshake with `address` offering only `options` (e.g. -tls1_2, -cipher X). */
async function handshakes(address: string, ca: string, options: string[]): Promise<boolean> {
  const out = await runCommand("openssl", ["s_client", "-connect", address, "-CAfile", ca, ...options], {
    input: "",
    timeoutMs: 20_000,
  });
  return /Verify return code: 0 \(ok\)/.test(out.stdout) && !/Cipher is \(NONE\)/.test(out.stdout);
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`TLS versions and cipher suites, broker under ${flavour}`, () => {
    let certs: TestCerts;
    before(() => (certs = makeTestCerts()));
    after(() => certs.remove());

    test("ssl.enabled.protocols=TLSv1.3 refuses a TLS 1.2 client", async () => {
      const broker = await startBroker(flavour, {
        overrides: {
          listeners: "SSL://127.0.0.1:0",
          "ssl.keystore.location": certs.serverStore,
          "ssl.enabled.protocols": "TLSv1.3",
        },
      });
      try {
        assert.ok(await handshakes(broker.bootstrap, certs.caPem, ["-tls1_3"]), "a TLS 1.3 client was refused");
        assert.ok(!await handshakes(broker.bootstrap, certs.caPem, ["-tls1_2"]), "a TLS 1.2 client got in");
      } finally {
        assert.equal(await broker.stop(), 0);
        fs.rmSync(broker.dataDir, { recursive: true, force: true });
      }
    });

    test(
      flavour === "bun"
        ? "ssl.cipher.suites limits TLS 1.2 suites, and must leave TLS 1.3 out or list all its suites"
        : "ssl.cipher.suites fails start-up, naming the key (Deno's TLS cannot restrict suites)",
      async () => {
        const overrides = {
          listeners: "SSL://127.0.0.1:0",
          "ssl.keystore.location": certs.serverStore,
          "ssl.enabled.protocols": "TLSv1.2",
          "ssl.cipher.suites": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        };
        if (flavour === "deno") {
          await assert.rejects(startBroker(flavour, { overrides }), /ssl\.cipher\.suites cannot be applied under Deno/);
          return;
        }
        // Bun cannot choose TLS 1.3 suites: a list without them while TLSv1.3 is on is refused, naming the key.
        await assert.rejects(
          startBroker(flavour, { overrides: { ...overrides, "ssl.enabled.protocols": "TLSv1.2,TLSv1.3" } }),
          /ssl\.cipher\.suites: Bun cannot choose TLS 1\.3 suites/,
        );
        const broker = await startBroker(flavour, { overrides });
        try {
          const aes128 = ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"];
          assert.ok(await handshakes(broker.bootstrap, certs.caPem, aes128), "the listed suite was refused");
          const aes256 = ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"];
          assert.ok(!await handshakes(broker.bootstrap, certs.caPem, aes256), "an unlisted suite got in");
        } finally {
          assert.equal(await broker.stop(), 0);
          fs.rmSync(broker.dataDir, { recursive: true, force: true });
        }
      },
    );
  });
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`the TLS principal reaches the authorizer, broker under ${flavour}`, () => {
    let certs: TestCerts;
    let broker: BrokerProcess;
    before(async () => {
      certs = makeTestCerts();
      broker = await startBroker(flavour, {
        overrides: {
          listeners: "SSL://127.0.0.1:0,MTLS://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
          "listener.security.protocol.map": "SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL",
          "ssl.keystore.location": certs.serverStore,
          "ssl.truststore.location": certs.caPem,
          "ssl.client.auth": "requested",
          "listener.name.mtls.ssl.client.auth": "required",
          "listener.name.mtls.ssl.principal.mapping.rules": MTLS_RULES,
          "listener.name.sasl_ssl.plain.sasl.jaas.config": PLAIN_JAAS.replace(";", ' user_admin="admin-secret";'),
          "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
          // The DEFAULT-mapped name of alice's certificate and the SASL user admin; not User:alice, the name
          // the MTLS listener's rule maps alice's certificate to (nor the SASL user alice).
          "super.users": "User:CN=alice,OU=Clients,O=Example;User:admin",
          "listener.name.sasl_ssl.sasl.enabled.mechanisms": "PLAIN",
        },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
      certs.remove();
    });

    async function produces(address: string, auth: string[], topic: string): Promise<boolean> {
      const out = await runCommand("kcat", ["-P", "-b", address, "-t", topic, ...auth], { input: "x\n" });
      if (/Topic authorization failed/.test(out.stderr)) return false;
      assert.equal(out.code, 0, `kcat -P ${auth.join(" ")} failed otherwise: ${out.stderr}`);
      return true;
    }

    test("User:<distinguished name> (DEFAULT rule) is the super user; User:ANONYMOUS is not", async () => {
      const ssl = addressOf(broker, "SSL");
      const alice = { ca: certs.caPem, cert: certs.clientCert, key: certs.clientKey };
      assert.ok(await produces(ssl, kcatSsl("SSL", alice), `principal-${flavour}`));
      assert.ok(!await produces(ssl, kcatSsl("SSL", { ca: certs.caPem }), `principal-${flavour}`));
    });

    test("a mapping rule changes the principal: the same certificate as User:alice is not the super user", async () => {
      const alice = { ca: certs.caPem, cert: certs.clientCert, key: certs.clientKey };
      assert.ok(!await produces(addressOf(broker, "MTLS"), kcatSsl("SSL", alice), `principal-${flavour}`));
    });

    test("on SASL_SSL the SASL user is the principal", async () => {
      const saslSsl = addressOf(broker, "SASL_SSL");
      const as = (user: string, password: string) =>
        kcatSsl("SASL_SSL", { ca: certs.caPem }, ["PLAIN", user, password]);
      assert.ok(await produces(saslSsl, as("admin", "admin-secret"), `principal-${flavour}`));
      assert.ok(!await produces(saslSsl, as("alice", "alice-secret"), `principal-${flavour}`));
    });
  });
}
