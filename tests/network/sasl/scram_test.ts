import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ScramServer } from "../../../src/network/sasl/scram.ts";
import { SaslFailure } from "../../../src/network/sasl/mechanism.ts";
import { credentialFromPassword, decodeSaslName, type ScramCredential } from "../../../src/protocol/scram_formulas.ts";
import { ScramClient } from "./_scram_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const GENERIC = "Authentication failed during authentication due to invalid credentials with SASL mechanism";

function store(entries: Array<[string, string, string]>): (m: string, u: string) => ScramCredential | undefined {
  const map = new Map<string, ScramCredential>();
  for (const [mechanism, user, password] of entries) {
    map.set(`${mechanism}/${user}`, credentialFromPassword(mechanism, password, enc.encode(`salt-${user}`), 4096));
  }
  return (m, u) => map.get(`${m}/${u}`);
}

function step(server: ScramServer, text: string): string {
  return dec.decode(server.evaluate(enc.encode(text)));
}

function failure(f: () => unknown): SaslFailure {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof SaslFailure, `expected a SaslFailure, got ${caught}`);
  return caught;
}

test("ScramServer reproduces RFC 7677's SCRAM-SHA-256 example exchange", () => {
  const salt = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64");
  const credential = credentialFromPassword("SCRAM-SHA-256", "pencil", salt, 4096);
  const server = new ScramServer(
    "SCRAM-SHA-256",
    (_m, u) => u === "user" ? credential : undefined,
    () => "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
  );
  assert.equal(
    step(server, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  );
  assert.equal(
    step(
      server,
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    ),
    "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  );
  assert.ok(server.complete);
  assert.equal(server.user, "user");
});

for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"]) {
  test(`ScramServer ${mechanism}: a right password completes and the server proves itself`, () => {
    const server = new ScramServer(mechanism, store([[mechanism, "alice", "alice-secret"]]));
    const client = new ScramClient(mechanism, "alice", "alice-secret");
    const serverFirst = step(server, client.first);
    assert.ok(serverFirst.startsWith(`r=${client.nonce}`));
    assert.equal(step(server, client.final(serverFirst)), client.expectedServerFinal());
    assert.ok(server.complete);
  });

  test(`ScramServer ${mechanism}: a wrong password fails with Kafka's generic message`, () => {
    const server = new ScramServer(mechanism, store([[mechanism, "alice", "alice-secret"]]));
    const client = new ScramClient(mechanism, "alice", "wrong");
    const serverFirst = step(server, client.first);
    const e = failure(() => step(server, client.final(serverFirst)));
    assert.equal(e.message, `${GENERIC} ${mechanism}`);
    assert.ok(!server.complete);
  });
}

test("ScramServer: an unknown user, or one with credentials for the other mechanism only, fails at once", () => {
  const lookup = store([["SCRAM-SHA-512", "bob", "pw"]]);
  const e = failure(() =>
    step(new ScramServer("SCRAM-SHA-256", lookup), new ScramClient("SCRAM-SHA-256", "bob", "pw").first)
  );
  assert.equal(e.message, `${GENERIC} SCRAM-SHA-256`);
  failure(() => step(new ScramServer("SCRAM-SHA-256", lookup), "n,,n=nobody,r=abc"));
});

test("ScramServer: a final message with another nonce or channel binding fails", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  for (const overrides of [{ nonce: "clientnonce123forged" }, { binding: "eSws" }]) {
    const server = new ScramServer("SCRAM-SHA-256", lookup);
    const client = new ScramClient("SCRAM-SHA-256", "alice", "pw");
    const serverFirst = step(server, client.first);
    failure(() => step(server, client.final(serverFirst, overrides)));
  }
});

test("ScramServer accepts librdkafka's final nonce (client nonce repeated in front), as Kafka does", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  const server = new ScramServer("SCRAM-SHA-256", lookup);
  const client = new ScramClient("SCRAM-SHA-256", "alice", "pw");
  const serverFirst = step(server, client.first);
  const combined = serverFirst.split(",")[0].slice(2);
  assert.equal(
    step(server, client.final(serverFirst, { nonce: client.nonce + combined })),
    client.expectedServerFinal(),
  );
  assert.ok(server.complete);
});

test("ScramServer: a final message replayed into another exchange fails (fresh server nonce)", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  const first = new ScramServer("SCRAM-SHA-256", lookup);
  const client = new ScramClient("SCRAM-SHA-256", "alice", "pw");
  const recorded = client.final(step(first, client.first));
  step(first, recorded);
  assert.ok(first.complete);
  const second = new ScramServer("SCRAM-SHA-256", lookup);
  step(second, client.first);
  failure(() => step(second, recorded));
  assert.ok(!second.complete);
});

test("ScramServer: messages out of order fail, and nothing is accepted after success or failure", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  const client = new ScramClient("SCRAM-SHA-256", "alice", "pw");
  // final before first
  failure(() => step(new ScramServer("SCRAM-SHA-256", lookup), "c=biws,r=abc,p=AAAA"));
  // first twice
  const twice = new ScramServer("SCRAM-SHA-256", lookup);
  step(twice, client.first);
  failure(() => step(twice, client.first));
  // after success
  const done = new ScramServer("SCRAM-SHA-256", lookup);
  const final = client.final(step(done, client.first));
  step(done, final);
  failure(() => step(done, final));
  // after a failure the right message no longer helps
  const failed = new ScramServer("SCRAM-SHA-256", lookup);
  const serverFirst = step(failed, client.first);
  failure(() => step(failed, "garbage"));
  failure(() => step(failed, client.final(serverFirst)));
});

test("ScramServer: escaped user names are decoded; stray '=' is refused", () => {
  const lookup = store([["SCRAM-SHA-256", "a,b=c", "pw"]]);
  const server = new ScramServer("SCRAM-SHA-256", lookup);
  const client = new ScramClient("SCRAM-SHA-256", "a,b=c", "pw");
  assert.ok(client.first.includes("n=a=2Cb=3Dc,"));
  step(server, client.first);
  assert.equal(server.user, "a,b=c");
  assert.equal(decodeSaslName("x=2Cy=3Dz"), "x,y=z");
  assert.equal(decodeSaslName("x=41"), null);
  assert.equal(decodeSaslName("x="), null);
  failure(() => step(new ScramServer("SCRAM-SHA-256", lookup), "n,,n=a=2Cb=3Dc=,r=abc"));
});

test("ScramServer: channel binding, mandatory extensions, token auth and bad nonces are refused", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  for (
    const first of [
      "y,,n=alice,r=abc",
      "p=tls-unique,,n=alice,r=abc",
      "n,,n=alice,r=abc,m=x",
      "n,,n=alice,r=abc,tokenauth=true",
      "n,,n=alice,r=",
      "n,,n=alice,r=a b",
      "n,,r=abc,n=alice",
      "n,,n=,r=abc",
    ]
  ) {
    failure(() => step(new ScramServer("SCRAM-SHA-256", lookup), first));
  }
});

test("ScramServer: an authorization id other than the user is named in the failure", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  const e = failure(() => step(new ScramServer("SCRAM-SHA-256", lookup), "n,a=bob,n=alice,r=abc"));
  assert.equal(
    e.message,
    "Authentication failed: Client requested an authorization id that is different from username",
  );
  const same = new ScramServer("SCRAM-SHA-256", lookup);
  const client = new ScramClient("SCRAM-SHA-256", "alice", "pw", "n1", "n,a=alice,");
  step(same, client.final(step(same, client.first)));
  assert.ok(same.complete);
});

test("ScramServer: a proof of the wrong length fails", () => {
  const lookup = store([["SCRAM-SHA-256", "alice", "pw"]]);
  const server = new ScramServer("SCRAM-SHA-256", lookup);
  const serverFirst = step(server, "n,,n=alice,r=abc");
  const nonce = serverFirst.split(",")[0].slice(2);
  failure(() => step(server, `c=biws,r=${nonce},p=AAAA`));
});

test("ScramServer refuses a mechanism that is not SCRAM", () => {
  assert.throws(() => new ScramServer("PLAIN", () => undefined));
});
