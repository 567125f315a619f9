/**
 * SaslAuthenticate (key 36), v0–v2: carries one SASL token each way. On a
 * SASL listener, before authentication, the processor answers it itself
 * (network/sasl/authenticator.ts): the mechanism's challenge, or
 * SASL_AUTHENTICATION_FAILED with the mechanism's message, after which the
 * connection closes. What reaches this handler is a SaslAuthenticate on a
 * PLAINTEXT listener or on an already authenticated connection, which
 * Kafka's KafkaApis answers ILLEGAL_SASL_STATE, "SaslAuthenticate request
 * received after successful authentication"; so does tsbroker.
 * Versions: v1 adds session_lifetime_ms (connections.max.reauth.ms; 0 while
 * re-authentication is not served); v2 is flexible.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeSaslAuthenticateRequest,
  encodeSaslAuthenticateResponse,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from "../../protocol/generated/sasl_authenticate.ts";

export const saslAuthenticateHandler = defineApi<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: 36,
  name: "SaslAuthenticate",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeSaslAuthenticateRequest,
  encodeResponse: encodeSaslAuthenticateResponse,
  handle() {
    return failed(ErrorCode.ILLEGAL_SASL_STATE, "SaslAuthenticate request received after successful authentication");
  },
  errorResponse(_request, _ctx, errorCode) {
    return failed(errorCode, null);
  },
});

function failed(errorCode: number, errorMessage: string | null): SaslAuthenticateResponse {
  return { errorCode, errorMessage, authBytes: new Uint8Array(0), sessionLifetimeMs: 0n };
}
