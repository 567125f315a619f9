/**
 * SCRAM's key derivation (RFC 5802 §3) for SHA-256 and SHA-512 (RFC 7677) and
 * its user-name escaping, shared by both ends: the broker's exchange
 * (network/sasl/scram.ts) and credential store, which keeps only salt,
 * iterations, StoredKey and ServerKey, never a password, and the client's
 * exchange (client/sasl_scram.ts). A leaf module so that neither side
 * imports the other.
 */
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";

const SCRAM_SHA_256 = "SCRAM-SHA-256";
const SCRAM_SHA_512 = "SCRAM-SHA-512";
export const SCRAM_MECHANISMS: readonly string[] = [SCRAM_SHA_256, SCRAM_SHA_512];
/** Kafka's bounds on a credential's iteration count (ScramMechanism's min and max). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

/** A stored SCRAM credential: what a server needs to check a proof and prove itself. */
export interface ScramCredential {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

export interface ScramHash {
  /** node:crypto's name for the hash. */
  readonly name: "sha256" | "sha512";
  readonly bytes: number;
}

/** The hash of a SCRAM mechanism name, or undefined if it is not one. */
export function scramHash(mechanism: string): ScramHash | undefined {
  if (mechanism === SCRAM_SHA_256) return { name: "sha256", bytes: 32 };
  if (mechanism === SCRAM_SHA_512) return { name: "sha512", bytes: 64 };
  return undefined;
}

export function hmac(hash: ScramHash, key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHmac(hash.name, key).update(data).digest());
}

export function digest(hash: ScramHash, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash.name).update(data).digest());
}

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with HMAC-H. */
export function saltedPassword(hash: ScramHash, password: string, salt: Uint8Array, iterations: number): Uint8Array {
  return new Uint8Array(pbkdf2Sync(password, salt, iterations, hash.bytes, hash.name));
}

/** StoredKey and ServerKey from a salted password (what AlterUserScramCredentials sends). */
export function credentialFromSaltedPassword(
  hash: ScramHash,
  salted: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(hash, salted, "Client Key");
  return {
    salt,
    iterations,
    storedKey: digest(hash, clientKey),
    serverKey: hmac(hash, salted, "Server Key"),
  };
}

export function credentialFromPassword(
  mechanism: string,
  password: string,
  salt: Uint8Array,
  iterations: number,
): ScramCredential {
  const hash = scramHash(mechanism);
  if (!hash) throw new Error(`${mechanism} is not a SCRAM mechanism`);
  return credentialFromSaltedPassword(hash, saltedPassword(hash, password, salt, iterations), salt, iterations);
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** A saslname with "=2C" and "=3D" decoded; null if any other "=" or a "," appears. */
export function decodeSaslName(name: string): string | null {
  if (name.includes(",")) return null;
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c !== "=") {
      out += c;
      continue;
    }
    const escape = name.slice(i + 1, i + 3);
    if (escape === "2C") out += ",";
    else if (escape === "3D") out += "=";
    else return null;
    i += 2;
  }
  return out;
}

/** A user name as a saslname: "=" and "," escaped as "=3D" and "=2C" (RFC 5802 §5.1). */
export function encodeSaslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}
