/**
 * SASL/OAUTHBEARER (RFC 7628, Kafka's KIP-255), server side.
 *
 * The client's one message is a GS2 header ("n,," or "n,a=<authzid>,"), then
 * \x01-separated key=value pairs ending with an empty one: `auth=Bearer
 * <token>` and any SASL extensions (KIP-342). The token goes to the
 * listener's validator (oauthbearer_jwt.ts: Kafka's unsecured validator or a
 * JWKS-file one). What the client learns follows Kafka's OAuthBearerSaslServer:
 * - a malformed message or a missing `auth` is a plain SaslException, so the
 *   client gets only the generic sentence; a scheme other than Bearer closes
 *   the connection without an answer (as the reference Kafka does);
 * - a token the validator refuses is answered, not failed: the challenge is
 *   a JSON object `{"status":"invalid_token"}` (with "scope" when a required
 *   scope is missing); the client acknowledges it with a lone \x01, and only
 *   then fails with that JSON as the message (SASL_AUTHENTICATION_FAILED);
 * - an authorization id other than the token's principal fails at once.
 * The token's `exp` becomes the credential's lifetime: the authenticator
 * reports it (capped by connections.max.reauth.ms) as the session lifetime,
 * so clients re-authenticate before the token expires (KIP-368).
 */
import type { OAuthBearerSettings } from "../../config/sasl_settings.ts";
import { genericFailure, OAUTHBEARER, SaslFailure, saslFailure, type SaslServer } from "./mechanism.ts";
import { makeValidator, type TokenValidator } from "./oauthbearer_jwt.ts";

export { OAUTHBEARER };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const SEP = "\u0001";
/** RFC 7628's key and value grammar, as Kafka checks extensions. */
const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7E \t\r\n]+$/;
/** `<scheme> <b64token>` (RFC 6750: the characters a bearer token may hold). */
const AUTH = /^(\w+) +([-._~+/A-Za-z0-9]+=*)$/;

/** The parts of a client's initial response. */
export interface InitialResponse {
  authzid: string;
  token: string;
  extensions: Map<string, string>;
}

/** Parses the client's message; throws a SaslFailure with the generic message, as Kafka does. */
export function parseInitialResponse(bytes: Uint8Array): InitialResponse {
  const bad = (detail: string) => genericFailure(OAUTHBEARER, `invalid OAUTHBEARER client first message: ${detail}`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw bad("not UTF-8");
  }
  const gs2 = /^n,(?:a=([^,]+))?,/.exec(text);
  if (!gs2) throw bad("no GS2 header n,[a=<authzid>],");
  const rest = text.slice(gs2[0].length);
  // \x01 after the header, the pairs each followed by \x01, and one more \x01 at the end.
  if (!rest.startsWith(SEP) || !rest.endsWith(SEP + SEP)) throw bad("the key=value pairs are not \\x01-delimited");
  const pairs = rest.slice(1, -2).split(SEP);
  let auth: string | undefined;
  const extensions = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const [key, value] = eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
    if (!KEY.test(key) || !VALUE.test(value)) throw bad(`malformed key=value pair ${JSON.stringify(pair)}`);
    if (key === "auth") auth = value;
    else extensions.set(key, value);
  }
  if (auth === undefined) throw bad("no auth=Bearer <token>");
  const parts = AUTH.exec(auth);
  if (!parts) throw bad("the auth value is not <scheme> <token>");
  if (parts[1].toLowerCase() !== "bearer") {
    // The reference Kafka drops the connection without an answer here.
    throw new SaslFailure("", `the auth scheme is ${parts[1]}, not Bearer`, false);
  }
  return { authzid: gs2[1] ?? "", token: parts[2], extensions };
}

export class OAuthBearerServer implements SaslServer {
  readonly mechanism = OAUTHBEARER;
  complete = false;
  user = "";
  /** The token's remaining lifetime at authentication, in ms (from its exp). */
  credentialLifetimeMs: number | undefined;
  /** The extensions the client sent (all accepted, as Kafka's default validators do). */
  extensions = new Map<string, string>();
  /** The JSON error challenge sent last; the client's \x01 then fails with it. */
  private errorChallenge: string | null = null;
  /** Why the validator refused the token, for the broker's log only. */
  private refusal = "";
  private readonly validator: TokenValidator;

  constructor(settings: OAuthBearerSettings, private readonly now: () => number = Date.now) {
    this.validator = makeValidator(settings);
  }

  evaluate(token: Uint8Array): Uint8Array {
    if (this.errorChallenge !== null && token.length === 1 && token[0] === 1) {
      throw new SaslFailure(this.errorChallenge, this.refusal);
    }
    this.errorChallenge = null;
    const message = parseInitialResponse(token);
    const now = this.now();
    const verdict = this.validator(message.token, now);
    if (!verdict.ok) {
      const json = verdict.scope === undefined
        ? `{"status":"${verdict.status}"}`
        : `{"status":"${verdict.status}", "scope":${JSON.stringify(verdict.scope)}}`;
      this.errorChallenge = json;
      this.refusal = verdict.detail;
      return new TextEncoder().encode(json);
    }
    if (message.authzid !== "" && message.authzid !== verdict.principal) {
      throw saslFailure(
        `Authentication failed: Client requested an authorization id (${message.authzid}) that is different from ` +
          `the token's principal name (${verdict.principal})`,
      );
    }
    this.user = verdict.principal;
    this.extensions = message.extensions;
    // At least 1 ms: a token already past its exp (within the clock skew) still ends its session.
    this.credentialLifetimeMs = Math.max(1, verdict.expiresAtMs - now);
    this.complete = true;
    return new Uint8Array(0);
  }
}
