/**
 * TLS listener settings from the config: PEM key stores from a file or
 * inline, per-listener `listener.name.<name>.ssl.*` overrides, and every bad
 * value failing start-up with an error that names its key. Also the principal
 * a processor gives an SSL connection from its client certificate.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import { ConfigError } from "../../src/config/errors.ts";
import { parseListeners } from "../../src/config/listeners.ts";
import { loadConfig } from "../../src/config/load.ts";
import { certificatePrincipal } from "../../src/network/tls/principal.ts";
import type { TcpConnection } from "../../src/runtime/types.ts";
import { Logger } from "../../src/util/logger.ts";
import { makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";

let certs: TestCerts;

function tlsOf(overrides: Record<string, string>) {
  const cfg = loadConfig({
    overrides: Object.entries({ listeners: "SSL://127.0.0.1:0", ...overrides }).map(([k, v]) => `${k}=${v}`),
  });
  return parseListeners(cfg)[0].tls!;
}

/** The ConfigError loading `overrides` gives; fails the test if loading succeeds. */
function refused(overrides: Record<string, string>): ConfigError {
  try {
    tlsOf(overrides);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail(`accepted ${JSON.stringify(overrides)}`);
}

describe("TLS listener settings", () => {
  before(() => (certs = makeTestCerts()));
  after(() => certs.remove());

  test("a PEM key store file gives the key and chain; defaults: no client auth, TLS 1.2 and 1.3", () => {
    const tls = tlsOf({ "ssl.keystore.location": certs.serverStore });
    assert.match(tls.key, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(new X509Certificate(tls.certChain).subject, "CN=localhost");
    assert.equal(tls.trustedCerts, "");
    assert.equal(tls.clientAuth, "none");
    assert.equal(tls.minVersion, "TLSv1.2");
    assert.equal(tls.maxVersion, "TLSv1.3");
    assert.equal(tls.principalRules, "DEFAULT");
  });

  test("an encrypted key is decrypted with ssl.key.password; a wrong or missing password names that key", () => {
    const inline = (password?: string) => ({
      "ssl.keystore.key": fs.readFileSync(certs.serverKeyEncrypted, "utf8"),
      "ssl.keystore.certificate.chain": fs.readFileSync(certs.serverCert, "utf8"),
      ...(password === undefined ? {} : { "ssl.key.password": password }),
    });
    assert.match(tlsOf(inline("key-secret")).key, /^-----BEGIN PRIVATE KEY-----/);
    for (const e of [refused(inline("wrong")), refused(inline())]) {
      assert.equal(e.key, "ssl.key.password");
      assert.match(e.message, /ssl\.key\.password/);
    }
  });

  test("inline PEM on one line (as a properties file may hold it) is read", () => {
    const oneLine = (file: string) => fs.readFileSync(file, "utf8").replace(/\n/g, " ");
    const tls = tlsOf({
      "ssl.keystore.key": oneLine(certs.serverKey),
      "ssl.keystore.certificate.chain": oneLine(certs.serverCert),
      "ssl.truststore.certificates": oneLine(certs.caPem),
    });
    assert.equal(new X509Certificate(tls.trustedCerts).subject, "CN=ca test authority");
  });

  test("per-listener keys override the broker-wide ones for their listener only", () => {
    const cfg = loadConfig({
      overrides: [
        "listeners=SSL://127.0.0.1:0,INTERNAL://127.0.0.1:0",
        "listener.security.protocol.map=SSL:SSL,INTERNAL:SSL",
        `ssl.keystore.location=${certs.serverStore}`,
        `listener.name.internal.ssl.truststore.location=${certs.caPem}`,
        "listener.name.internal.ssl.client.auth=required",
        "listener.name.internal.ssl.enabled.protocols=TLSv1.3",
        "listener.name.INTERNAL.ssl.principal.mapping.rules=RULE:^CN=([a-z]+),.*$/$1/",
      ],
    });
    const [ssl, internal] = parseListeners(cfg).map((l) => l.tls!);
    assert.equal(ssl.clientAuth, "none");
    assert.equal(ssl.minVersion, "TLSv1.2");
    assert.equal(internal.clientAuth, "required");
    assert.equal(internal.minVersion, "TLSv1.3");
    assert.equal(internal.principalRules, "RULE:^CN=([a-z]+),.*$/$1/");
    assert.equal(internal.certChain, ssl.certChain);
  });

  test("bad values fail start-up with a message naming the key", () => {
    const store = { "ssl.keystore.location": certs.serverStore };
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{}, "ssl.keystore.location", /has no key/],
      [{ "ssl.keystore.location": `${certs.dir}/missing.pem` }, "ssl.keystore.location", /cannot read the file/],
      [
        {
          "ssl.keystore.key": fs.readFileSync(certs.otherKey, "utf8"),
          "ssl.keystore.certificate.chain": fs.readFileSync(certs.serverCert, "utf8"),
        },
        "ssl.keystore.key",
        /does not match the first certificate/,
      ],
      [{ "ssl.keystore.location": certs.serverCert }, "ssl.keystore.location", /expected one PEM private key/],
      [{ ...store, "ssl.keystore.type": "JKS" }, "ssl.keystore.type", /only PEM/],
      [{ ...store, "ssl.keystore.password": "x" }, "ssl.keystore.password", /only ssl\.key\.password/],
      [{ ...store, "ssl.enabled.protocols": "TLSv1.1,TLSv1.2" }, "ssl.enabled.protocols", /names TLSv1\.1/],
      [{ ...store, "ssl.client.auth": "required" }, "ssl.truststore.location", /needs the CA certificates/],
      [{ ...store, "ssl.cipher.suites": "TLS_RSA_WITH_RC4_128_MD5" }, "ssl.cipher.suites", /names TLS_RSA_WITH_RC4/],
      [{ ...store, "ssl.principal.mapping.rules": "RULE:^CN=(.*$/$1/" }, "ssl.principal.mapping.rules", /bad pattern/],
      [{ ...store, "listener.name.plaintext.ssl.client.auth": "required" }, "listeners", /no SSL or SASL_SSL listener/],
    ];
    for (const [overrides, key, message] of cases) {
      const e = refused(overrides);
      assert.equal(e.key, key, `${JSON.stringify(overrides)}: ${e.message}`);
      assert.match(e.message, message);
    }
    const perListener = refused({ "listener.name.ssl.ssl.keystore.location": `${certs.dir}/nope.pem` });
    assert.match(perListener.message, /listener\.name\.ssl\.ssl\.keystore\.location = .*nope\.pem: cannot read/);
  });

  test("SASL_SSL listeners get both SASL and TLS settings; only their own ssl.client.auth applies (KIP-684)", () => {
    const cfg = loadConfig({
      overrides: [
        "listeners=SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0,MTLS_SASL://127.0.0.1:0",
        "listener.security.protocol.map=SASL_SSL:SASL_SSL,SSL:SSL,MTLS_SASL:SASL_SSL",
        `ssl.keystore.location=${certs.serverStore}`,
        `ssl.truststore.location=${certs.caPem}`,
        "ssl.client.auth=required",
        "listener.name.mtls_sasl.ssl.client.auth=requested",
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_a="b";',
        "listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN",
      ],
    });
    const [saslSsl, ssl, mtlsSasl] = parseListeners(cfg);
    assert.equal(saslSsl.securityProtocol, "SASL_SSL");
    assert.deepEqual(saslSsl.sasl?.mechanisms, ["PLAIN"]);
    assert.equal(saslSsl.tls?.clientAuth, "none");
    assert.equal(ssl.tls?.clientAuth, "required");
    assert.equal(mtlsSasl.tls?.clientAuth, "requested");
  });
});

describe("the principal of an SSL connection", () => {
  before(() => (certs = makeTestCerts()));
  after(() => certs.remove());
  const log = new Logger("tls-test");
  const socket = (cert: Uint8Array | null) => ({ remoteAddress: "127.0.0.1", peerCertificate: cert }) as TcpConnection;
  const der = () => new Uint8Array(new X509Certificate(fs.readFileSync(certs.clientCert)).raw);

  test("is User:ANONYMOUS without a client certificate", () => {
    assert.equal(certificatePrincipal("DEFAULT", log)(socket(null)), "User:ANONYMOUS");
  });

  test("is User:<distinguished name> under DEFAULT, and the mapped name under a rule", () => {
    assert.equal(certificatePrincipal("DEFAULT", log)(socket(der())), "User:CN=alice,OU=Clients,O=Example");
    assert.equal(certificatePrincipal("RULE:^CN=([a-z]+),.*$/$1/U", log)(socket(der())), "User:ALICE");
  });

  test("is null (the connection is refused) when no rule applies or the certificate is unreadable", () => {
    assert.equal(certificatePrincipal("RULE:^CN=bob,.*$/bob/", log)(socket(der())), null);
    assert.equal(certificatePrincipal("DEFAULT", log)(socket(new Uint8Array([1, 2, 3]))), null);
  });
});
