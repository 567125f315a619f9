/**
 * DeleteAcls (key 31), v0–v3 (v1 adds pattern types, v2 is flexible):
 * removes every binding each filter selects (src/cluster/acl/acl_filter.ts)
 * and lists them per filter. Needs ALTER on the cluster. Without an
 * authorizer each filter answers SECURITY_DISABLED. A code 0 (UNKNOWN)
 * closes the connection, as Kafka's parser does; a filter with a code Kafka
 * does not know gets INVALID_REQUEST ("Unknown patternFilter." /
 * "Unknown entryFilter.") and removes nothing. The controller removes them
 * (src/supervisor/acl_store.ts) and answers once every handler has the new
 * image.
 */
import { CloseConnection, defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeDeleteAclsRequest,
  type DeleteAclsFilter,
  type DeleteAclsFilterResult,
  type DeleteAclsRequest,
  type DeleteAclsResponse,
  encodeDeleteAclsResponse,
} from "../../protocol/generated/delete_acls.ts";
import type { AclBinding, AclFilter } from "../../cluster/acl/acl_types.ts";
import { filterProblem, hasUnknownCode } from "../../cluster/acl/acl_validate.ts";
import { authorizerOf, requireCluster } from "../services/acl_rules.ts";
import { NO_AUTHORIZER } from "./030_create_acls.ts";

function filterOf(f: DeleteAclsFilter): AclFilter {
  return {
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permission: f.permissionType,
  };
}

export const deleteAclsHandler = defineApi<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  name: "DeleteAcls",
  minVersion: 0,
  maxVersion: 3,
  decodeRequest: decodeDeleteAclsRequest,
  encodeResponse: encodeDeleteAclsResponse,
  async handle(request, ctx) {
    const filters = request.filters.map(filterOf);
    if (filters.some(hasUnknownCode)) return new CloseConnection("DeleteAcls with an UNKNOWN code");
    requireCluster(ctx);
    const failed = (errorCode: number, errorMessage: string | null): DeleteAclsFilterResult => ({
      errorCode,
      errorMessage,
      matchingAcls: [],
    });
    if (authorizerOf(ctx) === null) {
      return {
        throttleTimeMs: 0,
        filterResults: filters.map(() => failed(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER)),
      };
    }
    const problems = filters.map(filterProblem);
    const valid = filters.filter((_, i) => problems[i] === null);
    let deleted: AclBinding[][] = [];
    if (valid.length > 0) {
      const { result } = await ctx.broker.controller.call({ op: "acls", request: { kind: "delete", filters: valid } });
      if (result.kind !== "delete") throw new Error("the controller answered a delete with another result");
      deleted = result.deleted;
    }
    let next = 0;
    const filterResults = problems.map((problem): DeleteAclsFilterResult => {
      if (problem !== null) return failed(ErrorCode.INVALID_REQUEST, problem);
      const matches = deleted[next++];
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: matches.map((b) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          patternType: b.patternType,
          principal: b.principal,
          host: b.host,
          operation: b.operation,
          permissionType: b.permission,
        })),
      };
    });
    return { throttleTimeMs: 0, filterResults };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })),
    };
  },
});
