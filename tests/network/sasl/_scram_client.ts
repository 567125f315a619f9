/** A SCRAM client for tests (RFC 5802), built on the server's own formulas module only for HMAC/hash. */
import { Buffer } from "node:buffer";
import { digest, hmac, saltedPassword, scramHash, xor } from "../../../src/protocol/scram_formulas.ts";

export class ScramClient {
  readonly first: string;
  private serverFirst = "";
  private authMessage = "";
  private salted: Uint8Array = new Uint8Array(0);

  constructor(
    readonly mechanism: string,
    readonly user: string,
    readonly password: string,
    readonly nonce = "clientnonce123",
    readonly gs2 = "n,,",
  ) {
    this.first = `${gs2}n=${user.replaceAll("=", "=3D").replaceAll(",", "=2C")},r=${nonce}`;
  }

  get firstBare(): string {
    return this.first.slice(this.gs2.length);
  }

  /** The client-final message answering `serverFirst`. */
  final(serverFirst: string, overrides: { nonce?: string; binding?: string } = {}): string {
    const hash = scramHash(this.mechanism)!;
    this.serverFirst = serverFirst;
    const attrs = Object.fromEntries(serverFirst.split(",").map((a) => [a[0], a.slice(2)]));
    this.salted = saltedPassword(hash, this.password, Buffer.from(attrs.s, "base64"), Number(attrs.i));
    const withoutProof = `c=${overrides.binding ?? Buffer.from(this.gs2).toString("base64")},r=${
      overrides.nonce ?? attrs.r
    }`;
    this.authMessage = `${this.firstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(hash, this.salted, "Client Key");
    const signature = hmac(hash, digest(hash, clientKey), this.authMessage);
    return `${withoutProof},p=${Buffer.from(xor(clientKey, signature)).toString("base64")}`;
  }

  /** The server-final message a genuine server sends. */
  expectedServerFinal(): string {
    const hash = scramHash(this.mechanism)!;
    const serverKey = hmac(hash, this.salted, "Server Key");
    return `v=${Buffer.from(hmac(hash, serverKey, this.authMessage)).toString("base64")}`;
  }
}
