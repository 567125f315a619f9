/**
 * One connection's SASL authentication on a SASL listener, sans-IO: Kafka's
 * SaslServerAuthenticator. The processor feeds it each complete frame until
 * it reports the connection authenticated, and does what it answers:
 * dispatch the frame to the handlers as usual, write an answer it built, or
 * close the connection.
 *
 * The flow (Kafka's states in brackets):
 * - [HANDSHAKE_OR_VERSIONS_REQUEST] ApiVersions goes to the handlers (once:
 *   another after a supported one closes, as in Kafka; one with a version
 *   too new is answered UNSUPPORTED_VERSION and may be retried);
 * - [HANDSHAKE_REQUEST] SaslHandshake v0–1 picks a mechanism. An enabled one
 *   is answered NONE with the enabled list; any other is answered
 *   UNSUPPORTED_SASL_MECHANISM with that list, and the connection closes;
 * - [AUTHENTICATE] after a v1 handshake, SaslAuthenticate v0–2 requests carry
 *   the tokens; after a v0 handshake (clients older than Kafka 1.0) the tokens
 *   come unframed, each a 4-byte length and its bytes, and are answered so;
 * - [COMPLETE] the connection is authenticated as "User:<name>"; every frame
 *   from now on goes to the handlers (which answer a second SaslHandshake or
 *   SaslAuthenticate with ILLEGAL_SASL_STATE, as Kafka's KafkaApis does).
 * A failed exchange is answered SASL_AUTHENTICATION_FAILED with the
 * mechanism's message and the connection closes after that answer (v0
 * handshake: closed without answer). A second SaslHandshake is answered
 * ILLEGAL_SASL_STATE and closes. Any other request before authentication
 * closes the connection: Kafka's "Unexpected Kafka request of type X during
 * SASL handshake". (Kafka answers such a request in the AUTHENTICATE state
 * with that API's error response before closing; tsbroker closes without
 * one.) Each of these was checked against the reference Kafka 4.4 with a
 * SASL_PLAINTEXT listener; Kafka lists the enabled mechanisms in set order
 * (PLAIN, SCRAM-SHA-512, SCRAM-SHA-256), tsbroker in the configured order.
 */
import type { SaslListenerSettings } from "../../config/sasl_settings.ts";
import { Reader } from "../../protocol/io/reader.ts";
import { Writer } from "../../protocol/io/writer.ts";
import { readRequestHeader, writeResponseHeader } from "../../protocol/api_headers.ts";
import { apiKeyName } from "../../protocol/api_keys.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { decodeSaslHandshakeRequest, encodeSaslHandshakeResponse } from "../../protocol/generated/sasl_handshake.ts";
import {
  decodeSaslAuthenticateRequest,
  encodeSaslAuthenticateResponse,
  type SaslAuthenticateResponse,
} from "../../protocol/generated/sasl_authenticate.ts";
import { PLAIN, SaslFailure, type SaslServer } from "./mechanism.ts";
import { PlainServer } from "./plain.ts";
import { type ScramLookup, ScramServer } from "./scram.ts";
import { SCRAM_MECHANISMS } from "../../protocol/scram_formulas.ts";
import { OAUTHBEARER, OAuthBearerServer } from "./oauthbearer.ts";

export const API_VERSIONS_KEY = 18;
export const SASL_HANDSHAKE_KEY = 17;
export const SASL_AUTHENTICATE_KEY = 36;

export type { SaslListenerSettings };

export type GateVerdict =
  /** Hand the frame to the handlers as usual. */
  | { kind: "dispatch" }
  /** Write `bytes` (size-prefixed); then go on, or close once written. */
  | { kind: "answer"; bytes: Uint8Array; close: boolean; error: number; apiKey: number }
  /** Close without answering; `reason` is for the log. */
  | { kind: "close"; reason: string };

type State = "versions-or-handshake" | "handshake" | "authenticate" | "authenticate-raw" | "complete" | "failed";

export class SaslAuthenticator {
  private state: State = "versions-or-handshake";
  private server: SaslServer | null = null;
  /** Set once authenticated: "User:<name>". */
  principal: string | null = null;
  /** Why the last failure happened (for the log; the client only gets the mechanism's message). */
  failure = "";
  /**
   * Once authenticated, the session's lifetime in ms (0 = none), as Kafka computes it: the credential's own
   * lifetime (an OAUTHBEARER token's exp) capped by connections.max.reauth.ms, or either alone.
   */
  sessionLifetimeMs = 0;

  constructor(
    private readonly settings: SaslListenerSettings,
    private readonly plainUsers: ReadonlyMap<string, string>,
    private readonly scram: ScramLookup,
    /** Whether ApiVersions at this version is served (else the handler answers UNSUPPORTED_VERSION). */
    private readonly apiVersionsServed: (version: number) => boolean,
    /**
     * Re-authentication (KIP-368) of this principal with this mechanism: it starts at the handshake and must keep
     * both. Kafka answers a handshake for another mechanism, then closes at the next request without an answer.
     */
    private readonly reauthOf: { principal: string; mechanism: string } | null = null,
  ) {
    if (reauthOf !== null) this.state = "handshake";
  }

  /** The mechanism chosen in the handshake ("" before it). */
  get mechanism(): string {
    return this.server?.mechanism ?? "";
  }

  get authenticated(): boolean {
    return this.state === "complete";
  }

  /** Decide what to do with one complete frame (without its size prefix) received before authentication. */
  onFrame(frame: Uint8Array): GateVerdict {
    if (this.state === "authenticate-raw") return this.rawToken(frame);
    if (this.state === "failed") return { kind: "close", reason: this.failure };
    let header;
    const reader = new Reader(frame);
    try {
      header = readRequestHeader(reader);
    } catch (e) {
      return this.close(`unreadable request header during SASL authentication: ${String(e)}`);
    }
    const { requestApiKey: apiKey, requestApiVersion: version } = header;
    if (this.state === "versions-or-handshake" && apiKey === API_VERSIONS_KEY) {
      if (this.apiVersionsServed(version)) this.state = "handshake";
      return { kind: "dispatch" };
    }
    if ((this.state === "versions-or-handshake" || this.state === "handshake") && apiKey === SASL_HANDSHAKE_KEY) {
      return this.handshake(reader, version, header.correlationId);
    }
    if (this.state === "authenticate" && apiKey === SASL_AUTHENTICATE_KEY) {
      return this.authenticate(reader, version, header.correlationId);
    }
    if (this.state === "authenticate" && apiKey === SASL_HANDSHAKE_KEY && version >= 0 && version <= 1) {
      // A second handshake: Kafka answers ILLEGAL_SASL_STATE, then closes.
      this.state = "failed";
      this.failure = "a second SaslHandshake during SASL authentication";
      const w = frameWriter(SASL_HANDSHAKE_KEY, version, header.correlationId);
      encodeSaslHandshakeResponse(w, version, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
      return answer(w, SASL_HANDSHAKE_KEY, true);
    }
    const during = this.state === "authenticate" ? "authentication" : "handshake";
    return this.close(`Unexpected Kafka request of type ${apiKeyName(apiKey)} during SASL ${during}`);
  }

  private handshake(reader: Reader, version: number, correlationId: number): GateVerdict {
    if (version < 0 || version > 1) return this.close(`SaslHandshake v${version} is not supported`);
    let mechanism: string;
    try {
      mechanism = decodeSaslHandshakeRequest(reader, version).mechanism;
    } catch (e) {
      return this.close(`unreadable SaslHandshake request: ${String(e)}`);
    }
    const enabled = this.settings.mechanisms;
    const w = frameWriter(SASL_HANDSHAKE_KEY, version, correlationId);
    if (!enabled.includes(mechanism)) {
      this.state = "failed";
      this.failure = `unsupported SASL mechanism ${JSON.stringify(mechanism)} (enabled: ${enabled.join(", ")})`;
      encodeSaslHandshakeResponse(w, version, {
        errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        mechanisms: [...enabled],
      });
      return answer(w, SASL_HANDSHAKE_KEY, true);
    }
    this.server = mechanism === PLAIN
      ? new PlainServer(this.plainUsers)
      : SCRAM_MECHANISMS.includes(mechanism)
      ? new ScramServer(mechanism, this.scram)
      : mechanism === OAUTHBEARER && this.settings.oauthbearer
      ? new OAuthBearerServer(this.settings.oauthbearer)
      : null;
    if (!this.server) return this.close(`SASL mechanism ${mechanism} is enabled but not served`);
    this.state = version === 0 ? "authenticate-raw" : "authenticate";
    if (this.reauthOf !== null && mechanism !== this.reauthOf.mechanism) {
      this.state = "failed"; // the next frame closes the connection
      this.failure = `SASL mechanism ${mechanism} requested for re-authentication of ${this.reauthOf.mechanism}`;
    }
    encodeSaslHandshakeResponse(w, version, { errorCode: ErrorCode.NONE, mechanisms: [...enabled] });
    return answer(w, SASL_HANDSHAKE_KEY, false);
  }

  private authenticate(reader: Reader, version: number, correlationId: number): GateVerdict {
    if (version < 0 || version > 2) return this.close(`SaslAuthenticate v${version} is not supported`);
    let token: Uint8Array;
    try {
      token = decodeSaslAuthenticateRequest(reader, version).authBytes;
    } catch (e) {
      return this.close(`unreadable SaslAuthenticate request: ${String(e)}`);
    }
    const w = frameWriter(SASL_AUTHENTICATE_KEY, version, correlationId);
    const response: SaslAuthenticateResponse = {
      errorCode: ErrorCode.NONE,
      errorMessage: "", // as Kafka sends it on success
      authBytes: new Uint8Array(0),
      sessionLifetimeMs: 0n,
    };
    const outcome = this.evaluate(token);
    if (outcome instanceof SaslFailure && !outcome.answered) return this.close(this.failure);
    if (outcome instanceof SaslFailure) {
      response.errorCode = ErrorCode.SASL_AUTHENTICATION_FAILED;
      response.errorMessage = outcome.message;
      encodeSaslAuthenticateResponse(w, version, response);
      return answer(w, SASL_AUTHENTICATE_KEY, true);
    }
    response.authBytes = outcome;
    if (this.authenticated) response.sessionLifetimeMs = BigInt(this.sessionLifetimeMs);
    encodeSaslAuthenticateResponse(w, version, response);
    return answer(w, SASL_AUTHENTICATE_KEY, false);
  }

  /** After a v0 handshake: the frame is the token itself, and so is the answer. */
  private rawToken(token: Uint8Array): GateVerdict {
    const outcome = this.evaluate(token);
    if (outcome instanceof SaslFailure) return this.close(`SASL authentication failed: ${outcome.detail}`);
    const bytes = new Uint8Array(4 + outcome.length);
    new DataView(bytes.buffer).setInt32(0, outcome.length);
    bytes.set(outcome, 4);
    return { kind: "answer", bytes, close: false, error: 0, apiKey: SASL_AUTHENTICATE_KEY };
  }

  private evaluate(token: Uint8Array): Uint8Array | SaslFailure {
    const server = this.server!;
    try {
      const challenge = server.evaluate(token);
      if (server.complete) {
        const principal = `User:${server.user}`;
        if (this.reauthOf !== null && principal !== this.reauthOf.principal) {
          this.state = "failed";
          // Kafka's wording, principals written as type.name.
          const [from, to] = [this.reauthOf.principal, principal].map((p) => p.replace(":", "."));
          const message = `Cannot change principals during re-authentication from ${from}: ${to}`;
          this.failure = message;
          return new SaslFailure(message);
        }
        this.state = "complete";
        this.principal = principal;
        this.sessionLifetimeMs = lifetime(this.settings.sessionLifetimeMs, server.credentialLifetimeMs);
      }
      return challenge;
    } catch (e) {
      if (!(e instanceof SaslFailure)) throw e;
      this.state = "failed";
      this.failure = `SASL ${server.mechanism} authentication failed: ${e.detail}`;
      return e;
    }
  }

  private close(reason: string): GateVerdict {
    this.state = "failed";
    this.failure = reason;
    return { kind: "close", reason };
  }
}

function lifetime(maxReauthMs: number, credentialMs: number | undefined): number {
  if (credentialMs === undefined) return maxReauthMs;
  return maxReauthMs > 0 ? Math.min(credentialMs, maxReauthMs) : credentialMs;
}

function frameWriter(apiKey: number, version: number, correlationId: number): Writer {
  const w = new Writer(256);
  w.reserveSizePrefix();
  writeResponseHeader(w, apiKey, version, correlationId);
  return w;
}

function answer(w: Writer, apiKey: number, close: boolean): GateVerdict {
  return { kind: "answer", bytes: w.finishWithSizePrefix().slice(), close, error: close ? 1 : 0, apiKey };
}
