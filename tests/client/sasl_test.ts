/**
 * The client's SASL exchange without a socket: SCRAM against RFC 7677's example and against the broker's own
 * ScramServer, each check a SCRAM client must make (server signature, nonce prefix, iteration floor, server
 * error), the handshake and version choice of authenticate() over a scripted exchange, OAUTHBEARER's token
 * function and error acknowledgement, and the TLS option mapping and failure classification.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticate, type SaslExchange, type SaslOptions, validateSaslOptions } from "../../src/client/sasl.ts";
import { ScramClient } from "../../src/client/sasl_scram.ts";
import { KafkaClientError } from "../../src/client/errors.ts";
import { certificateError, tlsConnectOptions } from "../../src/client/tls_options.ts";
import { ScramServer } from "../../src/network/sasl/scram.ts";
import { credentialFromPassword } from "../../src/protocol/scram_formulas.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

// RFC 7677 §3's example exchange (user "user", password "pencil").
const RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
const RFC_SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const RFC_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

function rfcClient(): ScramClient {
  return new ScramClient("SCRAM-SHA-256", "user", "pencil", RFC_CLIENT_NONCE);
}

function assertAuthFailure(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof KafkaClientError);
    assert.equal(e.code, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(e.retriable, false);
    assert.match(e.message, pattern);
    return true;
  });
}

test("ScramClient reproduces RFC 7677's SCRAM-SHA-256 exchange and accepts its server signature", async () => {
  const client = rfcClient();
  assert.equal(dec.decode(await client.start()), `n,,n=user,r=${RFC_CLIENT_NONCE}`);
  assert.equal(dec.decode(client.next(enc.encode(RFC_SERVER_FIRST))!), RFC_CLIENT_FINAL);
  assert.equal(client.next(enc.encode(RFC_SERVER_FINAL)), null);
});

test("ScramClient refuses a server signature that does not match", async () => {
  const client = rfcClient();
  await client.start();
  client.next(enc.encode(RFC_SERVER_FIRST));
  assertAuthFailure(
    () => client.next(enc.encode("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
    /signature does not match/,
  );
});

test("ScramClient refuses a server nonce that does not extend its own, and fewer than 4096 iterations", async () => {
  const foreign = rfcClient();
  await foreign.start();
  assertAuthFailure(() => foreign.next(enc.encode("r=someoneElse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")), /nonce/);
  const same = rfcClient();
  await same.start();
  assertAuthFailure(() => same.next(enc.encode(`r=${RFC_CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)), /nonce/);
  const cheap = rfcClient();
  await cheap.start();
  assertAuthFailure(
    () => cheap.next(enc.encode(RFC_SERVER_FIRST.replace("i=4096", "i=1000"))),
    /1000 iterations, fewer than the minimum 4096/,
  );
});

test("ScramClient reports a server-final error and a message after the end", async () => {
  const client = rfcClient();
  await client.start();
  client.next(enc.encode(RFC_SERVER_FIRST));
  assertAuthFailure(() => client.next(enc.encode("e=invalid-proof")), /refused the exchange: invalid-proof/);
  assertAuthFailure(() => client.next(enc.encode("v=x")), /after the exchange completed/);
});

test("ScramClient escapes ',' and '=' in the user name, and the broker's ScramServer accepts it (SHA-512)", async () => {
  const user = "a,b=c";
  const credential = credentialFromPassword("SCRAM-SHA-512", "secret", enc.encode("salt-salt-salt"), 4096);
  const server = new ScramServer("SCRAM-SHA-512", (_m, u) => u === user ? credential : undefined);
  const client = new ScramClient("SCRAM-SHA-512", user, "secret");
  const first = await client.start();
  assert.match(dec.decode(first), /^n,,n=a=2Cb=3Dc,r=/);
  const final = client.next(server.evaluate(first))!;
  assert.equal(client.next(server.evaluate(final)), null);
  assert.equal(server.complete, true);
  assert.equal(server.user, user);
});

/** An exchange that answers from a script and records what it was sent. */
function scripted(
  answers: unknown[],
): { exchange: SaslExchange; sent: { api: string; version: number; body: unknown }[] } {
  const sent: { api: string; version: number; body: unknown }[] = [];
  const exchange = ((api, version, body) => {
    sent.push({ api: api.descriptor.name, version, body });
    return Promise.resolve(answers.shift());
  }) as SaslExchange;
  return { exchange, sent };
}

const ok = (authBytes = "", sessionLifetimeMs = 0n) => ({
  errorCode: 0,
  errorMessage: null,
  authBytes: enc.encode(authBytes),
  sessionLifetimeMs,
});
const hello = { errorCode: 0, mechanisms: ["PLAIN"] };

test("authenticate(): PLAIN at the broker's highest SaslAuthenticate version, resolving with the session lifetime", async () => {
  const { exchange, sent } = scripted([hello, ok("", 60_000n)]);
  const options: SaslOptions = { mechanism: "PLAIN", username: "alice", password: "pw" };
  const lifetime = await authenticate(exchange, { handshake: 1, authenticate: 1 }, options, "b:1");
  assert.equal(lifetime, 60_000);
  assert.deepEqual(sent.map((s) => [s.api, s.version]), [["SaslHandshake", 1], ["SaslAuthenticate", 1]]);
  assert.deepEqual(sent[0].body, { mechanism: "PLAIN" });
  assert.equal(dec.decode((sent[1].body as { authBytes: Uint8Array }).authBytes), "\0alice\0pw");
});

test("authenticate(): a mechanism the broker lacks names those it enables; a broker error carries its message", async () => {
  const options: SaslOptions = { mechanism: "SCRAM-SHA-512", username: "u", password: "p" };
  await assert.rejects(
    authenticate(
      scripted([{ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ["PLAIN", "GSSAPI"] }]).exchange,
      { handshake: 1, authenticate: 2 },
      options,
      "b:1",
    ),
    (e: KafkaClientError) =>
      e.code === ErrorCode.UNSUPPORTED_SASL_MECHANISM && !e.retriable && /enables: PLAIN, GSSAPI/.test(e.message),
  );
  const plain: SaslOptions = { mechanism: "PLAIN", username: "u", password: "p" };
  await assert.rejects(
    authenticate(
      scripted([hello, { ...ok(), errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: "Nope, said Kafka" }])
        .exchange,
      { handshake: 1, authenticate: 2 },
      plain,
      "b:1",
    ),
    (e: KafkaClientError) => !e.retriable && e.message === "SASL_AUTHENTICATION_FAILED: Nope, said Kafka",
  );
  await assert.rejects(
    authenticate(scripted([]).exchange, { handshake: 0, authenticate: -1 }, plain, "b:1"),
    /older than Kafka 1.0/,
  );
});

test("authenticate(): OAUTHBEARER asks the token function each time and acknowledges an error challenge", async () => {
  let calls = 0;
  const options: SaslOptions = { mechanism: "OAUTHBEARER", token: () => Promise.resolve(`tok${++calls}`) };
  const first = scripted([hello, ok()]);
  await authenticate(first.exchange, { handshake: 1, authenticate: 2 }, options, "b:1");
  assert.equal(
    dec.decode((first.sent[1].body as { authBytes: Uint8Array }).authBytes),
    "n,,\x01auth=Bearer tok1\x01\x01",
  );
  const refused = scripted([
    hello,
    ok('{"status":"invalid_token"}'),
    { ...ok(), errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: "expired" },
  ]);
  await assert.rejects(
    authenticate(refused.exchange, { handshake: 1, authenticate: 2 }, options, "b:1"),
    /SASL_AUTHENTICATION_FAILED: expired/,
  );
  assert.equal(
    dec.decode((refused.sent[1].body as { authBytes: Uint8Array }).authBytes),
    "n,,\x01auth=Bearer tok2\x01\x01",
  );
  assert.equal(dec.decode((refused.sent[2].body as { authBytes: Uint8Array }).authBytes), "\x01");
});

test("validateSaslOptions() names what a mechanism lacks", () => {
  assert.throws(
    () => validateSaslOptions({ mechanism: "PLAIN", username: "u" }),
    /PLAIN needs sasl.username and sasl.password/,
  );
  assert.throws(() => validateSaslOptions({ mechanism: "OAUTHBEARER" }), /OAUTHBEARER needs sasl.token/);
  assert.throws(() => validateSaslOptions({ mechanism: "GSSAPI" as "PLAIN" }), /not one of/);
  validateSaslOptions({ mechanism: "SCRAM-SHA-256", username: "u", password: "" });
});

test("tlsConnectOptions(): SNI only for host names, Kafka's defaults, checkHostname: false skips the identity check", () => {
  const byName = tlsConnectOptions("broker.local", 9093, { ca: "CA", keyPassword: "k" });
  assert.equal(byName.servername, "broker.local");
  assert.equal(byName.rejectUnauthorized, true);
  assert.equal(byName.passphrase, "k");
  assert.equal(byName.checkServerIdentity, undefined);
  const byIp = tlsConnectOptions("127.0.0.1", 9093, { checkHostname: false });
  assert.equal(byIp.servername, undefined);
  assert.equal(byIp.checkServerIdentity!("x", {} as never), undefined);
  assert.equal(tlsConnectOptions("::1", 9093, {}).servername, undefined);
});

test("certificateError(): certificate causes are named and final; network failures are left retriable", () => {
  const untrusted = certificateError("b:1", Object.assign(new Error("x"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }));
  assert.match(untrusted!.message, /not signed by a trusted CA/);
  assert.equal(untrusted!.retriable, false);
  assert.match(
    certificateError("b:1", new Error("invalid peer certificate: NotValidForName"))!.message,
    /hostname mismatch/,
  );
  assert.match(certificateError("b:1", new Error("invalid peer certificate: UnknownIssuer"))!.message, /trusted CA/);
  assert.equal(
    certificateError("b:1", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })),
    undefined,
  );
});
