/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), client side: client-first → server-first →
 * client-final → server-final. The key derivation is the broker's own (src/protocol/scram_formulas.ts).
 *
 * What the client checks, each failing the exchange as Kafka's ScramSaslClient does: the server's nonce
 * starts with ours and adds to it (else a replayed or foreign server-first); the iteration count is at least
 * 4096 (a server asking for fewer would make a captured exchange cheap to attack); and the server-final
 * message carries the ServerSignature computed from our own salted password, proving the server knows the
 * credential rather than having accepted anything. No channel binding is offered (GS2 header "n,,"), as in
 * Kafka, which has no -PLUS mechanism. User names escape "=" and "," (=3D, =2C).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { ErrorCode } from "../protocol/errors.ts";
import {
  digest,
  encodeSaslName,
  hmac,
  saltedPassword,
  SCRAM_MIN_ITERATIONS,
  type ScramHash,
  scramHash,
  xor,
} from "../protocol/scram_formulas.ts";
import { KafkaClientError } from "./errors.ts";
import type { SaslClientMechanism } from "./sasl.ts";

const GS2_HEADER = "n,,";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type State = "first" | "final" | "verify" | "done";

export class ScramClient implements SaslClientMechanism {
  private readonly hash: ScramHash;
  private readonly clientFirstBare: string;
  private state: State = "first";
  private serverSignature: Uint8Array | null = null;

  constructor(
    readonly mechanism: string,
    private readonly username: string,
    private readonly password: string,
    /** Our part of the nonce; tests fix it to replay RFC 7677's example. */
    private readonly clientNonce: string = randomBytes(24).toString("base64url"),
  ) {
    const hash = scramHash(mechanism);
    if (!hash) throw new TypeError(`${mechanism} is not a SCRAM mechanism`);
    this.hash = hash;
    this.clientFirstBare = `n=${encodeSaslName(username)},r=${clientNonce}`;
  }

  start(): Promise<Uint8Array> {
    this.state = "final";
    return Promise.resolve(encoder.encode(GS2_HEADER + this.clientFirstBare));
  }

  next(challenge: Uint8Array): Uint8Array | null {
    const text = decoder.decode(challenge);
    if (this.state === "final") {
      this.state = "verify";
      return encoder.encode(this.clientFinal(text));
    }
    if (this.state === "verify") {
      this.state = "done";
      this.verify(text);
      return null;
    }
    throw this.fail("the server sent a message after the exchange completed");
  }

  /** client-final-message for `serverFirst` (r=nonce,s=salt,i=iterations[,extensions]). */
  private clientFinal(serverFirst: string): string {
    const attrs = new Map<string, string>();
    for (const part of serverFirst.split(",")) {
      const eq = part.indexOf("=");
      if (eq === 1 && !attrs.has(part[0])) attrs.set(part[0], part.slice(2));
    }
    if (attrs.has("e")) throw this.fail(`the server refused the exchange: ${attrs.get("e")}`);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (attrs.has("m")) throw this.fail("the server requires a SCRAM extension the client does not know");
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) {
      throw this.fail(`invalid server-first message ${JSON.stringify(serverFirst)}`);
    }
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw this.fail("the server's nonce does not extend the client's (a replayed or foreign message)");
    }
    if (iterations < SCRAM_MIN_ITERATIONS) {
      throw this.fail(`the server asks for ${iterations} iterations, fewer than the minimum ${SCRAM_MIN_ITERATIONS}`);
    }
    const salted = saltedPassword(this.hash, this.password, new Uint8Array(Buffer.from(salt, "base64")), iterations);
    const clientKey = hmac(this.hash, salted, "Client Key");
    const storedKey = digest(this.hash, clientKey);
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString("base64")},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(this.hash, storedKey, authMessage));
    this.serverSignature = hmac(this.hash, hmac(this.hash, salted, "Server Key"), authMessage);
    return `${withoutProof},p=${Buffer.from(proof).toString("base64")}`;
  }

  /** Checks server-final-message: v=ServerSignature, or e=error. */
  private verify(serverFinal: string): void {
    if (serverFinal.startsWith("e=")) throw this.fail(`the server refused the exchange: ${serverFinal.slice(2)}`);
    const m = /^v=([A-Za-z0-9+/]*={0,2})(,.*)?$/.exec(serverFinal);
    const signature = m ? new Uint8Array(Buffer.from(m[1], "base64")) : null;
    if (
      !signature || signature.length !== this.serverSignature!.length ||
      !timingSafeEqual(signature, this.serverSignature!)
    ) {
      throw this.fail("the server's signature does not match: it does not know the user's credential");
    }
  }

  private fail(detail: string): KafkaClientError {
    this.state = "done";
    return new KafkaClientError(
      ErrorCode.SASL_AUTHENTICATION_FAILED,
      `${this.mechanism} as ${JSON.stringify(this.username)}: ${detail}`,
      false,
    );
  }
}
