/**
 * SASL/PLAIN (RFC 4616), server side: one message `authzid NUL authcid NUL
 * passwd`, checked against the users of the listener's JAAS config.
 *
 * The messages are the reference Kafka's (asked): a missing user name or
 * password, a different authorization id and a message that is not three
 * NUL-separated parts are each named to the client.
 * Passwords are compared in constant time over their hashes, so neither
 * their content nor their length leaks through timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { genericFailure, PLAIN, SaslFailure, saslFailure, type SaslServer } from "./mechanism.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class PlainServer implements SaslServer {
  readonly mechanism = PLAIN;
  complete = false;
  user = "";
  private used = false;

  /** `users` maps user name to password (JAAS `user_<name>="<password>"`). */
  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Uint8Array): Uint8Array {
    if (this.used) throw genericFailure(PLAIN, "PLAIN takes exactly one message");
    this.used = true;
    let text: string;
    try {
      text = utf8.decode(token);
    } catch {
      throw genericFailure(PLAIN, "the PLAIN message is not UTF-8");
    }
    const parts = text.split("\u0000");
    if (parts.length !== 3) {
      throw saslFailure(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`);
    }
    const [authzid, user, password] = parts;
    if (user === "") throw saslFailure("Authentication failed: username not specified");
    if (password === "") throw saslFailure("Authentication failed: password not specified");
    if (authzid !== "" && authzid !== user) {
      throw saslFailure("Authentication failed: Client requested an authorization id that is different from username");
    }
    const expected = this.users.get(user);
    // An unknown user costs the same comparison, so timing does not tell which user names exist.
    const matches = samePassword(expected ?? "", password);
    if (expected === undefined || !matches) {
      throw new SaslFailure(
        "Authentication failed: Invalid username or password",
        expected === undefined ? `unknown user ${JSON.stringify(user)}` : `wrong password for ${JSON.stringify(user)}`,
      );
    }
    this.user = user;
    this.complete = true;
    return new Uint8Array(0);
  }
}

function samePassword(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb);
}
