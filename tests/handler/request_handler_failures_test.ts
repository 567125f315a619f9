/**
 * A response the codec cannot encode (a broker bug) costs that one request:
 * the client gets the API's UNKNOWN_SERVER_ERROR answer, or its connection
 * is closed when even that cannot be encoded; the Worker never throws.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { defineApi } from "../../src/handler/apis/api.ts";
import { RequestHandler } from "../../src/handler/request_handler.ts";
import type { BrokerState } from "../../src/handler/services/broker_state.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Logger } from "../../src/util/logger.ts";

interface Answer {
  errorCode: number;
}

function handlerFailingToEncode(failErrorsToo: boolean) {
  return defineApi<Record<string, never>, Answer>({
    apiKey: 3,
    name: "Fake",
    minVersion: 0,
    maxVersion: 0,
    decodeRequest: () => ({}),
    encodeResponse(writer, _version, response) {
      if (response.errorCode === ErrorCode.NONE || failErrorsToo) throw new TypeError("field x is undefined");
      writer.writeInt16(response.errorCode);
    },
    handle: () => ({ errorCode: ErrorCode.NONE }),
    errorResponse: (_request, _ctx, errorCode) => ({ errorCode }),
  });
}

function run(failErrorsToo: boolean) {
  const state = { config: loadConfig() } as unknown as BrokerState;
  const table = new Map([[3, handlerFailingToEncode(failErrorsToo)]]);
  const handler = new RequestHandler(table, () => state, new Logger("test"));
  // Header v1: key 3, version 0, correlation id 42, null client id; no body.
  const frame = new Uint8Array([0, 3, 0, 0, 0, 0, 0, 42, 0xff, 0xff]);
  return handler.handle(frame, { listenerIndex: 0, principal: "User:ANONYMOUS", clientAddress: "127.0.0.1:1" });
}

test("a response that cannot be encoded is answered with UNKNOWN_SERVER_ERROR", async () => {
  const result = await run(false);
  assert.equal(result.action, "send");
  if (result.action !== "send") return;
  const view = new DataView(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
  assert.equal(view.getInt32(4), 42, "correlation id");
  assert.equal(view.getInt16(8), ErrorCode.UNKNOWN_SERVER_ERROR);
  assert.equal(result.error, 1);
});

test("when even the error response cannot be encoded, only the connection is closed", async () => {
  const result = await run(true);
  assert.deepEqual(result, { action: "close", reason: "Fake v0 response could not be encoded" });
});
