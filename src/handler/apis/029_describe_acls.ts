/**
 * DescribeAcls (key 29), v0–v3 (v1 adds the pattern type filter, v2 is
 * flexible): the bindings one filter selects (src/cluster/acl/acl_filter.ts),
 * grouped by resource pattern in the order they were created. Needs DESCRIBE
 * on the cluster. Read from this handler's metadata image, which holds every
 * binding the controller has answered for. Without an authorizer: error
 * SECURITY_DISABLED. A code 0 (UNKNOWN) closes the connection, as Kafka's
 * parser does; a code Kafka does not know selects nothing.
 */
import { CloseConnection, defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeDescribeAclsRequest,
  type DescribeAclsRequest,
  type DescribeAclsResource,
  type DescribeAclsResponse,
  encodeDescribeAclsResponse,
} from "../../protocol/generated/describe_acls.ts";
import type { AclFilter } from "../../cluster/acl/acl_types.ts";
import { filterMatches } from "../../cluster/acl/acl_filter.ts";
import { filterIsKnown, hasUnknownCode } from "../../cluster/acl/acl_validate.ts";
import { authorizerOf, requireCluster } from "../services/acl_rules.ts";
import { NO_AUTHORIZER } from "./030_create_acls.ts";

function filterOf(r: DescribeAclsRequest): AclFilter {
  return {
    resourceType: r.resourceTypeFilter,
    resourceName: r.resourceNameFilter,
    patternType: r.patternTypeFilter,
    principal: r.principalFilter,
    host: r.hostFilter,
    operation: r.operation,
    permission: r.permissionType,
  };
}

export const describeAclsHandler = defineApi<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  name: "DescribeAcls",
  minVersion: 0,
  maxVersion: 3,
  decodeRequest: decodeDescribeAclsRequest,
  encodeResponse: encodeDescribeAclsResponse,
  handle(request, ctx) {
    const filter = filterOf(request);
    if (hasUnknownCode(filter)) return new CloseConnection("DescribeAcls with an UNKNOWN code");
    requireCluster(ctx);
    const authorizer = authorizerOf(ctx);
    if (authorizer === null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, resources: [] };
    }
    const byPattern = new Map<string, DescribeAclsResource>();
    for (const b of filterIsKnown(filter) ? authorizer.bindings : []) {
      if (!filterMatches(filter, b)) continue;
      const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
      let resource = byPattern.get(key);
      if (!resource) {
        resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] };
        byPattern.set(key, resource);
      }
      resource.acls.push({
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permission,
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: "", resources: [...byPattern.values()] };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, resources: [] };
  },
});
