/**
 * The tools' security settings (--command-config FILE and -X key=value): the properties parsing and its usage
 * errors as units, then `tsbroker topic list|create`, `produce` and `consume` as processes against a broker
 * process with SASL_SSL (SCRAM-SHA-256, PLAIN) and mTLS listeners, through a Kafka client properties file
 * and through kcat-style -X with librdkafka's names. A wrong password exits 1 with the broker's message; an
 * untrusted certificate exits 1 naming the cause; the usage errors (unknown key, missing file, a JKS store,
 * a mechanism without credentials) exit 2 naming the key.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseProperties, securityOptions } from "../../src/cli/tools/client_config.ts";
import { UsageError } from "../../src/cli/tools/flags.ts";
import { Admin } from "../../src/client/admin.ts";
import { type BrokerProcess, startBroker, tempDir } from "../integration/_broker.ts";
import { makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const FILES: Record<string, string> = {
  "/ca.pem": PEM,
  "/store.pem": KEY + PEM,
  "/client.pem": PEM,
  "/client.key": KEY,
  "/store.jks": "\xfe\xed\xfe\xed binary",
};
const readFake = (p: string) => {
  if (!(p in FILES)) throw new Error(`ENOENT: no such file ${p}`);
  return FILES[p];
};
const security = (file: string | undefined, x: string[] = []) => securityOptions(file, x, readFake);

function usage(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof UsageError && pattern.test(e.message) || assert.fail(String(e)));
}

test("parseProperties reads Java properties: separators, comments, continuations, escapes", () => {
  const props = parseProperties(
    [
      "# comment",
      "! also a comment",
      "security.protocol=SASL_SSL",
      "sasl.mechanism : SCRAM-SHA-256",
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
      '    username="alice" \\',
      '    password="a\\\\b";',
      "ssl.endpoint.identification.algorithm=",
      "key\\=with\\:escapes value\\u0041",
    ].join("\n"),
    "test",
  );
  assert.deepEqual(Object.fromEntries(props), {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "SCRAM-SHA-256",
    "sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" ' +
      'password="a\\b";',
    "ssl.endpoint.identification.algorithm": "",
    "key=with:escapes": "valueA",
  });
});

test("securityOptions: Kafka's keys from the file, librdkafka's from -X, -X overriding the file", () => {
  FILES["/client.properties"] = [
    "security.protocol=SASL_SSL",
    "sasl.mechanism=PLAIN",
    'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="p";',
    "ssl.truststore.location=/ca.pem",
    "ssl.truststore.type=PEM",
    "ssl.keystore.location=/store.pem",
    "ssl.keystore.type=PEM",
    "ssl.key.password=kp",
  ].join("\n");
  assert.deepEqual(security("/client.properties"), {
    tls: { ca: PEM, cert: PEM, key: KEY, keyPassword: "kp" },
    sasl: { mechanism: "PLAIN", username: "a", password: "p" },
  });
  assert.deepEqual(
    security("/client.properties", ["sasl.mechanisms=SCRAM-SHA-512", "sasl.username=b", "sasl.password=q"]).sasl,
    { mechanism: "SCRAM-SHA-512", username: "b", password: "q" },
  );
  assert.deepEqual(
    security(undefined, [
      "security.protocol=SSL",
      "ssl.ca.location=/ca.pem",
      "ssl.certificate.location=/client.pem",
      "ssl.key.location=/client.key",
      "ssl.endpoint.identification.algorithm=none",
    ]),
    { tls: { ca: PEM, cert: PEM, key: KEY, checkHostname: false } },
  );
  assert.deepEqual(security(undefined, []), {});
  const oauth = security(undefined, [
    "security.protocol=SASL_PLAINTEXT",
    "sasl.mechanism=OAUTHBEARER",
    "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required " +
    'unsecuredLoginStringClaim_sub="alice";',
  ]);
  assert.equal(oauth.sasl?.mechanism, "OAUTHBEARER");
});

test("securityOptions: usage errors name the key", () => {
  usage(() => security(undefined, ["bootstrap.servers=x:1"]), /unknown client config key "bootstrap.servers" \(-X\)/);
  usage(() => security("/nowhere.properties"), /--command-config \/nowhere.properties: cannot read it/);
  usage(
    () => security(undefined, ["security.protocol=SSL", "ssl.truststore.location=/missing.pem"]),
    /ssl.truststore.location \(-X\): cannot read \/missing.pem/,
  );
  usage(
    () => security(undefined, ["security.protocol=SSL", "ssl.truststore.type=JKS", "ssl.truststore.location=/ca.pem"]),
    /ssl.truststore.type \(-X\) JKS is not supported: use PEM/,
  );
  usage(
    () => security(undefined, ["security.protocol=SSL", "ssl.truststore.location=/store.jks"]),
    /ssl.truststore.location \(-X\): \/store.jks is not PEM .*use PEM/,
  );
  usage(
    () => security(undefined, ["security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-256"]),
    /SCRAM-SHA-256 needs a user name and password/,
  );
  usage(() => security(undefined, ["security.protocol=SASL_PLAINTEXT"]), /SASL needs sasl.mechanism/);
  usage(
    () => security(undefined, ["security.protocol=SASL_PLAINTEXT", "sasl.mechanism=GSSAPI"]),
    /sasl.mechanism \(-X\) GSSAPI is not supported/,
  );
  usage(
    () => security(undefined, ["sasl.username=a", "sasl.password=b", "sasl.mechanism=PLAIN"]),
    /sasl.username \(-X\) is set but security.protocol is PLAINTEXT/,
  );
  usage(
    () => security(undefined, ["security.protocol=SSL", "ssl.certificate.location=/client.pem"]),
    /a client certificate needs its key/,
  );
  usage(
    () =>
      security(undefined, [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";',
      ]),
    /names org.apache.kafka.common.security.scram.ScramLoginModule, but PLAIN needs .*PlainLoginModule/,
  );
  usage(() => security(undefined, ["security.protocol=TLS"]), /security.protocol \(-X\) must be one of/);
});

describe("tsbroker topic|produce|consume over SASL_SSL and mTLS", DENO_ONLY, () => {
  let broker: BrokerProcess;
  let certs: TestCerts;
  let dir: string;
  let saslSsl: string;
  let mtls: string;
  /** host:port of listener `name`, from the broker's start line. */
  const addressOf = (name: string) => {
    const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
    return new RegExp(`[=,]${name}://([^,\\s]+)`).exec(line)![1];
  };
  before(async () => {
    certs = makeTestCerts();
    dir = tempDir("tsbroker-cli-secure-");
    broker = await startBroker("deno", {
      overrides: {
        listeners: "SASL_SSL://127.0.0.1:0,MTLS://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,MTLS:SSL,PLAINTEXT:PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256",
        "listener.name.sasl_ssl.plain.sasl.jaas.config":
          'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
        "ssl.keystore.location": certs.serverStore,
        "ssl.truststore.location": certs.caPem,
        "listener.name.mtls.ssl.client.auth": "required",
        "num.partitions": 1,
      },
    });
    saslSsl = addressOf("SASL_SSL");
    mtls = addressOf("MTLS");
    const admin = new Admin({ bootstrapServers: [addressOf("PLAINTEXT")] });
    try {
      await admin.alterUserScramCredentials([{ user: "scrammy", mechanism: "SCRAM-SHA-256", password: "scram-pw" }]);
    } finally {
      await admin.close();
    }
    fs.writeFileSync(
      path.join(dir, "sasl_ssl.properties"),
      [
        "# a Kafka client config, as kafka-topics --command-config takes it",
        "security.protocol=SASL_SSL",
        "sasl.mechanism=SCRAM-SHA-256",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
        '  username="scrammy" password="scram-pw";',
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${certs.caPem}`,
      ].join("\n") + "\n",
    );
    fs.writeFileSync(
      path.join(dir, "mtls.properties"),
      [
        "security.protocol=SSL",
        `ssl.truststore.location=${certs.caPem}`,
        "ssl.keystore.type=PEM",
        `ssl.keystore.location=${certs.clientStore}`,
      ].join("\n") + "\n",
    );
  });
  after(async () => {
    await broker?.stop();
    certs?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const saslConfig = () => ["--command-config", path.join(dir, "sasl_ssl.properties")];
  const mtlsConfig = () => ["--command-config", path.join(dir, "mtls.properties")];

  test("SASL_SSL through --command-config: topic create and list, produce, consume", async () => {
    const b = ["-b", saslSsl, ...saslConfig()];
    expectCode(await tsbroker(["topic", "create", "secure", ...b]), 0, "topic create");
    const list = await tsbroker(["topic", "list", "--format", "json", ...b]);
    expectCode(list, 0, "topic list");
    assert.ok(JSON.stringify(JSON.parse(list.stdout)).includes('"secure"'), list.stdout);
    expectCode(await tsbroker(["produce", "secure", ...b], { input: "one\ntwo\nthree\n" }), 0, "produce");
    const got = await tsbroker(["consume", "secure", "-o", "beginning", "-n", "3", ...b]);
    expectCode(got, 0, "consume");
    assert.deepEqual(got.stdout.trim().split("\n"), ["one", "two", "three"]);
  });

  test("SASL_SSL through kcat-style -X with librdkafka's names (PLAIN)", async () => {
    const x = [
      "-X",
      "security.protocol=SASL_SSL",
      "-X",
      "sasl.mechanisms=PLAIN",
      "-X",
      "sasl.username=alice",
      "-X",
      "sasl.password=alice-secret",
      "-X",
      `ssl.ca.location=${certs.caPem}`,
    ];
    expectCode(await tsbroker(["produce", "secure-x", "-b", saslSsl, ...x], { input: "x1\n" }), 0, "produce -X");
    const got = await tsbroker(["consume", "secure-x", "-o", "beginning", "-n", "1", "-b", saslSsl, ...x]);
    expectCode(got, 0, "consume -X");
    assert.equal(got.stdout.trim(), "x1");
  });

  test("mTLS through --command-config (a PEM key store), and -X overriding it", async () => {
    const b = ["-b", mtls, ...mtlsConfig()];
    expectCode(await tsbroker(["produce", "mtls-t", ...b], { input: "m1\nm2\n" }), 0, "produce");
    const got = await tsbroker(["consume", "mtls-t", "-o", "beginning", "-n", "2", ...b]);
    expectCode(got, 0, "consume");
    assert.deepEqual(got.stdout.trim().split("\n"), ["m1", "m2"]);
    // -X replaces the file's trust store with a CA that did not sign the broker's certificate.
    const untrusted = await tsbroker([
      "topic",
      "list",
      ...b,
      "-X",
      `ssl.truststore.location=${path.join(certs.dir, "rogue-ca.pem")}`,
    ]);
    expectCode(untrusted, 1, "topic list with an untrusted certificate");
    assert.match(untrusted.stderr, /not signed by a trusted CA/);
  });

  test("a wrong password exits 1 with the broker's message, at once", async () => {
    const start = Date.now();
    const run = await tsbroker([
      "topic",
      "list",
      "-b",
      saslSsl,
      ...saslConfig(),
      "-X",
      "sasl.password=wrong",
    ]);
    expectCode(run, 1, "topic list with a wrong password");
    assert.match(run.stderr, /Authentication failed.*SCRAM-SHA-256 \(SASL_AUTHENTICATION_FAILED\)/);
    assert.ok(Date.now() - start < 20_000, `took ${Date.now() - start} ms`);
  });

  test("usage errors exit 2 naming the key: unknown key, missing file, JKS store, no credentials", async () => {
    const cases: [string[], RegExp][] = [
      [["-X", "linger.ms=5"], /unknown client config key "linger.ms"/],
      [["--command-config", path.join(dir, "nope.properties")], /--command-config .*nope.properties: cannot read it/],
      [
        ["-X", "security.protocol=SSL", "-X", "ssl.truststore.type=JKS", "-X", "ssl.truststore.location=/x.jks"],
        /ssl.truststore.type \(-X\) JKS is not supported: use PEM/,
      ],
      [
        ["-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanism=PLAIN", "-X", `ssl.ca.location=${certs.caPem}`],
        /PLAIN needs a user name and password/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const run = await tsbroker(["topic", "list", "-b", saslSsl, ...args]);
      expectCode(run, 2, args.join(" "));
      assert.match(run.stderr, pattern);
    }
  });

  test("--help lists the security flags among the common ones", async () => {
    const run = await tsbroker(["produce", "--help"]);
    expectCode(run, 0, "produce --help");
    assert.match(run.stdout, /--command-config FILE/);
    assert.match(run.stdout, /-X, --property key=value/);
  });
});
