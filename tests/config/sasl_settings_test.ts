import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { parseListeners } from "../../src/config/listeners.ts";
import { assertMentions, loadError } from "./helpers.ts";

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" ' +
  'user_alice="alice-secret";';

describe("SASL listener settings", () => {
  test("the example of docs/configuration.md loads: mechanisms and PLAIN users per listener", () => {
    const cfg = loadConfig({
      text: [
        `listeners = "SASL_PLAINTEXT://:9093"`,
        `"sasl.enabled.mechanisms" = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"`,
        `"listener.name.sasl_plaintext.plain.sasl.jaas.config" = '${PLAIN_JAAS}'`,
      ].join("\n"),
    });
    const [l] = parseListeners(cfg);
    assert.equal(l.securityProtocol, "SASL_PLAINTEXT");
    assert.deepEqual(l.sasl, {
      mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"],
      plainUsers: [["admin", "admin-secret"], ["alice", "alice-secret"]],
      sessionLifetimeMs: 0,
      maxReceiveBytes: 524288,
      failedAuthDelayMs: 100,
    });
  });

  test("the broker-wide sasl.jaas.config applies when the listener has none; overrides work per listener", () => {
    const cfg = loadConfig({
      overrides: [
        "listeners=SASL_PLAINTEXT://:9093,OTHER://:9094",
        "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,OTHER:SASL_PLAINTEXT",
        `sasl.jaas.config=${PLAIN_JAAS}`,
        "listener.name.OTHER.sasl.enabled.mechanisms=SCRAM-SHA-512",
        "listener.name.other.sasl.server.max.receive.size=1000",
      ],
    });
    const [a, b] = parseListeners(cfg);
    assert.deepEqual(a.sasl?.plainUsers.map(([u]) => u), ["admin", "alice"]);
    assert.deepEqual(b.sasl?.mechanisms, ["SCRAM-SHA-512"]);
    assert.equal(b.sasl?.maxReceiveBytes, 1000);
    assert.equal(a.sasl?.maxReceiveBytes, 524288);
  });

  test("SCRAM alone needs no JAAS config (its users come from AlterUserScramCredentials)", () => {
    const cfg = loadConfig({
      overrides: ["listeners=SASL_PLAINTEXT://:9093", "sasl.enabled.mechanisms=SCRAM-SHA-256"],
    });
    assert.deepEqual(parseListeners(cfg)[0].sasl?.plainUsers, []);
  });

  test("GSSAPI is refused by name", () => {
    const e = loadError(undefined, ["listeners=SASL_PLAINTEXT://:9093", "sasl.enabled.mechanisms=GSSAPI"]);
    assertMentions(e.message, "sasl.enabled.mechanisms", "GSSAPI (Kerberos) is not available", "PLAIN", "OAUTHBEARER");
  });

  test("PLAIN without users says which key to set", () => {
    const e = loadError(undefined, ["listeners=SASL_PLAINTEXT://:9093"]);
    assertMentions(e.message, "PLAIN is enabled on listener SASL_PLAINTEXT", "listener.name.sasl_plaintext.plain");
  });

  test("a JAAS config that does not parse, or names another module, is refused with the problem", () => {
    const bad = loadError(undefined, [
      "listeners=SASL_PLAINTEXT://:9093",
      'listener.name.sasl_plaintext.plain.sasl.jaas.config=X required user_a="b"',
    ]);
    assertMentions(bad.message, "listener.name.sasl_plaintext.plain.sasl.jaas.config", 'must end with ";"');
    const other = loadError(undefined, [
      "listeners=SASL_PLAINTEXT://:9093",
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
    ]);
    assertMentions(other.message, "ScramLoginModule", "PLAIN needs org.apache.kafka.common.security.plain");
  });

  test("per-listener SASL keys for a listener that is not a SASL listener are refused", () => {
    const e = loadError(undefined, [`listener.name.plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`]);
    assertMentions(e.message, "listener.name.plaintext.plain.sasl.jaas.config", "no SASL listener");
  });

  test("other listener.name.* keys stay unknown", () => {
    assertMentions(loadError(undefined, ["listener.name.x.ssl.keystore.flavour=/k"]).message, "unknown key");
  });

  test("connections.max.reauth.ms becomes the listeners' session lifetime", () => {
    const cfg = loadConfig({
      overrides: [
        "listeners=SASL_PLAINTEXT://:9093",
        "sasl.enabled.mechanisms=SCRAM-SHA-256",
        "connections.max.reauth.ms=60000",
      ],
    });
    assert.equal(parseListeners(cfg)[0].sasl?.sessionLifetimeMs, 60000);
  });
});
