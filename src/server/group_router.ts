/**
 * Sends group ops to the handler that coordinates the group: the owner of
 * the group's partition of __consumer_offsets (offsets_topic.ts), over the
 * same handler-to-handler ports as partition ops. The first group request
 * has the controller create __consumer_offsets; the controller answers once
 * every handler has opened (and its coordinator started loading) its share.
 */
import type { MetadataView } from "../cluster/metadata_image.ts";
import type { GroupAccess, GroupOp, GroupResultOf, ListedGroup, ListGroupsArgs } from "../group/group_ops.ts";
import { OFFSETS_TOPIC, offsetsPartitionFor } from "../group/offsets_topic.ts";
import type { ControllerClient } from "./broker_state.ts";
import { ownerOf } from "./partition_owner.ts";
import type { PeerOp } from "./partition_router.ts";

export interface PeerCaller {
  call(owner: number, op: PeerOp): Promise<unknown>;
}

export class GroupRouter implements GroupAccess {
  constructor(
    private readonly peers: PeerCaller,
    private readonly handlerCount: number,
    private readonly view: () => { metadata: MetadataView; controller: ControllerClient },
  ) {}

  async run<O extends GroupOp>(op: O): Promise<GroupResultOf<O>> {
    const topic = await this.offsetsTopic();
    const partition = offsetsPartitionFor(groupIdOf(op), topic.partitions);
    const owner = ownerOf(topic.topicId, partition, this.handlerCount);
    return await this.peers.call(owner, { op: "group", partition, call: op }) as GroupResultOf<O>;
  }

  async list(args: ListGroupsArgs): Promise<ListedGroup[]> {
    if (!this.view().metadata.byName.has(OFFSETS_TOPIC)) return [];
    const all = await Promise.all(
      Array.from({ length: this.handlerCount }, (_, h) => this.peers.call(h, { op: "listGroups", args })),
    );
    return (all as ListedGroup[][]).flat();
  }

  private async offsetsTopic(): Promise<{ topicId: string; partitions: number }> {
    const { metadata, controller } = this.view();
    const topic = metadata.byName.get(OFFSETS_TOPIC);
    if (topic) return topic;
    const created = await controller.call({ op: "ensureOffsetsTopic" });
    return { topicId: created.topicId, partitions: created.partitions };
  }
}

function groupIdOf(op: GroupOp): string {
  return "args" in op ? op.args.groupId : op.groupId;
}
