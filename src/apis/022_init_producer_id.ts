/**
 * InitProducerId (key 22), v0–v5, for idempotent producers.
 *
 * Without a transactional id Kafka hands out a fresh producer id with epoch
 * 0 every time, whatever id and epoch a v3+ client passes (KIP-360's epoch
 * bump applies to transactional producers only); passing exactly one of
 * them as -1 is INVALID_REQUEST. Ids come from blocks the controller
 * persists, so they never repeat across restarts. Transactional ids are not
 * served until transactions exist: they get
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a fatal error, rather than a
 * retriable one a client would spin on.
 *
 * Versions: v2 is flexible, v3 adds producerId/producerEpoch in the
 * request, v4 and v5 change only error handling on the client side.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../protocol/errors.ts";
import {
  decodeInitProducerIdRequest,
  encodeInitProducerIdResponse,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from "../protocol/generated/init_producer_id.ts";

export const initProducerIdHandler = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeInitProducerIdRequest,
  encodeResponse: encodeInitProducerIdResponse,
  async handle(request, ctx) {
    if (request.transactionalId !== null) return refused(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if ((request.producerId === -1n) !== (request.producerEpoch === -1)) return refused(ErrorCode.INVALID_REQUEST);
    const producerId = await ctx.broker.producerIds.next();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
  errorResponse: (_request, _ctx, errorCode) => refused(errorCode),
});

function refused(errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
}
