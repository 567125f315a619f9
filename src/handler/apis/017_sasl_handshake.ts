/**
 * SaslHandshake (key 17), v0–v1: a client names the SASL mechanism it
 * wants. On a SASL listener, before authentication, the processor answers
 * it itself (network/sasl/authenticator.ts: the enabled list, and
 * UNSUPPORTED_SASL_MECHANISM for any other mechanism); it never reaches a
 * handler then. What reaches this handler is a handshake on a PLAINTEXT
 * listener or on an already authenticated connection, which Kafka's KafkaApis
 * answers ILLEGAL_SASL_STATE with an empty mechanism list; so does tsbroker
 * (re-authentication, KIP-368, is not served yet).
 * Versions: v1 means SaslAuthenticate requests carry the tokens; v0 means
 * they follow unframed.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeSaslHandshakeRequest,
  encodeSaslHandshakeResponse,
  type SaslHandshakeRequest,
  type SaslHandshakeResponse,
} from "../../protocol/generated/sasl_handshake.ts";

export const saslHandshakeHandler = defineApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: 17,
  name: "SaslHandshake",
  minVersion: 0,
  maxVersion: 1,
  decodeRequest: decodeSaslHandshakeRequest,
  encodeResponse: encodeSaslHandshakeResponse,
  handle() {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { errorCode, mechanisms: [] };
  },
});
