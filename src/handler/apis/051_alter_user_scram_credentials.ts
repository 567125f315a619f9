/**
 * AlterUserScramCredentials (key 51), v0: create, replace or delete users'
 * SCRAM credentials. Clients send the salted password (PBKDF2 output), salt
 * and iteration count, never the password; the controller
 * (src/supervisor/scram_store.ts) keeps StoredKey and ServerKey derived from them,
 * and the processors can check logins with the new credential at once.
 * Answers one result per user named, with Kafka's errors: DUPLICATE_RESOURCE
 * (the user twice in one request), UNSUPPORTED_SASL_MECHANISM,
 * UNACCEPTABLE_CREDENTIAL (empty user, iterations outside 4096..16384),
 * RESOURCE_NOT_FOUND (deleting a credential that does not exist). v0 is
 * flexible.
 */
import { defineApi } from "./api.ts";
import {
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
  decodeAlterUserScramCredentialsRequest,
  encodeAlterUserScramCredentialsResponse,
} from "../../protocol/generated/alter_user_scram_credentials.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const alterUserScramCredentialsHandler = defineApi<
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse
>({
  apiKey: 51,
  name: "AlterUserScramCredentials",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeAlterUserScramCredentialsRequest,
  encodeResponse: encodeAlterUserScramCredentialsResponse,
  async handle(request, ctx) {
    requireCluster(ctx);
    const { result } = await ctx.broker.controller.call({
      op: "scram",
      request: { kind: "alter", deletions: request.deletions, upsertions: request.upsertions },
    });
    if (result.kind !== "alter") throw new Error("the controller answered an alter with a describe result");
    return { throttleTimeMs: 0, results: result.results };
  },
  errorResponse(request, _ctx, errorCode) {
    const users = new Set([...request.deletions, ...request.upsertions].map((c) => c.name));
    return { throttleTimeMs: 0, results: [...users].map((user) => ({ user, errorCode, errorMessage: null })) };
  },
});
