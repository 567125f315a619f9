/**
 * The salted password AlterUserScramCredentials sends, checked against RFC 7677's SCRAM-SHA-256 exchange:
 * from Hi(password, salt, i) the client's proof and the server's signature of that exchange must come out as
 * the RFC prints them (a wrong salted password changes both).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scramSaltedPassword } from "../../src/client/admin_security.ts";

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function hmac(key: Uint8Array, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(data)));
}

test("scramSaltedPassword() gives RFC 7677's client proof and server signature (SCRAM-SHA-256)", async () => {
  const salted = await scramSaltedPassword("SCRAM-SHA-256", "pencil", unb64("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  assert.equal(salted.length, 32);
  const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
  const clientKey = await hmac(salted, "Client Key");
  const storedKey = new Uint8Array(await crypto.subtle.digest("SHA-256", clientKey as Uint8Array<ArrayBuffer>));
  const signature = await hmac(storedKey, authMessage);
  const proof = clientKey.map((b, i) => b ^ signature[i]);
  assert.equal(b64(proof), "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  const serverSignature = await hmac(await hmac(salted, "Server Key"), authMessage);
  assert.equal(b64(serverSignature), "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
});

test("scramSaltedPassword() for SCRAM-SHA-512 is PBKDF2-HMAC-SHA512 (the published password/salt vector)", async () => {
  const salt = enc.encode("salt");
  const one = await scramSaltedPassword("SCRAM-SHA-512", "password", salt, 1);
  assert.equal(
    Array.from(one, (b) => b.toString(16).padStart(2, "0")).join(""),
    "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252" +
      "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce",
  );
  const a = await scramSaltedPassword("SCRAM-SHA-512", "password", salt, 4096);
  assert.equal(a.length, 64);
  assert.notDeepEqual(a, await scramSaltedPassword("SCRAM-SHA-512", "password", enc.encode("pepper"), 4096));
  assert.notDeepEqual(a, await scramSaltedPassword("SCRAM-SHA-512", "password", salt, 4097));
});
