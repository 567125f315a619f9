import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { Buffer } from "node:buffer";
import { OAuthBearerServer, parseInitialResponse } from "../../../src/network/sasl/oauthbearer.ts";
import { SaslFailure } from "../../../src/network/sasl/mechanism.ts";
import type { OAuthBearerSettings } from "../../../src/config/sasl_settings.ts";
import { type GateVerdict, SaslAuthenticator } from "../../../src/network/sasl/authenticator.ts";
import { SaslSession } from "../../../src/network/sasl/session.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import * as hs from "../../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../../src/protocol/generated/sasl_authenticate.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const NOW = Date.UTC(2026, 0, 1); // the validators' clock in every test
const sec = (ms: number) => ms / 1000;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

const UNSECURED: OAuthBearerSettings = {
  validator: "unsecured",
  principalClaim: "sub",
  scopeClaim: "scope",
  requiredScope: ["kafka"],
  clockSkewMs: 0,
  audience: [],
  issuer: "",
  jwks: [],
};

function unsecuredToken(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "none" }): string {
  return `${b64(header)}.${b64(claims)}.`;
}

const goodClaims = () => ({ sub: "alice", iat: sec(NOW - 600_000), exp: sec(NOW + 3_600_000), scope: "kafka" });

/** The client's first message (RFC 7628), as librdkafka and the Java client write it. */
function message(token: string, extensions: Record<string, string> = {}, authzid = ""): Uint8Array {
  const ext = Object.entries(extensions).map(([k, v]) => `${k}=${v}\x01`).join("");
  return enc.encode(`n,${authzid ? `a=${authzid}` : ""},\x01auth=Bearer ${token}\x01${ext}\x01`);
}

function attempt(settings: OAuthBearerSettings, bytes: Uint8Array): OAuthBearerServer | SaslFailure | string {
  const server = new OAuthBearerServer(settings, () => NOW);
  try {
    const challenge = server.evaluate(bytes);
    return server.complete ? server : dec.decode(challenge);
  } catch (e) {
    if (e instanceof SaslFailure) return e;
    throw e;
  }
}

test("the unsecured validator accepts a good token: principal from sub, lifetime from exp, extensions kept", () => {
  const server = attempt(UNSECURED, message(unsecuredToken(goodClaims()), { traceId: "abc 1" }));
  assert.ok(server instanceof OAuthBearerServer, String(server));
  assert.equal(server.user, "alice");
  assert.equal(server.credentialLifetimeMs, 3_600_000);
  assert.deepEqual([...server.extensions], [["traceId", "abc 1"]]);
});

test("scope as a JSON list and a custom principal claim are read as Kafka's options say", () => {
  const settings = { ...UNSECURED, principalClaim: "client_id", requiredScope: ["a", "b"] };
  const claims = { ...goodClaims(), client_id: "svc", scope: ["b", "a"] };
  const server = attempt(settings, message(unsecuredToken(claims)));
  assert.ok(server instanceof OAuthBearerServer);
  assert.equal(server.user, "svc");
});

test("a refused token is answered with Kafka's JSON challenge, and the client's \\x01 then fails with it", () => {
  const server = new OAuthBearerServer(UNSECURED, () => NOW);
  const expired = unsecuredToken({ ...goodClaims(), exp: sec(NOW - 1) });
  assert.equal(dec.decode(server.evaluate(message(expired))), '{"status":"invalid_token"}');
  assert.equal(server.complete, false);
  assert.throws(() => server.evaluate(new Uint8Array([1])), (e: SaslFailure) => {
    assert.equal(e.message, '{"status":"invalid_token"}');
    assert.match(e.detail, /expired/);
    return true;
  });
});

test("the unsecured validator refuses what Kafka's refuses", () => {
  const cases: Array<[string, string, string]> = [
    ["expired", unsecuredToken({ ...goodClaims(), exp: sec(NOW - 1) }), '{"status":"invalid_token"}'],
    ["no exp", unsecuredToken({ sub: "alice", scope: "kafka" }), '{"status":"invalid_token"}'],
    ["issued in the future", unsecuredToken({ ...goodClaims(), iat: sec(NOW + 60_000) }), '{"status":"invalid_token"}'],
    ["no sub", unsecuredToken({ ...goodClaims(), sub: undefined }), '{"status":"invalid_token"}'],
    ["alg other than none", unsecuredToken(goodClaims(), { alg: "HS256" }), '{"status":"invalid_token"}'],
    ["a signature", unsecuredToken(goodClaims()) + "c2ln", '{"status":"invalid_token"}'],
    ["two parts", b64({ alg: "none" }) + "." + b64(goodClaims()), '{"status":"invalid_token"}'],
    [
      "wrong scope",
      unsecuredToken({ ...goodClaims(), scope: "other" }),
      '{"status":"insufficient_scope", "scope":"[kafka]"}',
    ],
  ];
  for (const [what, token, challenge] of cases) {
    assert.equal(attempt(UNSECURED, message(token)), challenge, what);
  }
});

test("a token within the allowed clock skew of its exp is accepted", () => {
  const claims = { ...goodClaims(), exp: sec(NOW - 1000) };
  assert.equal(typeof attempt(UNSECURED, message(unsecuredToken(claims))), "string");
  assert.ok(attempt({ ...UNSECURED, clockSkewMs: 5000 }, message(unsecuredToken(claims))) instanceof OAuthBearerServer);
});

test("malformed messages and a missing auth get only the generic message", () => {
  const token = unsecuredToken(goodClaims());
  const bad = [
    "",
    `auth=Bearer ${token}\x01\x01`, // no GS2 header
    `n,,\x01auth=Bearer ${token}\x01`, // no closing \x01
    `n,,\x01host=x\x01\x01`, // no auth
    `n,,\x01auth=Bearer ${token}\x01bad key=1\x01\x01`,
    `y,,\x01auth=Bearer ${token}\x01\x01`,
  ];
  for (const m of bad) {
    const outcome = attempt(UNSECURED, enc.encode(m));
    assert.ok(outcome instanceof SaslFailure, JSON.stringify(m));
    assert.equal(
      outcome.message,
      "Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER",
    );
  }
  assert.ok(attempt(UNSECURED, new Uint8Array([0xff, 0xfe])) instanceof SaslFailure);
});

test("a scheme other than Bearer closes without an answer, as the reference Kafka does", () => {
  const outcome = attempt(UNSECURED, enc.encode(`n,,\x01auth=Basic ${unsecuredToken(goodClaims())}\x01\x01`));
  assert.ok(outcome instanceof SaslFailure);
  assert.equal(outcome.answered, false);
});

test("a scope string is one scope, trimmed, not split on spaces (as the reference Kafka reads it)", () => {
  assert.ok(
    attempt(UNSECURED, message(unsecuredToken({ ...goodClaims(), scope: " kafka " }))) instanceof OAuthBearerServer,
  );
  const split = attempt(UNSECURED, message(unsecuredToken({ ...goodClaims(), scope: "kafka other" })));
  assert.equal(split, '{"status":"insufficient_scope", "scope":"[kafka]"}');
});

test("an authorization id other than the token's principal fails with Kafka's message", () => {
  const ok = attempt(UNSECURED, message(unsecuredToken(goodClaims()), {}, "alice"));
  assert.ok(ok instanceof OAuthBearerServer);
  const outcome = attempt(UNSECURED, message(unsecuredToken(goodClaims()), {}, "bob"));
  assert.ok(outcome instanceof SaslFailure);
  assert.equal(
    outcome.message,
    "Authentication failed: Client requested an authorization id (bob) that is different from the token's " +
      "principal name (alice)",
  );
});

test("parseInitialResponse splits the GS2 header, the token and the extensions", () => {
  const parsed = parseInitialResponse(message("a.b.c", { a: "1", b: "x y" }, "u"));
  assert.deepEqual(parsed, { authzid: "u", token: "a.b.c", extensions: new Map([["a", "1"], ["b", "x y"]]) });
});

// Signed tokens: a JWKS of one RSA and one EC key.
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const JWKS: OAuthBearerSettings = {
  ...UNSECURED,
  validator: "jwks",
  requiredScope: [],
  clockSkewMs: 30_000,
  audience: ["kafka-broker"],
  issuer: "https://issuer.example",
  jwks: [
    { ...rsa.publicKey.export({ format: "jwk" }), kid: "r1", alg: "RS256", use: "sig" },
    { ...ec.publicKey.export({ format: "jwk" }), kid: "e1", alg: "ES256", use: "sig" },
  ],
};

function signedToken(alg: "RS256" | "ES256", key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const input = `${b64({ alg, kid, typ: "JWT" })}.${b64(claims)}`;
  const signature = alg === "ES256"
    ? sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" })
    : sign("sha256", Buffer.from(input), key);
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

const signedClaims = () => ({ ...goodClaims(), aud: "kafka-broker", iss: "https://issuer.example" });

test("the JWKS validator accepts RS256 and ES256 tokens signed by its keys", () => {
  for (const [alg, key, kid] of [["RS256", rsa.privateKey, "r1"], ["ES256", ec.privateKey, "e1"]] as const) {
    const server = attempt(JWKS, message(signedToken(alg, key, kid, signedClaims())));
    assert.ok(server instanceof OAuthBearerServer, `${alg}: ${String(server)}`);
    assert.equal(server.user, "alice");
    assert.equal(server.credentialLifetimeMs, 3_600_000);
  }
});

test("the JWKS validator refuses bad signatures, wrong audience or issuer, expiry, no iat and alg none", () => {
  const token = signedToken("RS256", rsa.privateKey, "r1", signedClaims());
  const [h, c, s] = token.split(".");
  const tampered = `${h}.${b64({ ...signedClaims(), sub: "admin" })}.${s}`;
  const cases: Array<[string, string]> = [
    ["signed by another key", signedToken("RS256", other.privateKey, "r1", signedClaims())],
    ["claims changed after signing", tampered],
    [
      "signature of another token",
      `${h}.${c}.${signedToken("RS256", rsa.privateKey, "r1", goodClaims()).split(".")[2]}`,
    ],
    ["unknown kid", signedToken("RS256", rsa.privateKey, "nope", signedClaims())],
    ["wrong audience", signedToken("RS256", rsa.privateKey, "r1", { ...signedClaims(), aud: "other" })],
    ["wrong issuer", signedToken("RS256", rsa.privateKey, "r1", { ...signedClaims(), iss: "https://evil" })],
    [
      "expired beyond the skew",
      signedToken("ES256", ec.privateKey, "e1", { ...signedClaims(), exp: sec(NOW - 31_000) }),
    ],
    ["no iat", signedToken("ES256", ec.privateKey, "e1", { ...signedClaims(), iat: undefined })],
    ["alg none", unsecuredToken(signedClaims())],
    ["alg none with a kid", unsecuredToken(signedClaims(), { alg: "none", kid: "r1" })],
  ];
  for (const [what, t] of cases) assert.equal(attempt(JWKS, message(t)), '{"status":"invalid_token"}', what);
  // Within the 30 s skew an expired token still passes; audience as a list is matched by any entry.
  const late = signedToken("ES256", ec.privateKey, "e1", { ...signedClaims(), exp: sec(NOW - 10_000) });
  assert.ok(attempt(JWKS, message(late)) instanceof OAuthBearerServer);
  const listed = signedToken("RS256", rsa.privateKey, "r1", { ...signedClaims(), aud: ["x", "kafka-broker"] });
  assert.ok(attempt(JWKS, message(listed)) instanceof OAuthBearerServer);
});

test("the JWKS validator: nbf is honoured; without an expected audience, a token naming one is refused", () => {
  const early = signedToken("RS256", rsa.privateKey, "r1", { ...signedClaims(), nbf: sec(NOW + 60_000) });
  assert.equal(attempt(JWKS, message(early)), '{"status":"invalid_token"}');
  const open = { ...JWKS, audience: [] };
  const named = signedToken("RS256", rsa.privateKey, "r1", signedClaims());
  assert.equal(attempt(open, message(named)), '{"status":"invalid_token"}');
  const unnamed = signedToken("RS256", rsa.privateKey, "r1", { ...signedClaims(), aud: undefined });
  assert.ok(attempt(open, message(unnamed)) instanceof OAuthBearerServer);
});

/** A request frame without its size prefix. */
function frame<T>(apiKey: number, version: number, body: T, encode: (w: Writer, v: number, m: T) => void) {
  const w = new Writer();
  const header = { requestApiKey: apiKey, requestApiVersion: version, correlationId: 7, clientId: "t" };
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), header);
  encode(w, version, body);
  return w.finish().slice();
}

function authenticateAnswer(v: GateVerdict) {
  assert.equal(v.kind, "answer");
  const r = new Reader((v as { bytes: Uint8Array }).bytes.subarray(4));
  decodeResponseHeader(r, responseHeaderVersion(36, 2));
  return { response: au.decodeSaslAuthenticateResponse(r, 2), close: (v as { close: boolean }).close };
}

function authenticatorWith(reauthMs: number): SaslAuthenticator {
  return new SaslAuthenticator(
    {
      mechanisms: ["OAUTHBEARER"],
      plainUsers: [],
      sessionLifetimeMs: reauthMs,
      maxReceiveBytes: 1024 * 1024,
      oauthbearer: { ...UNSECURED, requiredScope: [] },
    },
    new Map(),
    () => undefined,
    () => true,
  );
}

test("the authenticator reports the token's remaining lifetime, capped by connections.max.reauth.ms", () => {
  for (const [reauthMs, expected] of [[0, 3_600_000], [60_000, 60_000]]) {
    const a = authenticatorWith(reauthMs);
    a.onFrame(frame(17, 1, { mechanism: "OAUTHBEARER" }, hs.encodeSaslHandshakeRequest));
    // The real clock runs here: the token's exp is an hour from now.
    const claims = { sub: "alice", exp: sec(Date.now() + 3_600_000) };
    const { response } = authenticateAnswer(
      a.onFrame(frame(36, 2, { authBytes: message(unsecuredToken(claims)) }, au.encodeSaslAuthenticateRequest)),
    );
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(a.principal, "User:alice");
    const lifetime = Number(response.sessionLifetimeMs);
    assert.ok(lifetime <= expected && lifetime > expected - 60_000, `lifetime ${lifetime}, expected ~${expected}`);
  }
});

test("a refused token: challenge first, then SASL_AUTHENTICATION_FAILED with the JSON and a close", () => {
  const a = authenticatorWith(0);
  a.onFrame(frame(17, 1, { mechanism: "OAUTHBEARER" }, hs.encodeSaslHandshakeRequest));
  const first = authenticateAnswer(
    a.onFrame(frame(36, 2, { authBytes: message("x.y.") }, au.encodeSaslAuthenticateRequest)),
  );
  assert.equal(first.response.errorCode, ErrorCode.NONE);
  assert.equal(dec.decode(first.response.authBytes), '{"status":"invalid_token"}');
  assert.equal(first.close, false);
  const second = authenticateAnswer(
    a.onFrame(frame(36, 2, { authBytes: new Uint8Array([1]) }, au.encodeSaslAuthenticateRequest)),
  );
  assert.equal(second.response.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(second.response.errorMessage, '{"status":"invalid_token"}');
  assert.equal(second.close, true);
  assert.equal(a.authenticated, false);
});

test("without connections.max.reauth.ms, the token's exp still ends the session; re-authenticating renews it", () => {
  const s = new SaslSession(
    {
      mechanisms: ["OAUTHBEARER"],
      plainUsers: [],
      sessionLifetimeMs: 0,
      maxReceiveBytes: 1024 * 1024,
      oauthbearer: { ...UNSECURED, requiredScope: [] },
    },
    new Map(),
    () => undefined,
    () => true,
  );
  const hello = frame(17, 1, { mechanism: "OAUTHBEARER" }, hs.encodeSaslHandshakeRequest);
  const login = (sub: string) =>
    frame(
      36,
      2,
      { authBytes: message(unsecuredToken({ sub, exp: sec(Date.now() + 5_000) })) },
      au.encodeSaslAuthenticateRequest,
    );
  const metadata = new Uint8Array([0, 3, 0, 12, 0, 0, 0, 9]); // the session only reads the api key
  assert.equal(s.onFrame(hello, 0).kind, "answer");
  const { response } = authenticateAnswer(s.onFrame(login("alice"), 0));
  assert.ok(Number(response.sessionLifetimeMs) > 4_000, `lifetime ${response.sessionLifetimeMs}`);
  assert.deepEqual(s.onFrame(metadata, 1_000), { kind: "dispatch" });
  // A handshake starts a re-authentication (KIP-368) though connections.max.reauth.ms is 0.
  assert.equal(s.onFrame(hello, 2_000).kind, "answer");
  assert.equal(authenticateAnswer(s.onFrame(login("alice"), 2_000)).response.errorCode, ErrorCode.NONE);
  assert.deepEqual(s.onFrame(metadata, 6_000), { kind: "dispatch" });
  assert.equal(s.onFrame(metadata, 7_500).kind, "close");
});
