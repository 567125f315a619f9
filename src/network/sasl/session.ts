/**
 * A SASL listener connection's authentication over its whole life: the
 * first authentication, then (KIP-368) the session's expiry and
 * re-authentication.
 *
 * With `connections.max.reauth.ms` > 0, SaslAuthenticate v1+ tells the
 * client its session lifetime; a SaslHandshake on the authenticated
 * connection then starts a re-authentication (even after expiry, as Kafka's
 * SocketServer allows), which must use the same mechanism and end as the
 * same principal ("Cannot change principals during re-authentication ..."),
 * and any other request after
 * the session expired closes the connection (Kafka's expired-connection
 * kill; clients that cannot re-authenticate simply reconnect). With 0,
 * sessions never expire and a SaslHandshake on an authenticated connection
 * goes to the handlers, which answer ILLEGAL_SASL_STATE, as Kafka does.
 */
import { type GateVerdict, SASL_HANDSHAKE_KEY, SaslAuthenticator, type SaslListenerSettings } from "./authenticator.ts";
import type { ScramLookup } from "./scram.ts";

export class SaslSession {
  private auth: SaslAuthenticator | null;
  /** "User:<name>" once authenticated. */
  principal: string | null = null;
  /** When the session expires (performance.now() time); Infinity without connections.max.reauth.ms. */
  private expiresAt = Infinity;
  /** The mechanism of the last authentication, which a re-authentication must keep. */
  private mechanism = "";
  /** Why the connection is closed or failed, for the log. */
  failure = "";

  constructor(
    private readonly settings: SaslListenerSettings,
    private readonly plainUsers: ReadonlyMap<string, string>,
    private readonly scram: ScramLookup,
    private readonly apiVersionsServed: (version: number) => boolean,
  ) {
    this.auth = new SaslAuthenticator(settings, plainUsers, scram, apiVersionsServed);
  }

  get authenticated(): boolean {
    return this.principal !== null;
  }

  /** What to do with one complete frame (without its size prefix), received at `now` (ms). */
  onFrame(frame: Uint8Array, now: number): GateVerdict {
    if (this.auth === null) {
      const apiKey = frame.length >= 2 ? (frame[0] << 8) | frame[1] : -1;
      if (apiKey === SASL_HANDSHAKE_KEY && (this.settings.sessionLifetimeMs > 0 || this.expiresAt < Infinity)) {
        this.auth = new SaslAuthenticator(
          this.settings,
          this.plainUsers,
          this.scram,
          this.apiVersionsServed,
          { principal: this.principal!, mechanism: this.mechanism },
        );
      } else if (now > this.expiresAt) {
        this.failure = `SASL session of ${this.principal} expired ${Math.round(now - this.expiresAt)} ms ago ` +
          `without re-authentication (connections.max.reauth.ms=${this.settings.sessionLifetimeMs})`;
        return { kind: "close", reason: this.failure };
      } else {
        return { kind: "dispatch" };
      }
    }
    const auth = this.auth;
    const verdict = auth.onFrame(frame);
    if (verdict.kind === "close" || (verdict.kind === "answer" && verdict.close)) this.failure = auth.failure;
    if (auth.authenticated) {
      this.principal = auth.principal;
      this.mechanism = auth.mechanism;
      this.auth = null;
      // The authenticator's lifetime also counts an OAUTHBEARER token's exp (0 = the session does not expire).
      this.expiresAt = auth.sessionLifetimeMs > 0 ? now + auth.sessionLifetimeMs : Infinity;
    }
    return verdict;
  }
}
