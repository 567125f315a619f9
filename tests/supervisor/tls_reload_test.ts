/**
 * The controller's checks of a listener's new key and trust stores (dynamic
 * per-broker configs): what is refused, with which message, and that a refused
 * resource is not stored while the others of the request are; what reaches
 * the processors (only stores that changed, a file re-read when its location
 * is set again).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseListeners } from "../../src/config/listeners.ts";
import { loadConfig } from "../../src/config/load.ts";
import { certificateIdentityChange, type TlsListenerSettings } from "../../src/config/tls_settings.ts";
import { BrokerConfigControl } from "../../src/cluster/broker_config_control.ts";
import { ConfigOp, type TopicConfigAlteration } from "../../src/cluster/topic_config_alter.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { alterBrokerConfigsWithTls, TlsReload, touchedSslKeys } from "../../src/supervisor/tls_reload.ts";
import { Logger } from "../../src/util/logger.ts";
import { issueKeyStore, makeTestCerts, type TestCerts } from "../network/tls/_certs.ts";

const LOCATION = "listener.name.ssl.ssl.keystore.location";
let certs: TestCerts;

/** A key store for `subject` with the given SANs, signed by the test CA. */
const issueStore = (name: string, subject: string, sans: string) => issueKeyStore(certs, name, subject, sans);

function setup() {
  const config = loadConfig({
    overrides: [
      "listeners=SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
      "listener.security.protocol.map=SSL:SSL,PLAINTEXT:PLAINTEXT",
      `ssl.keystore.location=${certs.serverStore}`,
    ],
  });
  const listeners = parseListeners(config);
  const sent: Array<[string, TlsListenerSettings]> = [];
  const reload = new TlsReload(config, listeners, new Logger("test"));
  reload.post = (name, tls) => {
    sent.push([name, tls]);
    return Promise.resolve();
  };
  return { config, listeners, reload, sent };
}

function set(configs: Array<[string, string]>): TopicConfigAlteration {
  return { kind: "incremental", changes: configs.map(([name, value]) => ({ name, op: ConfigOp.SET, value })) };
}

describe("TLS reload checks", () => {
  let storeB: string;
  before(() => {
    certs = makeTestCerts();
    storeB = issueStore("b", "/CN=localhost", "DNS:localhost,IP:127.0.0.1");
  });
  after(() => certs.remove());

  test("a store with the same subject and names passes; other stores are refused with the problem named", () => {
    const { reload } = setup();
    assert.equal(reload.refusal({ name: "1", alteration: set([[LOCATION, storeB]]) }, {}), null);
    const mismatched = path.join(certs.dir, "mismatched.pem");
    fs.writeFileSync(mismatched, fs.readFileSync(certs.otherKey, "utf8") + fs.readFileSync(certs.serverCert, "utf8"));
    const cases: Array<[string, Array<[string, string]>, RegExp]> = [
      ["1", [[LOCATION, mismatched]], /listener SSL: .*mismatched\.pem\): the private key does not match/],
      ["1", [[LOCATION, path.join(certs.dir, "none.pem")]], /cannot read the file/],
      [
        "1",
        [[LOCATION, issueStore("c", "/CN=other", "DNS:localhost,IP:127.0.0.1")]],
        /DistinguishedName does not match: existing=CN=localhost, new=CN=other/,
      ],
      ["1", [[LOCATION, issueStore("d", "/CN=localhost", "DNS:localhost")]], /SubjectAltNames do not match/],
      [
        "1",
        [["listener.name.ssl.ssl.keystore.key", "x"]],
        /give either ssl.keystore.location or ssl.keystore.key, not both/,
      ],
      ["", [[LOCATION, storeB]], /^Cannot update these configs at default cluster level.*\[listener\.name\.ssl/],
      ["1", [["listener.name.ssl.ssl.enabled.protocols", "TLSv1.3"]], /^Cannot update these configs dynamically/],
      ["1", [["listener.name.plaintext.ssl.keystore.location", storeB]], /no SSL or SASL_SSL listener/],
      [
        "1",
        [["ssl.keystore.location", storeB]],
        /^These security configs can be dynamically updated only per-listener/,
      ],
    ];
    for (const [name, configs, message] of cases) {
      const refusal = reload.refusal({ name, alteration: set(configs) }, {});
      assert.equal(refusal?.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(configs));
      assert.match(refusal!.message ?? "", message);
    }
  });

  test("keys other than a listener's ssl ones are left to the usual checks", () => {
    const { reload } = setup();
    assert.equal(reload.refusal({ name: "", alteration: set([["log.retention.ms", "5"]]) }, {}), null);
    assert.deepEqual(touchedSslKeys(set([["log.retention.ms", "5"], [LOCATION, "x"]]), {}), [LOCATION]);
    // A replacing AlterConfigs also touches the keys it drops.
    assert.deepEqual(touchedSslKeys({ kind: "replace", configs: {} }, { [LOCATION]: "x" }), [LOCATION]);
  });

  test("only changed stores are sent; the same location set again re-reads the file", async () => {
    const { reload, sent } = setup();
    await reload.apply({}, null);
    assert.equal(sent.length, 0, "the stores of the config file are already in use");
    await reload.apply({ [LOCATION]: storeB }, [LOCATION]);
    assert.equal(sent.length, 1);
    assert.equal(sent[0][0], "SSL");
    assert.equal(sent[0][1].certChain, fs.readFileSync(path.join(certs.dir, "b.pem"), "utf8").trim() + "\n");
    await reload.apply({ [LOCATION]: storeB }, [LOCATION]);
    assert.equal(sent.length, 1, "same file, same content: nothing to send");
    fs.copyFileSync(issueStore("e", "/CN=localhost", "DNS:localhost,IP:127.0.0.1"), storeB);
    await reload.apply({ [LOCATION]: storeB }, [LOCATION]);
    assert.equal(sent.length, 2);
    assert.notEqual(sent[1][1].key, sent[0][1].key);
  });

  test("a new trust store passes and is sent", async () => {
    const { reload, sent } = setup();
    const trust: Array<[string, string]> = [["listener.name.ssl.ssl.truststore.location", certs.caPem]];
    assert.equal(reload.refusal({ name: "1", alteration: set(trust) }, {}), null);
    await reload.apply(Object.fromEntries(trust), trust.map(([n]) => n));
    assert.equal(sent.length, 1);
    assert.match(sent[0][1].trustedCerts, /^-----BEGIN CERTIFICATE-----\n/);
  });

  test("a refused resource is not stored; the request's other resources are", async () => {
    const { config, reload, sent } = setup();
    const dir = fs.mkdtempSync(path.join(certs.dir, "logs-"));
    const control = new BrokerConfigControl(dir, config, new Logger("test"));
    const { outcomes, changed } = await alterBrokerConfigsWithTls(control, reload, [
      { name: "", alteration: set([[LOCATION, storeB], ["log.retention.ms", "5"]]) },
      { name: "1", alteration: set([[LOCATION, storeB]]) },
    ], false);
    assert.deepEqual(outcomes.map((o) => o.errorCode), [ErrorCode.INVALID_REQUEST, ErrorCode.NONE]);
    assert.equal(changed, true);
    assert.deepEqual(control.image().clusterDefaults, {});
    assert.deepEqual(control.image().perBroker, { [LOCATION]: storeB });
    assert.equal(sent.length, 1);
    // validateOnly checks and sends nothing.
    const other = issueStore("f", "/CN=localhost", "DNS:localhost,IP:127.0.0.1");
    const checked = await alterBrokerConfigsWithTls(control, reload, [
      { name: "1", alteration: set([[LOCATION, other]]) },
    ], true);
    assert.equal(checked.outcomes[0].errorCode, ErrorCode.NONE);
    assert.equal(sent.length, 1);
    assert.deepEqual(control.image().perBroker, { [LOCATION]: storeB });
  });

  test("certificateIdentityChange compares subject and subject alternative names", () => {
    const read = (f: string) => fs.readFileSync(path.join(certs.dir, f), "utf8");
    assert.equal(certificateIdentityChange(read("server.pem"), read("b.pem")), null);
    assert.match(
      certificateIdentityChange(read("server.pem"), read("c.pem")) ?? "",
      /existing=CN=localhost, new=CN=other/,
    );
    assert.match(
      certificateIdentityChange(read("server.pem"), read("d.pem")) ?? "",
      /existing=\[DNS:localhost, IP Address:127\.0\.0\.1\], new=\[DNS:localhost\]/,
    );
  });
});
