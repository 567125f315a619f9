/**
 * DescribeUserScramCredentials (key 50), v0: which SCRAM mechanisms each
 * user has credentials for, and their iteration counts (never salts or
 * keys). No users (null or empty) means every user with a credential; a
 * user without any is RESOURCE_NOT_FOUND, a user named twice
 * DUPLICATE_RESOURCE, as in Kafka. The credentials live with the controller
 * (src/supervisor/scram_store.ts). v0 is flexible.
 */
import { defineApi } from "./api.ts";
import {
  decodeDescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponse,
  encodeDescribeUserScramCredentialsResponse,
} from "../../protocol/generated/describe_user_scram_credentials.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const describeUserScramCredentialsHandler = defineApi<
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse
>({
  apiKey: 50,
  name: "DescribeUserScramCredentials",
  minVersion: 0,
  maxVersion: 0,
  decodeRequest: decodeDescribeUserScramCredentialsRequest,
  encodeResponse: encodeDescribeUserScramCredentialsResponse,
  async handle(request, ctx) {
    requireCluster(ctx);
    const users = request.users === null ? null : request.users.map((u) => u.name);
    const { result } = await ctx.broker.controller.call({ op: "scram", request: { kind: "describe", users } });
    if (result.kind !== "describe") throw new Error("the controller answered a describe with an alter result");
    return { throttleTimeMs: 0, ...result };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, results: [] };
  },
});
