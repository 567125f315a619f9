/**
 * Sends group ops to the handler that coordinates the group: the owner of
 * the group's partition of __consumer_offsets (offsets_topic.ts), over the
 * same handler-to-handler ports as partition ops. The first group request
 * has the controller create __consumer_offsets; the controller answers once
 * every handler has opened (and its coordinator started loading) its share.
 * A request naming many groups travels in batches to each coordinating
 * handler: a million group ids are a few hundred messages, not a million,
 * and each is small enough that cloning it (which blocks both Workers)
 * takes about a millisecond, so neither stops serving other connections.
 */
import type { MetadataView } from "../../cluster/metadata_image.ts";
import type {
  GroupAccess,
  GroupOp,
  GroupOutcome,
  GroupResultOf,
  ListedGroup,
  ListGroupsArgs,
} from "../../group/group_ops.ts";
import { OFFSETS_TOPIC, offsetsPartitionFor } from "../../cluster/offsets_topic.ts";
import type { ControllerClient } from "./broker_state.ts";
import { ownerOf } from "../../replica/partition_owner.ts";
import { mapYielding } from "../../util/yielding.ts";

/** Group ops per message of a batch (each clone of a batch blocks sender and receiver for its length). */
export const GROUP_BATCH_SIZE = 2048;
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

  async runEach<O extends GroupOp>(ops: readonly O[]): Promise<Array<GroupOutcome<GroupResultOf<O>>>> {
    if (ops.length === 0) return [];
    const topic = await this.offsetsTopic();
    const byOwner = new Map<number, number[]>();
    const partitions = await mapYielding(ops, (op, i) => {
      const partition = offsetsPartitionFor(groupIdOf(op), topic.partitions);
      const owner = ownerOf(topic.topicId, partition, this.handlerCount);
      const indexes = byOwner.get(owner);
      if (indexes) indexes.push(i);
      else byOwner.set(owner, [i]);
      return partition;
    });
    const outcomes = new Array<GroupOutcome<GroupResultOf<O>>>(ops.length);
    await Promise.all([...byOwner].map(async ([owner, indexes]) => {
      // One batch at a time per owner: the next waits for the answer, so memory in flight stays one batch.
      for (let from = 0; from < indexes.length; from += GROUP_BATCH_SIZE) {
        const part = indexes.slice(from, from + GROUP_BATCH_SIZE);
        const calls = part.map((i) => ({ partition: partitions[i], call: ops[i] }));
        const answers = await this.peers.call(owner, { op: "groupBatch", calls }) as GroupOutcome<GroupResultOf<O>>[];
        part.forEach((i, k) => outcomes[i] = answers[k]);
      }
    }));
    return outcomes;
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
