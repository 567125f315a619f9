/**
 * What every server-side SASL mechanism offers the authenticator
 * (authenticator.ts): evaluate the client's tokens one at a time, answer
 * with a challenge, and say when it is done and who the client is.
 *
 * Failures carry the message the client is sent. Kafka distinguishes two
 * kinds: an AuthenticationException's own message reaches the client ("Invalid
 * username or password"), while any other SaslException is answered with one
 * generic sentence naming the mechanism, so that a malformed message does not
 * tell an attacker which check failed. `saslFailure` and `genericFailure`
 * build the two; `detail` is for the broker's own log only.
 */

export { OAUTHBEARER, PLAIN, SCRAM_SHA_256, SCRAM_SHA_512, SERVED_MECHANISMS } from "../../config/sasl_settings.ts";

export interface SaslServer {
  readonly mechanism: string;
  /** Takes the client's next token; returns the challenge to send back (possibly empty). Throws SaslFailure. */
  evaluate(token: Uint8Array): Uint8Array;
  /** True once the exchange succeeded; `user` is then the authenticated user name. */
  readonly complete: boolean;
  readonly user: string;
  /** Once complete, how long the credential stays valid (an OAUTHBEARER token's exp), in ms; undefined = no end. */
  readonly credentialLifetimeMs?: number;
}

export class SaslFailure extends Error {
  constructor(
    message: string,
    readonly detail: string = message,
    /** False when Kafka closes the connection without answering (an exception other than a SaslException). */
    readonly answered = true,
  ) {
    super(message);
  }
}

/** A failure whose message the client sees as is (Kafka's SaslAuthenticationException). */
export function saslFailure(message: string): SaslFailure {
  return new SaslFailure(message);
}

/** A failure the client only learns the mechanism of (Kafka's answer to a plain SaslException). */
export function genericFailure(mechanism: string, detail: string): SaslFailure {
  return new SaslFailure(
    `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`,
    detail,
  );
}
