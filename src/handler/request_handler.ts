/**
 * Turns one request frame into one response frame, with no I/O: the handler
 * Worker feeds it frames from the RequestChannel, and tests feed it bytes
 * directly (the in-memory transport).
 *
 * Steps: find the handler by API key, check the version, read the request
 * header (v1, or v2 for flexible versions), decode, handle, and encode the
 * response with its header (v0, or v1 for flexible versions; ApiVersions
 * always v0). Like Kafka, bytes left after the body are ignored. An ApiVersions
 * request above the highest version gets the v0-format UNSUPPORTED_VERSION
 * answer. A request that cannot be decoded closes the connection, as Kafka
 * does; a handler failure, or a response that cannot be encoded, answers
 * with the API's UNKNOWN_SERVER_ERROR response. A request closes the
 * connection too when it has more list entries than
 * tsbroker.request.max.list.entries: an
 * entry decodes into an object costing far more memory and time than its
 * few bytes, so the reader stops counting at the limit instead of building
 * millions of them (a 99 MiB Metadata request names 52 million topics).
 */
import type { ApiHandler, RequestContext } from "./apis/api.ts";
import { ApiError, CloseConnection, NO_RESPONSE } from "./apis/api.ts";
import { apiVersionsResponse } from "./apis/018_api_versions.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { Reader } from "../protocol/io/reader.ts";
import { Writer } from "../protocol/io/writer.ts";
import { encodeApiVersionsResponse } from "../protocol/generated/api_versions.ts";
import { readRequestHeader, writeResponseHeader } from "../protocol/api_headers.ts";
import type { BrokerState } from "./services/broker_state.ts";
import type { Logger } from "../util/logger.ts";
import type { ClientQuotas, RequestQuotas } from "./services/client_quotas.ts";
import type { ProduceRequest } from "../protocol/generated/produce.ts";
import type { FetchRequest } from "../protocol/generated/fetch.ts";

const API_VERSIONS_KEY = 18;

export interface RequestMeta {
  listenerIndex: number;
  principal: string;
  clientAddress: string;
  /** Lets the connection's next request go ahead before this one answers (see RequestContext.release). */
  release?: () => void;
}

/** `throttleMs`: over a client quota, how long the processor must then read nothing more from the connection. */
export type HandledRequest =
  /** `more`: further chunks of the same frame, to be written after `bytes` (chunked responses). */
  | { action: "send"; bytes: Uint8Array; more?: Uint8Array[]; error: number; throttleMs?: number }
  | { action: "none"; error: number; throttleMs?: number }
  | { action: "close"; reason: string };

/** A decoded request and the handler it goes to. */
interface ParsedRequest {
  // deno-lint-ignore no-explicit-any
  handler: ApiHandler<any, any>;
  ctx: RequestContext;
  request: unknown;
}

export class RequestHandler {
  constructor(
    // deno-lint-ignore no-explicit-any
    private readonly table: Map<number, ApiHandler<any, any>>,
    private readonly broker: () => BrokerState,
    private readonly log: Logger,
    /** Let APIs that allow it send large byte fields as separate chunks (see ApiHandler.externalizeBytesFrom). */
    private readonly chunked = false,
    /** Client quotas (byte rates, request time, controller mutations); absent: none are enforced. */
    private readonly quotas?: ClientQuotas,
  ) {}

  async handle(frame: Uint8Array, meta: RequestMeta): Promise<HandledRequest> {
    // With no quota set anywhere (the common case) nothing is timed or counted: one property check.
    const counted = this.quotas !== undefined && (this.broker().metadata.image.quotas?.length ?? 0) > 0;
    const started = counted ? performance.now() : 0;
    const parsed = this.parse(frame, meta);
    if ("action" in parsed) return parsed;
    const { handler, ctx, request } = parsed;
    const quotas = counted ? this.requestQuotas(ctx, request, performance.now() - started) : null;
    // A Produce's bytes are known before it runs: when they take the client over its quota, the request may
    // not release its connection early (a durable produce would let the next one in before the throttle).
    const bandwidthMs = quotas !== null && ctx.apiKey === 0 ? quotas.bytes(frame.byteLength) : 0;
    if (bandwidthMs > 0) ctx.release = undefined;
    const { response, failed } = await this.run(handler, request, ctx, quotas);
    if (response instanceof CloseConnection) return { action: "close", reason: response.reason };
    // No answer (acks=0): exempt from the request quota, as in Kafka, but still held for its bytes.
    if (response === NO_RESPONSE) return { action: "none", error: failed, throttleMs: bandwidthMs };
    return this.respond(handler, request, ctx, response, failed, quotas);
  }

  /** This request's quota accounting, with the time its decoding took; exempt requests as Kafka's. */
  private requestQuotas(ctx: RequestContext, request: unknown, decodeMs: number): RequestQuotas | null {
    const quotas = this.quotas!.forRequest(ctx.broker.metadata, ctx.apiKey, ctx.principal, ctx.clientId);
    if (quotas === null) return null;
    ctx.quotas = quotas;
    if (exemptFromRequestQuota(ctx, request)) quotas.exempt = true;
    if (quotas.timed) quotas.addTime(decodeMs);
    return quotas;
  }

  /** Finds the handler, checks the version, reads the header and decodes the body; or says how to answer. */
  private parse(frame: Uint8Array, meta: RequestMeta): ParsedRequest | HandledRequest {
    if (frame.byteLength < 8) return { action: "close", reason: "request too short for a header" };
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const apiKey = view.getInt16(0);
    const apiVersion = view.getInt16(2);
    const handler = this.table.get(apiKey);
    if (!handler) return { action: "close", reason: `unknown API key ${apiKey}` };
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS_KEY) return this.unsupportedApiVersions(view.getInt32(4));
      return { action: "close", reason: `unsupported version ${apiVersion} of ${handler.name}` };
    }
    const reader = new Reader(frame);
    const maxEntries = this.broker().config["tsbroker.request.max.list.entries"];
    reader.listEntriesLeft = maxEntries;
    try {
      const header = readRequestHeader(reader);
      const ctx: RequestContext = {
        apiKey,
        apiVersion,
        correlationId: header.correlationId,
        clientId: header.clientId,
        ...metaContext(meta),
        broker: this.broker(),
      };
      return { handler, ctx, request: handler.decodeRequest(reader, apiVersion) };
    } catch (e) {
      if (reader.listEntriesLeft < 0) {
        return {
          action: "close",
          reason:
            `${handler.name} request has more than ${maxEntries} list entries (tsbroker.request.max.list.entries)`,
        };
      }
      return { action: "close", reason: `malformed request: ${e instanceof Error ? e.message : e}` };
    }
  }

  /** Runs the handler; a failure becomes the API's error response (`failed` 1). */
  private async run(
    // deno-lint-ignore no-explicit-any
    handler: ApiHandler<any, any>,
    request: unknown,
    ctx: RequestContext,
    quotas: RequestQuotas | null,
  ): Promise<{ response: unknown; failed: number }> {
    try {
      // Handler time is its run up to its first await: what follows a wait is not timed (see client_quotas.ts).
      const started = quotas?.timed ? performance.now() : 0;
      const pending = handler.handle(request, ctx);
      if (quotas?.timed) quotas.addTime(performance.now() - started);
      return { response: await pending, failed: 0 };
    } catch (e) {
      if (e instanceof ApiError) return { response: handler.errorResponse(request, ctx, e.errorCode), failed: 1 };
      this.log.error(
        `${handler.name} v${ctx.apiVersion} from ${ctx.clientAddress} failed: ${e instanceof Error ? e.stack : e}`,
      );
      return { response: handler.errorResponse(request, ctx, ErrorCode.UNKNOWN_SERVER_ERROR), failed: 1 };
    }
  }

  /** Applies the throttle time to the answer and encodes it. */
  private respond(
    // deno-lint-ignore no-explicit-any
    handler: ApiHandler<any, any>,
    request: unknown,
    ctx: RequestContext,
    response: unknown,
    failed: number,
    quotas: RequestQuotas | null,
  ): HandledRequest {
    const started = quotas?.timed ? performance.now() : 0;
    const throttleMs = quotas?.finish() ?? 0;
    const body = response as { throttleTimeMs?: unknown };
    if (throttleMs > 0 && typeof body.throttleTimeMs === "number") {
      body.throttleTimeMs = Math.max(body.throttleTimeMs, throttleMs);
    }
    try {
      const answer = this.encodeAnswer(handler, ctx, response, failed || hasTopLevelError(response));
      if (throttleMs > 0 && answer.action === "send") answer.throttleMs = throttleMs;
      if (quotas?.timed) quotas.addLateTime(performance.now() - started);
      return answer;
    } catch (e) {
      // A response the codec cannot encode is a broker bug; it must cost this
      // request only, never the Worker (and with it the broker). Kafka answers
      // UNKNOWN_SERVER_ERROR for unexpected failures; if even that cannot be
      // encoded, the connection is closed.
      this.log.limited(
        "error",
        `encode ${handler.name}`,
        `${handler.name} v${ctx.apiVersion} response could not be encoded: ${e instanceof Error ? e.stack : e}`,
      );
      try {
        return this.encodeAnswer(handler, ctx, handler.errorResponse(request, ctx, ErrorCode.UNKNOWN_SERVER_ERROR), 1);
      } catch {
        return { action: "close", reason: `${handler.name} v${ctx.apiVersion} response could not be encoded` };
      }
    }
  }

  private encodeAnswer(
    // deno-lint-ignore no-explicit-any
    handler: ApiHandler<any, any>,
    ctx: RequestContext,
    response: unknown,
    error: number,
  ): HandledRequest {
    if (this.chunked && handler.externalizeBytesFrom !== undefined) {
      const [bytes, ...more] = this.encodeChunks(handler, handler.externalizeBytesFrom, ctx, response);
      return { action: "send", bytes, more, error };
    }
    return { action: "send", bytes: this.encode(handler, ctx, response), error };
  }

  // deno-lint-ignore no-explicit-any
  private encode(handler: ApiHandler<any, any>, ctx: RequestContext, response: unknown): Uint8Array {
    const writer = new Writer(handler.responseSizeHint ? handler.responseSizeHint(response) + 256 : 256);
    writer.reserveSizePrefix();
    writeResponseHeader(writer, ctx.apiKey, ctx.apiVersion, ctx.correlationId);
    handler.encodeResponse(writer, ctx.apiVersion, response);
    return writer.finishWithSizePrefix();
  }

  private encodeChunks(
    // deno-lint-ignore no-explicit-any
    handler: ApiHandler<any, any>,
    minBytes: number,
    ctx: RequestContext,
    response: unknown,
  ): Uint8Array[] {
    // The buffer only holds what is not externalized: headers and small record sets.
    const hint = handler.responseSizeHint ? handler.responseSizeHint(response) : 0;
    const writer = new Writer(Math.min(hint + 256, 64 * 1024));
    writer.reserveSizePrefix();
    writer.externalizeFrom(minBytes);
    writeResponseHeader(writer, ctx.apiKey, ctx.apiVersion, ctx.correlationId);
    handler.encodeResponse(writer, ctx.apiVersion, response);
    return writer.finishChunksWithSizePrefix();
  }

  private unsupportedApiVersions(correlationId: number): HandledRequest {
    const writer = new Writer(256);
    writer.reserveSizePrefix();
    writer.writeInt32(correlationId);
    encodeApiVersionsResponse(writer, 0, apiVersionsResponse(this.broker().apiVersions, ErrorCode.UNSUPPORTED_VERSION));
    return { action: "send", bytes: writer.finishWithSizePrefix(), error: 1 };
  }
}

function metaContext(meta: RequestMeta) {
  return {
    listenerIndex: meta.listenerIndex,
    principal: meta.principal,
    clientAddress: meta.clientAddress,
    release: meta.release,
  };
}

/** Kafka's exemptions known only from the request: acks=0 (no answer) and a follower's fetch (a cluster action). */
function exemptFromRequestQuota(ctx: RequestContext, request: unknown): boolean {
  if (ctx.apiKey === 0) return (request as ProduceRequest).acks === 0;
  if (ctx.apiKey !== 1) return false;
  const fetch = request as FetchRequest;
  return (ctx.apiVersion >= 15 ? fetch.replicaState.replicaId : fetch.replicaId) >= 0;
}

function hasTopLevelError(response: unknown): number {
  const code = (response as { errorCode?: unknown }).errorCode;
  return typeof code === "number" && code !== 0 ? 1 : 0;
}
