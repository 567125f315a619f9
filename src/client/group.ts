/**
 * Classic consumer group membership (JoinGroup / SyncGroup / Heartbeat / LeaveGroup, protocol type
 * "consumer"), with the "range" assignor run by the leader (src/group/assignors/range.ts, a pure function
 * also used by the broker's KIP-848 groups) and eager rebalancing: on a rebalance every member gives up its
 * partitions (after committing them) and rejoins.
 *
 * Heartbeats run on a timer every `heartbeatIntervalMs`; when one answers REBALANCE_IN_PROGRESS the member
 * rejoins at once in the background rather than at the next poll, so a group whose members poll rarely
 * still completes its rebalance within the rebalance timeout. UNKNOWN_MEMBER_ID and ILLEGAL_GENERATION
 * reset the membership and rejoin as a new member.
 */
import { rangeAssignor } from "../group/assignors/range.ts";
import { ErrorCode } from "../protocol/errors.ts";
import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from "../protocol/generated/consumer_protocol_assignment.ts";
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from "../protocol/generated/consumer_protocol_subscription.ts";
import type { JoinGroupResponse } from "../protocol/generated/join_group.ts";
import { Reader } from "../protocol/io/reader.ts";
import { Writer } from "../protocol/io/writer.ts";
import { Apis } from "./apis.ts";
import { findGroupCoordinator } from "./coordinator.ts";
import { KafkaClientError, throwIfError } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";

/** A topic and partition. */
export interface TopicPartition {
  /** The topic's name. */
  topic: string;
  /** The partition index. */
  partition: number;
}

export interface GroupOptions {
  groupId: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** What membership asks of the consumer. */
export interface GroupCallbacks {
  topics(): string[];
  /** Before giving partitions up (commit here). */
  onRevoke(partitions: TopicPartition[]): Promise<void>;
  onAssign(partitions: TopicPartition[]): void;
}

const PROTOCOL = "range";
const REJOIN_CODES = new Set<number>([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.MEMBER_ID_REQUIRED,
]);

export class GroupMembership {
  memberId = "";
  generationId = -1;
  coordinator = -1;
  assigned: TopicPartition[] = [];
  private joining: Promise<void> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly client: NetworkClient,
    readonly o: GroupOptions,
    private readonly cb: GroupCallbacks,
  ) {}

  /** Joins (or rejoins) unless a join is under way; resolves once the member has its assignment. */
  ensureActive(): Promise<void> {
    if (this.generationId >= 0 && !this.joining) return Promise.resolve();
    return this.rejoin();
  }

  /** Gives up the current partitions and joins again (shared by concurrent callers). */
  rejoin(): Promise<void> {
    if (!this.joining) {
      this.joining = this.joinLoop().finally(() => {
        this.joining = null;
      });
    }
    return this.joining;
  }

  /** Leaves the group (after the consumer committed) and stops heartbeats. */
  async leave(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeat();
    if (!this.memberId || this.coordinator < 0) return;
    await this.client.send(this.coordinator, Apis.LeaveGroup, {
      groupId: this.o.groupId,
      memberId: this.memberId,
      members: [{ memberId: this.memberId, groupInstanceId: this.o.groupInstanceId ?? null, reason: "closing" }],
    }).catch(() => {});
  }

  private async joinLoop(): Promise<void> {
    if (this.assigned.length > 0) {
      const revoked = this.assigned;
      this.assigned = [];
      await this.cb.onRevoke(revoked);
    }
    this.generationId = -1;
    await this.client.retrying(async () => {
      if (this.stopped) throw new Error("consumer closed");
      try {
        await this.joinOnce();
      } catch (e) {
        if (!(e instanceof KafkaClientError)) throw e;
        this.onGroupError(e.code);
        // Membership errors are not retriable for other requests, but a join simply starts over after them.
        throw REJOIN_CODES.has(e.code) ? new KafkaClientError(e.code, e.message, true) : e;
      }
    }, this.o.rebalanceTimeoutMs + this.o.sessionTimeoutMs);
    this.startHeartbeat();
  }

  private onGroupError(code: number): void {
    if (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION) this.memberId = "";
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) this.coordinator = -1;
  }

  private async joinOnce(): Promise<void> {
    if (this.coordinator < 0) this.coordinator = await findGroupCoordinator(this.client, this.o.groupId);
    let join = await this.sendJoin();
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = join.memberId;
      join = await this.sendJoin();
    }
    throwIfError(join.errorCode);
    this.memberId = join.memberId;
    const assignments = join.leader === join.memberId ? await this.assign(join) : [];
    const sync = await this.client.send(
      this.coordinator,
      Apis.SyncGroup,
      {
        groupId: this.o.groupId,
        generationId: join.generationId,
        memberId: this.memberId,
        groupInstanceId: this.o.groupInstanceId ?? null,
        protocolType: "consumer",
        protocolName: PROTOCOL,
        assignments,
      },
      true,
      this.o.rebalanceTimeoutMs + 5000,
    );
    throwIfError(sync.errorCode);
    this.generationId = join.generationId;
    this.assigned = decodeAssignment(sync.assignment);
    this.cb.onAssign(this.assigned);
  }

  private sendJoin(): Promise<JoinGroupResponse> {
    return this.client.send(
      this.coordinator,
      Apis.JoinGroup,
      {
        groupId: this.o.groupId,
        sessionTimeoutMs: this.o.sessionTimeoutMs,
        rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.o.groupInstanceId ?? null,
        protocolType: "consumer",
        protocols: [{ name: PROTOCOL, metadata: encodeSubscription(this.cb.topics()) }],
        reason: null,
      },
      true,
      this.o.rebalanceTimeoutMs + 5000,
    );
  }

  /** The leader's part: range-assign every member's subscribed topics from current metadata. */
  private async assign(join: JoinGroupResponse): Promise<{ memberId: string; assignment: Uint8Array }[]> {
    const members = join.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.groupInstanceId,
      rackId: null,
      subscribedTopicIds: decodeSubscription(m.metadata),
      assignment: new Map(),
    }));
    const topics = new Map<string, number>();
    for (const t of new Set(members.flatMap((m) => m.subscribedTopicIds))) {
      const info = await this.client.retrying(() => this.client.metadata.topic(t)).catch(() => null);
      if (info) topics.set(t, info.partitions.length);
    }
    const result = rangeAssignor.assign(members, topics);
    return members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment(result.get(m.memberId)) }));
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private async beat(): Promise<void> {
    if (this.joining || this.stopped || this.generationId < 0) return;
    try {
      const r = await this.client.send(this.coordinator, Apis.Heartbeat, {
        groupId: this.o.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.o.groupInstanceId ?? null,
      });
      if (r.errorCode === ErrorCode.NONE || this.stopped) return;
      this.onGroupError(r.errorCode);
      this.stopHeartbeat();
      this.rejoin().catch(() => {});
    } catch {
      // A lost connection or timeout: the next beat tries again (and finds the coordinator if it moved).
      this.coordinator = -1;
      this.stopHeartbeat();
      if (!this.stopped) this.rejoin().catch(() => {});
    }
  }
}

function encodeSubscription(topics: string[]): Uint8Array {
  const w = new Writer(64);
  w.writeInt16(0);
  encodeConsumerProtocolSubscription(w, 0, {
    topics: [...topics].sort(),
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  });
  return w.finish().slice();
}

function decodeSubscription(bytes: Uint8Array): string[] {
  const r = new Reader(bytes);
  const version = r.readInt16();
  return decodeConsumerProtocolSubscription(r, Math.min(version, 3)).topics;
}

function encodeAssignment(map: ReadonlyMap<string, readonly number[]> | undefined): Uint8Array {
  const w = new Writer(64);
  w.writeInt16(0);
  encodeConsumerProtocolAssignment(w, 0, {
    assignedPartitions: [...(map ?? new Map<string, number[]>())].map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions],
    })),
    userData: null,
  });
  return w.finish().slice();
}

/** The partitions of a ConsumerProtocolAssignment (int16 version, then the body). */
export function decodeAssignment(bytes: Uint8Array): TopicPartition[] {
  if (bytes.length === 0) return [];
  const r = new Reader(bytes);
  const version = r.readInt16();
  const a = decodeConsumerProtocolAssignment(r, Math.min(version, 3));
  return a.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}
