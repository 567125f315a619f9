import { test } from "node:test";
import assert from "node:assert/strict";
import { SaslSession } from "../../../src/network/sasl/session.ts";
import type { GateVerdict } from "../../../src/network/sasl/authenticator.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import * as hs from "../../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../../src/protocol/generated/sasl_authenticate.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";

const enc = new TextEncoder();
const users = new Map([["alice", "a-pw"], ["bob", "b-pw"]]);

function session(lifetimeMs: number): SaslSession {
  return new SaslSession(
    { mechanisms: ["PLAIN"], plainUsers: [], sessionLifetimeMs: lifetimeMs, maxReceiveBytes: 1024 },
    users,
    () => undefined,
    () => true,
  );
}

function frame<T>(apiKey: number, version: number, body: T, encode: (w: Writer, v: number, m: T) => void) {
  const w = new Writer();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: 3,
    clientId: "t",
  });
  encode(w, version, body);
  return w.finish().slice();
}
const handshake = () => frame(17, 1, { mechanism: "PLAIN" }, hs.encodeSaslHandshakeRequest);
const login = (user: string, password: string) =>
  frame(36, 2, { authBytes: enc.encode(`\0${user}\0${password}`) }, au.encodeSaslAuthenticateRequest);
/** Any other request (the session only looks at its api key). */
const metadata = () => new Uint8Array([0, 3, 0, 12, 0, 0, 0, 9]);

function authenticateAnswer(v: GateVerdict): au.SaslAuthenticateResponse {
  assert.equal(v.kind, "answer");
  const r = new Reader((v as { bytes: Uint8Array }).bytes.subarray(4));
  decodeResponseHeader(r, responseHeaderVersion(36, 2));
  return au.decodeSaslAuthenticateResponse(r, 2);
}

function logIn(s: SaslSession, user: string, password: string, now: number): au.SaslAuthenticateResponse {
  assert.equal(s.onFrame(handshake(), now).kind, "answer");
  return authenticateAnswer(s.onFrame(login(user, password), now));
}

test("with connections.max.reauth.ms the lifetime is reported, and requests pass until it ends", () => {
  const s = session(1000);
  assert.equal(logIn(s, "alice", "a-pw", 0).sessionLifetimeMs, 1000n);
  assert.equal(s.principal, "User:alice");
  assert.deepEqual(s.onFrame(metadata(), 999), { kind: "dispatch" });
  const closed = s.onFrame(metadata(), 1001);
  assert.equal(closed.kind, "close");
  assert.match(s.failure, /expired .* without re-authentication/);
});

test("re-authentication as the same user renews the session; it may start after expiry, as in Kafka", () => {
  const s = session(1000);
  logIn(s, "alice", "a-pw", 0);
  assert.equal(logIn(s, "alice", "a-pw", 900).errorCode, ErrorCode.NONE);
  assert.deepEqual(s.onFrame(metadata(), 1800), { kind: "dispatch" });
  assert.equal(logIn(s, "alice", "a-pw", 5000).errorCode, ErrorCode.NONE);
  assert.deepEqual(s.onFrame(metadata(), 5500), { kind: "dispatch" });
});

test("re-authentication as another user fails with Kafka's message and closes", () => {
  const s = session(1000);
  logIn(s, "alice", "a-pw", 0);
  s.onFrame(handshake(), 10);
  const v = s.onFrame(login("bob", "b-pw"), 10);
  const r = authenticateAnswer(v);
  assert.equal(r.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(r.errorMessage, "Cannot change principals during re-authentication from User.alice: User.bob");
  assert.equal((v as { close: boolean }).close, true);
  assert.equal(s.principal, "User:alice");
});

test("a wrong password while re-authenticating fails and closes", () => {
  const s = session(1000);
  logIn(s, "alice", "a-pw", 0);
  assert.equal(logIn(s, "alice", "nope", 10).errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
});

test("without a session lifetime, sessions never end and a handshake goes to the handlers (ILLEGAL_SASL_STATE)", () => {
  const s = session(0);
  assert.equal(logIn(s, "alice", "a-pw", 0).sessionLifetimeMs, 0n);
  assert.deepEqual(s.onFrame(metadata(), 1e12), { kind: "dispatch" });
  assert.deepEqual(s.onFrame(handshake(), 1e12), { kind: "dispatch" });
});

test("re-authentication must keep the mechanism: the handshake is answered, the next request closes", () => {
  const s = new SaslSession(
    { mechanisms: ["PLAIN", "SCRAM-SHA-256"], plainUsers: [], sessionLifetimeMs: 1000, maxReceiveBytes: 1024 },
    users,
    () => undefined,
    () => true,
  );
  logIn(s, "alice", "a-pw", 0);
  const h = s.onFrame(frame(17, 1, { mechanism: "SCRAM-SHA-256" }, hs.encodeSaslHandshakeRequest), 10);
  assert.equal(h.kind, "answer");
  assert.equal((h as { close: boolean }).close, false);
  assert.equal(s.onFrame(login("alice", "a-pw"), 10).kind, "close");
  assert.match(s.failure, /SCRAM-SHA-256 requested for re-authentication of PLAIN/);
});
