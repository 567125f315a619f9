/**
 * What a request handler can see of the broker inside a handler Worker: the
 * config, the current metadata image, the advertised API versions, a client
 * for the controller (the supervisor, which owns all metadata writes), the
 * router to partition owners, group and transaction coordinators, producer ids and
 * fetch sessions.
 */
import type { BrokerConfig } from "../../config/keys.ts";
import type { MetadataView } from "../../cluster/metadata_image.ts";
import type { ApiVersionRange } from "../../protocol/api_descriptor.ts";
import type { ControllerOp, ControllerResult } from "../../cluster/controller_ops.ts";
import type { PartitionOp, ResultOf } from "../../replica/partition_ops.ts";
import type { FetchSessionCache } from "./fetch_session_cache.ts";
import type { GroupAccess } from "../../group/group_ops.ts";
import type { TxnAccess } from "../../txn/txn_ops.ts";

export interface ControllerClient {
  call<O extends ControllerOp>(op: O): Promise<Extract<ControllerResult, { op: O["op"] }>>;
}

/** The handler-side view of partition owners (PartitionRouter). */
export interface PartitionAccess {
  run<O extends Exclude<PartitionOp, { op: "watch" }>>(op: O): Promise<ResultOf<O>>;
  watch(op: PartitionOp & { op: "watch" }): Promise<boolean>;
}

/** Hands out producer ids from blocks the controller allocates. */
export interface ProducerIdSource {
  next(): Promise<bigint>;
}

export interface BrokerState {
  config: BrokerConfig;
  metadata: MetadataView;
  apiVersions: readonly ApiVersionRange[];
  controller: ControllerClient;
  partitions: PartitionAccess;
  /** Group coordination, routed to the handler coordinating each group. */
  groups: GroupAccess;
  /** Transaction coordination, routed to the handler coordinating each transactional id. */
  txns: TxnAccess;
  producerIds: ProducerIdSource;
  fetchSessions: FetchSessionCache;
}
