/**
 * DeleteGroups (key 42), v0–v2: deletes groups with their committed
 * offsets. A group with members is NON_EMPTY_GROUP; one that does not
 * exist is GROUP_ID_NOT_FOUND (the coordinator decides both). A name asked
 * twice is answered once, as Kafka dedupes the list; the groups go to
 * their coordinators in one batch per handler and are answered in request
 * order, a coordinator failure being that group's error only.
 *
 * Versions: v1 is the same as v0; v2 is flexible.
 */
import { ErrorCode } from "../../protocol/errors.ts";
import { defineApi } from "./api.ts";
import { distinctYielding } from "../../util/yielding.ts";
import { answerEach } from "./group_common.ts";
import {
  decodeDeleteGroupsRequest,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
  encodeDeleteGroupsResponse,
} from "../../protocol/generated/delete_groups.ts";
import { groupAllowed } from "../services/acl_rules.ts";

export const deleteGroupsHandler = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: "DeleteGroups",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeDeleteGroupsRequest,
  encodeResponse: encodeDeleteGroupsResponse,
  async handle(request, ctx) {
    const all = await distinctYielding(request.groupsNames);
    // ACL_RULES: DELETE on each group; the others are GROUP_AUTHORIZATION_FAILED and never asked.
    const distinct = all.filter((groupId) => groupAllowed(ctx, groupId));
    const deleted = await answerEach(
      ctx,
      distinct,
      "deleteGroup",
      (groupId) => ({ op: "deleteGroup", groupId }),
      (groupId, outcome) => ({ groupId, errorCode: "errorCode" in outcome ? outcome.errorCode : outcome.ok.errorCode }),
    );
    let next = 0;
    const results = distinct.length === all.length
      ? deleted
      : all.map((groupId) =>
        groupId === distinct[next] ? deleted[next++] : { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
      );
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      results: [...new Set(request.groupsNames)].map((groupId) => ({ groupId, errorCode })),
    };
  },
});
