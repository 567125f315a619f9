/**
 * FindCoordinator for groups: the broker that coordinates a group, asked with the batched form (v4+,
 * `coordinatorKeys`) or the single `key` of older versions, whichever the broker speaks.
 */
import { Apis } from "./apis.ts";
import { KafkaClientError, throwIfError } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";
import { ErrorCode } from "../protocol/errors.ts";

/** The node id of `groupId`'s coordinator (retrying while it loads or moves). */
export function findGroupCoordinator(client: NetworkClient, groupId: string): Promise<number> {
  return client.retrying(async () => {
    const node = client.anyNode();
    const version = await client.versionFor(node, Apis.FindCoordinator);
    const answer = await client.send(node, Apis.FindCoordinator, {
      key: groupId,
      keyType: 0,
      coordinatorKeys: [groupId],
    });
    let nodeId: number;
    if (version >= 4) {
      const c = answer.coordinators.find((c) => c.key === groupId);
      if (!c) throw new KafkaClientError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `no answer for group ${groupId}`);
      throwIfError(c.errorCode, c.errorMessage);
      nodeId = c.nodeId;
    } else {
      throwIfError(answer.errorCode, answer.errorMessage);
      nodeId = answer.nodeId;
    }
    if (!client.metadata.broker(nodeId)) await client.metadata.refresh();
    return nodeId;
  });
}
