/**
 * DeleteGroups (key 42), v0–v2: deletes groups with their committed
 * offsets. A group with members is NON_EMPTY_GROUP; one that does not
 * exist is GROUP_ID_NOT_FOUND (the coordinator decides both). A name asked
 * twice is answered once, as Kafka dedupes the list; the groups are
 * deleted in parallel and answered in request order.
 *
 * Versions: v1 is the same as v0; v2 is flexible.
 */
import { defineApi } from "./api.ts";
import { perGroup } from "./group_common.ts";
import {
  decodeDeleteGroupsRequest,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
  encodeDeleteGroupsResponse,
} from "../protocol/generated/delete_groups.ts";

export const deleteGroupsHandler = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: "DeleteGroups",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeDeleteGroupsRequest,
  encodeResponse: encodeDeleteGroupsResponse,
  async handle(request, ctx) {
    const results = await Promise.all(
      [...new Set(request.groupsNames)].map((groupId) =>
        perGroup(
          async () => ({ groupId, errorCode: (await ctx.broker.groups.run({ op: "deleteGroup", groupId })).errorCode }),
          (errorCode) => ({ groupId, errorCode }),
        )
      ),
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
