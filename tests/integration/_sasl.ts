/**
 * Helpers shared by the SASL_PLAINTEXT tests (sasl_test.ts, sasl_scram_test.ts, and the CLI's tools_security_test.ts):
 * the listener settings with their PLAIN users, kcat's SASL options and a kcat
 * produce-then-consume round trip, and raw-wire handshakes and PLAIN tokens.
 */
import assert from "node:assert/strict";
import { type BrokerProcess, runCommand } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import {
  decodeSaslHandshakeResponse,
  encodeSaslHandshakeRequest,
} from "../../src/protocol/generated/sasl_handshake.ts";

const PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_admin="admin-secret" user_alice="alice-secret" user_a="b";';

/** A SASL_PLAINTEXT listener (PLAIN and both SCRAM mechanisms enabled) beside a PLAINTEXT one. */
export function saslOverrides(): Record<string, string> {
  return {
    listeners: "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0",
    "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
  };
}

/** kcat options logging in with `mechanism` as `user`. */
export function kcatSasl(mechanism: string, user: string, password: string): string[] {
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

/** kcat produces three lines to `topic` and reads them back, logged in with `mechanism` as `user`. */
export async function kcatRoundtrip(
  broker: BrokerProcess,
  mechanism: string,
  user: string,
  password: string,
  topic: string,
) {
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
export async function handshaken(broker: BrokerProcess, mechanism: string) {
  const client = await WireClient.connect(broker.port);
  const call = wireCaller("sasl-test");
  const hs = await call(client, 17, 1, { mechanism }, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse);
  return { client, call, hs };
}

/** The SASL/PLAIN token of `user` with `password`. */
export function plainToken(user: string, password: string): Uint8Array {
  return enc.encode(`\0${user}\0${password}`);
}
