/**
 * CreateAcls (key 30), v0–v3 (v1 adds the pattern type, v2 is flexible).
 * Needs ALTER on the cluster. Without an authorizer (`authorizer.class.name`
 * empty) every creation answers SECURITY_DISABLED, as Kafka does. Otherwise,
 * as the reference Kafka 4.4 answers (src/cluster/acl/acl_validate.ts): a
 * code 0 (UNKNOWN) closes the connection, ANY or MATCH fails the whole
 * request with UNKNOWN_SERVER_ERROR, and each other invalid binding gets
 * INVALID_REQUEST with Kafka's message while the valid ones are created.
 * The controller keeps them (src/supervisor/acl_store.ts) and answers once
 * every handler has the new image; a binding that exists already succeeds
 * again. Success carries an empty error message, as Kafka's does.
 */
import { CloseConnection, defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type AclCreation,
  type AclCreationResult,
  type CreateAclsRequest,
  type CreateAclsResponse,
  decodeCreateAclsRequest,
  encodeCreateAclsResponse,
} from "../../protocol/generated/create_acls.ts";
import type { AclBinding } from "../../cluster/acl/acl_types.ts";
import { bindingProblem, hasIndefiniteCode, hasUnknownCode } from "../../cluster/acl/acl_validate.ts";
import { authorizerOf, requireCluster } from "../services/acl_rules.ts";

export const NO_AUTHORIZER = "No Authorizer is configured.";

function bindingOf(c: AclCreation): AclBinding {
  return {
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permission: c.permissionType,
  };
}

export const createAclsHandler = defineApi<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  name: "CreateAcls",
  minVersion: 0,
  maxVersion: 3,
  decodeRequest: decodeCreateAclsRequest,
  encodeResponse: encodeCreateAclsResponse,
  async handle(request, ctx) {
    const bindings = request.creations.map(bindingOf);
    if (bindings.some(hasUnknownCode)) return new CloseConnection("CreateAcls with an UNKNOWN code");
    requireCluster(ctx);
    const result = (errorCode: number, errorMessage: string | null): AclCreationResult => ({ errorCode, errorMessage });
    if (authorizerOf(ctx) === null) {
      return { throttleTimeMs: 0, results: bindings.map(() => result(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER)) };
    }
    if (bindings.some(hasIndefiniteCode)) {
      return { throttleTimeMs: 0, results: bindings.map(() => result(ErrorCode.UNKNOWN_SERVER_ERROR, null)) };
    }
    const problems = bindings.map(bindingProblem);
    const valid = bindings.filter((_, i) => problems[i] === null);
    if (valid.length > 0) {
      await ctx.broker.controller.call({ op: "acls", request: { kind: "create", bindings: valid } });
    }
    return {
      throttleTimeMs: 0,
      results: problems.map((p) => p === null ? result(ErrorCode.NONE, "") : result(ErrorCode.INVALID_REQUEST, p)),
    };
  },
  errorResponse(request, _ctx, errorCode) {
    return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage: null })) };
  },
});
