/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), server side, as
 * Kafka's ScramSaslServer runs it: client-first → server-first →
 * client-final → server-final, then done.
 *
 * Checks, each failing the exchange: the GS2 header is "n" (no channel
 * binding: Kafka offers no -PLUS mechanism) with no authorization id or
 * one equal to the user; the user name's "=2C"/"=3D" escapes are the only
 * "=" in it; the client nonce is printable without ","; the reserved
 * mandatory-extension attribute "m" is refused, as is Kafka's delegation
 * token extension (tsbroker has no delegation tokens); the final message
 * repeats the GS2 header in `c=` and ends `r=` with the combined nonce
 * (Kafka's check, which librdkafka's doubled client nonce needs); the proof
 * has the hash's length and matches in constant time. A message out of
 * order (a second client-first, a replayed client-final from another
 * exchange, anything after success) fails, because each state accepts one
 * message shape and the combined nonce is fresh per exchange.
 *
 * An unknown user fails at the first message, as in Kafka. Messages the
 * client sees follow Kafka's: a different authorization id is named; every
 * other failure gets the generic sentence (mechanism.ts).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { genericFailure, saslFailure, type SaslServer } from "./mechanism.ts";
import {
  decodeSaslName,
  digest,
  hmac,
  type ScramCredential,
  type ScramHash,
  scramHash,
  xor,
} from "../../protocol/scram_formulas.ts";

/** Finds a user's credential for the mechanism being run; undefined if the user has none. */
export type ScramLookup = (mechanism: string, user: string) => ScramCredential | undefined;

const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

type State = "first" | "final" | "done" | "failed";

export class ScramServer implements SaslServer {
  complete = false;
  user = "";
  private state: State = "first";
  private readonly hash: ScramHash;
  private gs2Header = "";
  private clientFirstBare = "";
  private serverFirst = "";
  private nonce = "";
  private credential: ScramCredential | null = null;

  constructor(
    readonly mechanism: string,
    private readonly lookup: ScramLookup,
    /** The server's part of the nonce; tests fix it to check RFC 7677's example. */
    private readonly serverNonce: () => string = () => randomBytes(24).toString("base64url"),
  ) {
    const hash = scramHash(mechanism);
    if (!hash) throw new Error(`${mechanism} is not a SCRAM mechanism`);
    this.hash = hash;
  }

  evaluate(token: Uint8Array): Uint8Array {
    const state = this.state;
    this.state = "failed"; // until this step succeeds: a failed exchange takes no further message
    let text: string;
    try {
      text = utf8.decode(token);
    } catch {
      throw this.fail("a SCRAM message is not UTF-8");
    }
    if (state === "first") {
      const answer = this.clientFirst(text);
      this.state = "final";
      return encoder.encode(answer);
    }
    if (state === "final") {
      const answer = this.clientFinal(text);
      this.state = "done";
      this.complete = true;
      return encoder.encode(answer);
    }
    throw this.fail(`unexpected SCRAM message after the exchange ${state === "done" ? "completed" : "failed"}`);
  }

  private clientFirst(text: string): string {
    // gs2-header: "n," [ "a=" authzid ] ","; then client-first-message-bare.
    const m = /^n,(?:a=([^,]*))?,(.*)$/s.exec(text);
    if (!m) {
      throw this.fail(
        /^[yp]/.test(text) ? "channel binding is not supported" : "invalid SCRAM client-first message",
      );
    }
    this.gs2Header = text.slice(0, text.length - m[2].length);
    this.clientFirstBare = m[2];
    const attrs = m[2].split(",");
    if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
      throw this.fail("invalid SCRAM client-first message: expected n=<user>,r=<nonce>");
    }
    const user = decodeSaslName(attrs[0].slice(2));
    if (user === null || user === "") throw this.fail("invalid user name in SCRAM client-first message");
    const authzid = m[1] === undefined ? "" : decodeSaslName(m[1]);
    if (authzid === null) throw this.fail("invalid authorization id in SCRAM client-first message");
    const clientNonce = attrs[1].slice(2);
    if (!NONCE.test(clientNonce)) throw this.fail("invalid client nonce in SCRAM client-first message");
    for (const extension of attrs.slice(2)) {
      if (extension.startsWith("m=")) throw this.fail("mandatory SCRAM extensions are not supported");
      if (extension === "tokenauth=true") throw this.fail("delegation tokens are not supported");
      if (!/^[A-Za-z]+=/.test(extension)) throw this.fail("invalid SCRAM extension");
    }
    const credential = this.lookup(this.mechanism, user);
    if (!credential) throw this.fail(`unknown user ${JSON.stringify(user)}`);
    if (authzid !== "" && authzid !== user) {
      throw saslFailure("Authentication failed: Client requested an authorization id that is different from username");
    }
    this.user = user;
    this.credential = credential;
    this.nonce = clientNonce + this.serverNonce();
    this.serverFirst = `r=${this.nonce},s=${
      Buffer.from(credential.salt).toString("base64")
    },i=${credential.iterations}`;
    return this.serverFirst;
  }

  private clientFinal(text: string): string {
    const m = /^c=([^,]*),r=([^,]*)((?:,[A-Za-z]+=[^,]*)*),p=([^,]*)$/.exec(text);
    if (!m) throw this.fail("invalid SCRAM client-final message");
    const [, binding, nonce, , proofText] = m;
    if (binding !== Buffer.from(this.gs2Header, "utf8").toString("base64")) {
      throw this.fail("invalid channel binding in SCRAM client-final message");
    }
    // Kafka only checks that the nonce ends with the combined one: librdkafka sends its client nonce
    // again in front of it. The server's fresh part still ties the message to this exchange.
    if (!nonce.endsWith(this.nonce)) throw this.fail("Invalid client nonce in the final client message.");
    if (!BASE64.test(proofText)) throw this.fail("invalid client proof encoding");
    const proof = new Uint8Array(Buffer.from(proofText, "base64"));
    if (proof.length !== this.hash.bytes) throw this.fail("client proof has the wrong length");
    const credential = this.credential!;
    const withoutProof = text.slice(0, text.length - proofText.length - 3);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.hash, credential.storedKey, authMessage);
    const clientKey = xor(proof, clientSignature);
    if (!timingSafeEqual(digest(this.hash, clientKey), credential.storedKey)) {
      throw this.fail(`wrong password for ${JSON.stringify(this.user)}`);
    }
    const serverSignature = hmac(this.hash, credential.serverKey, authMessage);
    return `v=${Buffer.from(serverSignature).toString("base64")}`;
  }

  private fail(detail: string) {
    this.state = "failed";
    return genericFailure(this.mechanism, detail);
  }
}
