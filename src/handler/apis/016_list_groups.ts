/**
 * ListGroups (key 16), v0–v5: every group of every coordinator (all
 * handler Workers are asked), classic and KIP-848 alike, with its protocol
 * type ("consumer" for KIP-848 groups; a classic group's members' type, ""
 * when it has none).
 *
 * Versions: v1 adds throttle time; v3 is flexible; v4 may filter by state
 * (Kafka's state names, case-insensitive) and answers each group's state;
 * v5 may filter by type ("classic"/"consumer", case-insensitive) and
 * answers each group's type. An empty filter matches every group.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeListGroupsRequest,
  encodeListGroupsResponse,
  type ListGroupsRequest,
  type ListGroupsResponse,
} from "../../protocol/generated/list_groups.ts";
import { clusterAllowed, groupAllowed } from "../services/acl_rules.ts";

export const listGroupsHandler = defineApi<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 5,
  decodeRequest: decodeListGroupsRequest,
  encodeResponse: encodeListGroupsResponse,
  async handle(request, ctx) {
    const v = ctx.apiVersion;
    const groups = await ctx.broker.groups.list({
      statesFilter: v >= 4 ? request.statesFilter : [],
      typesFilter: v >= 5 ? request.typesFilter : [],
    });
    // ACL_RULES: with DESCRIBE on the cluster every group, else those the principal may describe.
    const all = clusterAllowed(ctx);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.filter((g) => all || groupAllowed(ctx, g.groupId)).map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.groupState,
        groupType: g.groupType,
      })),
    };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
});
