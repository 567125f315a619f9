/**
 * The shape of one API handler file, and the context each request gets.
 * Handler files stay thin: they translate between the wire messages and the
 * broker's domain modules, and say which versions they serve.
 */
import type { Reader } from "../../protocol/io/reader.ts";
import type { Writer } from "../../protocol/io/writer.ts";
import type { BrokerState } from "../services/broker_state.ts";
import type { RequestQuotas } from "../services/client_quotas.ts";

/** Returned by a handler when Kafka sends no response (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol("no response");
export type NoResponse = typeof NO_RESPONSE;

/**
 * Returned to close the connection without answering, as Kafka does when a
 * Produce with acks=0 fails (the client gets no response to learn from).
 */
export class CloseConnection {
  constructor(readonly reason: string) {}
}

export { ApiError } from "../../protocol/api_error.ts";

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Index into the configured listeners. */
  listenerIndex: number;
  principal: string;
  /** "ip:port" */
  clientAddress: string;
  broker: BrokerState;
  /**
   * Call once the request's effects are complete and only its answer waits
   * (a durable produce waiting for fdatasync): the connection's next request
   * may then run, and answers still leave in request order. Absent where
   * nothing can go ahead (in-process callers); calling it twice is harmless.
   */
  release?: () => void;
  /**
   * This request's client quotas (src/handler/services/client_quotas.ts), present when some quota is set: Fetch
   * decides its throttle with it before answering, the topic admin APIs count partition mutations.
   */
  quotas?: RequestQuotas;
}

export interface ApiHandler<Req = unknown, Res = unknown> {
  apiKey: number;
  name: string;
  /** The versions this broker advertises and fully implements. */
  minVersion: number;
  maxVersion: number;
  decodeRequest(reader: Reader, version: number): Req;
  encodeResponse(writer: Writer, version: number, response: Res): void;
  handle(
    request: Req,
    ctx: RequestContext,
  ): Res | NoResponse | CloseConnection | Promise<Res | NoResponse | CloseConnection>;
  /**
   * Kafka's `getErrorResponse`: the answer to `request` when handling it
   * failed with `errorCode`, every partition/topic carrying the error.
   */
  errorResponse(request: Req, ctx: RequestContext, errorCode: number): Res;
  /** Bytes the encoded response will about take, when large (Fetch): saves regrowing the buffer. */
  responseSizeHint?(response: Res): number;
  /**
   * Byte fields at least this long are sent by reference instead of being
   * copied into the response buffer (handler Workers only). Only for APIs
   * whose large byte fields belong to the response alone (Fetch: records
   * freshly read for it), since they are transferred to the processor.
   */
  externalizeBytesFrom?: number;
}

/** Identity helper that keeps each handler file's types checked. */
export function defineApi<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler<Req, Res> {
  return handler;
}
