import { test } from "node:test";
import assert from "node:assert/strict";
import { PlainServer } from "../../../src/network/sasl/plain.ts";
import { SaslFailure } from "../../../src/network/sasl/mechanism.ts";

const users = new Map([["alice", "alice-secret"], ["bob", "b"]]);
const enc = new TextEncoder();

function attempt(message: string): PlainServer | SaslFailure {
  const server = new PlainServer(users);
  try {
    server.evaluate(enc.encode(message));
    return server;
  } catch (e) {
    if (e instanceof SaslFailure) return e;
    throw e;
  }
}

function message(outcome: PlainServer | SaslFailure): string {
  assert.ok(outcome instanceof SaslFailure, "expected a failure");
  return outcome.message;
}

test("PlainServer accepts a listed user with the right password, with or without an equal authzid", () => {
  for (const m of ["\0alice\0alice-secret", "alice\0alice\0alice-secret"]) {
    const outcome = attempt(m);
    assert.ok(outcome instanceof PlainServer);
    assert.ok(outcome.complete);
    assert.equal(outcome.user, "alice");
  }
});

test("PlainServer: wrong password and unknown user get Kafka's same message", () => {
  const wrong = attempt("\0alice\0nope");
  const unknown = attempt("\0mallory\0alice-secret");
  assert.equal(message(wrong), "Authentication failed: Invalid username or password");
  assert.equal(message(unknown), "Authentication failed: Invalid username or password");
  assert.notEqual((wrong as SaslFailure).detail, (unknown as SaslFailure).detail);
  // a password that is a prefix of the right one is still wrong
  assert.equal(message(attempt("\0alice\0alice")), "Authentication failed: Invalid username or password");
});

test("PlainServer: missing user or password and a different authzid are named", () => {
  assert.equal(message(attempt("\0\0pw")), "Authentication failed: username not specified");
  assert.equal(message(attempt("\0alice\0")), "Authentication failed: password not specified");
  assert.equal(
    message(attempt("bob\0alice\0alice-secret")),
    "Authentication failed: Client requested an authorization id that is different from username",
  );
});

test("PlainServer: a message that is not three NUL-separated parts is named, as Kafka does", () => {
  assert.equal(message(attempt("alice")), "Invalid SASL/PLAIN response: expected 3 tokens, got 1");
  assert.equal(message(attempt("\0alice")), "Invalid SASL/PLAIN response: expected 3 tokens, got 2");
  assert.equal(message(attempt("\0alice\0pw\0extra")), "Invalid SASL/PLAIN response: expected 3 tokens, got 4");
});

test("PlainServer takes exactly one message", () => {
  const server = new PlainServer(users);
  server.evaluate(enc.encode("\0bob\0b"));
  assert.throws(() => server.evaluate(enc.encode("\0bob\0b")), SaslFailure);
});
