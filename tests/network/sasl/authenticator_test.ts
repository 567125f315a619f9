import { test } from "node:test";
import assert from "node:assert/strict";
import { type GateVerdict, SaslAuthenticator } from "../../../src/network/sasl/authenticator.ts";
import { credentialFromPassword } from "../../../src/protocol/scram_formulas.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import { requestHeaderVersion } from "../../../src/protocol/api_headers.ts";
import * as hs from "../../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../../src/protocol/generated/sasl_authenticate.ts";
import * as md from "../../../src/protocol/generated/metadata.ts";
import * as av from "../../../src/protocol/generated/api_versions.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { ScramClient } from "./_scram_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bob = credentialFromPassword("SCRAM-SHA-512", "bob-pw", enc.encode("salt"), 4096);

function authenticator(): SaslAuthenticator {
  return new SaslAuthenticator(
    { mechanisms: ["PLAIN", "SCRAM-SHA-512"], plainUsers: [], sessionLifetimeMs: 0, maxReceiveBytes: 1024 },
    new Map([["alice", "alice-pw"]]),
    (m, u) => m === "SCRAM-SHA-512" && u === "bob" ? bob : undefined,
    (version) => version <= 4,
  );
}

/** A request frame without its size prefix. */
function frame<T>(apiKey: number, version: number, body: T, encode: (w: Writer, v: number, m: T) => void) {
  const w = new Writer();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: 7,
    clientId: "t",
  });
  encode(w, version, body);
  return w.finish().slice();
}
const handshake = (mechanism: string, version = 1) => frame(17, version, { mechanism }, hs.encodeSaslHandshakeRequest);
const authenticate = (token: string, version = 2) =>
  frame(36, version, { authBytes: enc.encode(token) }, au.encodeSaslAuthenticateRequest);
const apiVersions = (version: number) =>
  frame(18, version, { clientSoftwareName: "t", clientSoftwareVersion: "1" }, av.encodeApiVersionsRequest);

function answerOf<T>(v: GateVerdict, apiKey: number, version: number, decode: (r: Reader, v: number) => T): T {
  assert.equal(v.kind, "answer", `expected an answer, got ${JSON.stringify(v)}`);
  const bytes = (v as { bytes: Uint8Array }).bytes;
  const r = new Reader(bytes.subarray(4));
  assert.equal(decodeResponseHeader(r, responseHeaderVersion(apiKey, version)).correlationId, 7);
  return decode(r, version);
}

test("ApiVersions goes to the handlers once; a second one closes, as in Kafka", () => {
  const a = authenticator();
  assert.deepEqual(a.onFrame(apiVersions(3)), { kind: "dispatch" });
  assert.equal(a.onFrame(apiVersions(3)).kind, "close");
});

test("an ApiVersions version too new may be retried (the handler answers UNSUPPORTED_VERSION)", () => {
  const a = authenticator();
  assert.deepEqual(a.onFrame(apiVersions(9)), { kind: "dispatch" });
  assert.deepEqual(a.onFrame(apiVersions(3)), { kind: "dispatch" });
});

test("PLAIN with SaslAuthenticate: the principal is set and the response carries an empty message", () => {
  const a = authenticator();
  const h = answerOf(a.onFrame(handshake("PLAIN")), 17, 1, hs.decodeSaslHandshakeResponse);
  assert.deepEqual(h, { errorCode: 0, mechanisms: ["PLAIN", "SCRAM-SHA-512"] });
  const v = a.onFrame(authenticate("\0alice\0alice-pw"));
  const r = answerOf(v, 36, 2, au.decodeSaslAuthenticateResponse);
  assert.equal(r.errorCode, 0);
  assert.equal(r.errorMessage, "");
  assert.equal((v as { close: boolean }).close, false);
  assert.ok(a.authenticated);
  assert.equal(a.principal, "User:alice");
});

test("a failed PLAIN login is answered SASL_AUTHENTICATION_FAILED and closes", () => {
  const a = authenticator();
  a.onFrame(handshake("PLAIN"));
  const v = a.onFrame(authenticate("\0alice\0bad", 1));
  const r = answerOf(v, 36, 1, au.decodeSaslAuthenticateResponse);
  assert.equal(r.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(r.errorMessage, "Authentication failed: Invalid username or password");
  assert.equal((v as { close: boolean }).close, true);
  assert.equal(a.principal, null);
  assert.match(a.failure, /wrong password/);
});

test("an unknown mechanism: UNSUPPORTED_SASL_MECHANISM with the enabled list, then close", () => {
  const a = authenticator();
  const v = a.onFrame(handshake("GSSAPI", 0));
  assert.deepEqual(answerOf(v, 17, 0, hs.decodeSaslHandshakeResponse), {
    errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
    mechanisms: ["PLAIN", "SCRAM-SHA-512"],
  });
  assert.equal((v as { close: boolean }).close, true);
});

test("a second handshake is answered ILLEGAL_SASL_STATE and closes", () => {
  const a = authenticator();
  a.onFrame(handshake("PLAIN"));
  const v = a.onFrame(handshake("PLAIN"));
  assert.equal(answerOf(v, 17, 1, hs.decodeSaslHandshakeResponse).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal((v as { close: boolean }).close, true);
});

test("any other request before authentication closes without an answer", () => {
  const metadata = () =>
    frame(3, 12, {
      topics: [],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
      includeClusterAuthorizedOperations: false,
    }, md.encodeMetadataRequest);
  const before = authenticator();
  assert.equal(before.onFrame(metadata()).kind, "close");
  assert.match(before.failure, /Unexpected Kafka request of type Metadata during SASL handshake/);
  const during = authenticator();
  during.onFrame(handshake("PLAIN"));
  assert.equal(during.onFrame(metadata()).kind, "close");
  assert.match(during.failure, /during SASL authentication/);
  const early = authenticator();
  assert.equal(early.onFrame(authenticate("\0alice\0alice-pw")).kind, "close");
  assert.equal(authenticator().onFrame(new Uint8Array([0, 17])).kind, "close");
});

test("after a v0 handshake the tokens are unframed, and so are the answers", () => {
  const a = authenticator();
  a.onFrame(handshake("SCRAM-SHA-512", 0));
  const client = new ScramClient("SCRAM-SHA-512", "bob", "bob-pw");
  const first = a.onFrame(enc.encode(client.first));
  assert.equal(first.kind, "answer");
  const bytes = (first as { bytes: Uint8Array }).bytes;
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0), bytes.length - 4);
  const serverFirst = dec.decode(bytes.subarray(4));
  const last = a.onFrame(enc.encode(client.final(serverFirst)));
  assert.equal(dec.decode((last as { bytes: Uint8Array }).bytes.subarray(4)), client.expectedServerFinal());
  assert.equal(a.principal, "User:bob");
});

test("a failed unframed exchange closes without an answer", () => {
  const a = authenticator();
  a.onFrame(handshake("PLAIN", 0));
  assert.equal(a.onFrame(enc.encode("\0alice\0nope")).kind, "close");
});

test("SCRAM through SaslAuthenticate v0–v2 completes in two rounds", () => {
  for (const version of [0, 1, 2]) {
    const a = authenticator();
    a.onFrame(handshake("SCRAM-SHA-512"));
    const client = new ScramClient("SCRAM-SHA-512", "bob", "bob-pw");
    const first = answerOf(
      a.onFrame(authenticate(client.first, version)),
      36,
      version,
      au.decodeSaslAuthenticateResponse,
    );
    assert.ok(!a.authenticated);
    const final = answerOf(
      a.onFrame(authenticate(client.final(dec.decode(first.authBytes)), version)),
      36,
      version,
      au.decodeSaslAuthenticateResponse,
    );
    assert.equal(dec.decode(final.authBytes), client.expectedServerFinal());
    assert.ok(a.authenticated);
  }
});
