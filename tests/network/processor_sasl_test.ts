/**
 * The processor's SASL gate (the session itself is tested in sasl/): before
 * authentication only ApiVersions reaches a handler, SaslHandshake and
 * SaslAuthenticate are answered in the processor, in request order with
 * what the handlers answer, and a failed login's answer and close are held
 * back. Also the principal an SSL listener takes from the client
 * certificate.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/protocol/io/writer.ts";
import { requestHeaderVersion } from "../../src/protocol/api_headers.ts";
import { encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import * as hs from "../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../src/protocol/generated/sasl_authenticate.ts";
import type { SaslListenerSettings } from "../../src/config/sasl_settings.ts";
import { apiVersions, concat, correlationOf, FakeSocket, metadata, Rig } from "./_processor_rig.ts";

const sasl: SaslListenerSettings = {
  mechanisms: ["PLAIN"],
  plainUsers: [["alice", "a-pw"]],
  sessionLifetimeMs: 0,
  maxReceiveBytes: 512,
  failedAuthDelayMs: 100,
};

function sized<T>(apiKey: number, version: number, id: number, body: T, encode: (w: Writer, v: number, m: T) => void) {
  const w = new Writer();
  w.reserveSizePrefix();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: id,
    clientId: "t",
  });
  encode(w, version, body);
  return w.finishWithSizePrefix().slice();
}
const handshake = (id: number) => sized(17, 1, id, { mechanism: "PLAIN" }, hs.encodeSaslHandshakeRequest);
const login = (id: number, password: string) =>
  sized(36, 2, id, { authBytes: new TextEncoder().encode(`\0alice\0${password}`) }, au.encodeSaslAuthenticateRequest);

describe("Processor SASL gate", () => {
  test("before authentication ApiVersions reaches a handler and anything else closes the connection", async () => {
    const r = new Rig({ sasl });
    const s = r.open();
    r.processor.data(s, apiVersions(1));
    assert.equal(r.requests.length, 1);
    assert.equal(r.requests[0].principal, "User:ANONYMOUS");
    r.handler.answer(r.requests[0]);
    r.processor.data(s, metadata(2));
    assert.ok(s.destroyed);
    assert.equal(r.requests.length, 1);
    r.assertNothingHeld();
    await r.stop();
  });

  test("handshake and login are answered here; then requests go out as the user, with the usual size limit", async () => {
    const r = new Rig({ sasl });
    const s = r.open();
    r.processor.data(s, concat([handshake(1), login(2, "a-pw")]));
    assert.deepEqual(s.correlationIds(), [1, 2]);
    assert.equal(r.requests.length, 0);
    r.processor.data(s, metadata(3, 1000));
    assert.equal(r.requests.length, 1, "only the Metadata reached a handler");
    assert.equal(r.requests[0].principal, "User:alice");
    assert.equal(correlationOf(r.requests[0]), 3);
    r.handler.answer(r.requests[0]);
    assert.deepEqual(s.correlationIds(), [1, 2, 3]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });

  test("before authentication frames are limited to sasl.server.max.receive.size", async () => {
    const r = new Rig({ sasl });
    const s = r.open();
    r.processor.data(s, metadata(1, 600));
    assert.ok(s.destroyed);
    assert.match(r.lines.join("\n"), /exceeds sasl.server.max.receive.size \(512\)/);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a failed login is answered and closed only after connection.failed.authentication.delay.ms", async () => {
    const r = new Rig({ sasl });
    const s = r.open();
    r.processor.data(s, concat([handshake(1), login(2, "wrong")]));
    assert.deepEqual(s.correlationIds(), [1]);
    assert.ok(s.paused);
    assert.equal(r.processor.connectionCount, 0, "forgotten at once: its quota is free");
    r.clock.advance(99);
    assert.equal(s.closed, false);
    r.clock.advance(1);
    assert.deepEqual(s.correlationIds(), [1, 2]);
    assert.ok(s.ended);
    assert.match(r.lines.join("\n"), /Failed authentication with 127\.0\.0\.1:\d+ \(/);
    r.assertNothingHeld();
    await r.stop();
  });

  test("a handshake pipelined behind ApiVersions is answered after ApiVersions", async () => {
    const r = new Rig({ sasl });
    const s = r.open();
    r.processor.data(s, concat([apiVersions(1), handshake(2)]));
    assert.deepEqual(s.correlationIds(), []);
    r.handler.answer(r.requests[0]);
    assert.deepEqual(s.correlationIds(), [1, 2]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });
});

describe("Processor principal from the connection", () => {
  test("an SSL listener's principal comes from the certificate; null refuses before the quota is taken", async () => {
    const r = new Rig({ principalOf: (socket) => socket.remoteAddress === "10.0.0.9" ? null : "User:CN=client" });
    assert.equal(r.processor.open(new FakeSocket("10.0.0.9")), false);
    assert.equal(r.quotas.total, 0);
    const s = r.open();
    r.processor.data(s, metadata(1));
    assert.equal(r.requests[0].principal, "User:CN=client");
    r.handler.answer(r.requests[0]);
    r.processor.close(s);
    r.assertNothingHeld();
    await r.stop();
  });
});
