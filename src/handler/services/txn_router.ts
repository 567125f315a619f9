/**
 * Sends transaction coordinator calls to the handler that coordinates the
 * transactional id: the owner of its `__transaction_state` partition
 * (abs(javaHash(id)) mod the topic's partitions, as Kafka's
 * TransactionStateManager.partitionFor), over the handler-to-handler ports,
 * as group_router.ts does for groups. While `__transaction_state` does not
 * exist no handler coordinates anything: NOT_COORDINATOR, and FindCoordinator
 * creates it (ensureTopic). ListTransactions asks every handler.
 */
import type { MetadataView } from "../../cluster/metadata_image.ts";
import { javaStringHash } from "../../cluster/offsets_topic.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { TRANSACTION_STATE_TOPIC } from "../../txn/txn_coordinator.ts";
import { txnStateFromName } from "../../txn/txn_records.ts";
import type { ControllerClient } from "./broker_state.ts";
import type { PeerCaller } from "./group_router.ts";
import { ownerOf } from "../../replica/partition_owner.ts";
import type { TxnAccess, TxnCall, TxnCallResult } from "../../txn/txn_ops.ts";
import type { ListTransactionsAnswer, ListTransactionsFilter } from "../../txn/txn_views.ts";

export class TxnRouter implements TxnAccess {
  constructor(
    private readonly peers: PeerCaller,
    private readonly handlerCount: number,
    private readonly view: () => { metadata: MetadataView; controller: ControllerClient },
  ) {}

  async run<C extends TxnCall>(call: C): Promise<TxnCallResult<C>> {
    const topic = this.view().metadata.byName.get(TRANSACTION_STATE_TOPIC);
    if (!topic) return errorAnswer(call, ErrorCode.NOT_COORDINATOR);
    const partition = (javaStringHash(call.transactionalId) & 0x7fffffff) % topic.partitions;
    const owner = ownerOf(topic.topicId, partition, this.handlerCount);
    return await this.peers.call(owner, { op: "txn", call }) as TxnCallResult<C>;
  }

  async list(filter: ListTransactionsFilter): Promise<ListTransactionsAnswer> {
    const none: ListTransactionsAnswer = { errorCode: 0, unknownStateFilters: [], transactionStates: [] };
    if (!this.view().metadata.byName.has(TRANSACTION_STATE_TOPIC)) {
      // Unknown state names are reported even with nothing to list.
      return { ...none, unknownStateFilters: filter.states.filter((s) => txnStateFromName(s) === null) };
    }
    const all = await Promise.all(
      Array.from(
        { length: this.handlerCount },
        (_, h) => this.peers.call(h, { op: "listTxns", filter }) as Promise<ListTransactionsAnswer>,
      ),
    );
    const failed = all.find((a) => a.errorCode !== 0);
    if (failed) return { ...none, errorCode: failed.errorCode };
    return {
      errorCode: 0,
      unknownStateFilters: all[0].unknownStateFilters,
      transactionStates: all.flatMap((a) => a.transactionStates),
    };
  }

  async ensureTopic(): Promise<boolean> {
    const { metadata, controller } = this.view();
    if (metadata.byName.has(TRANSACTION_STATE_TOPIC)) return true;
    await controller.call({ op: "ensureTxnStateTopic" });
    return false;
  }
}

/** The answer of `call` failed as a whole with `errorCode`. */
export function errorAnswer<C extends TxnCall>(call: C, errorCode: number): TxnCallResult<C> {
  return failedAnswer(call, errorCode) as TxnCallResult<C>;
}

function failedAnswer(call: TxnCall, errorCode: number): unknown {
  switch (call.kind) {
    case "initProducerId":
      return { errorCode, producerId: -1n, producerEpoch: -1 };
    case "addPartitions":
      return { errorCode, partitions: call.partitions.map((tp) => ({ ...tp, errorCode })) };
    case "addOffsets":
    case "endTxn":
      return { errorCode };
    case "describe":
      return {
        errorCode,
        transactionalId: call.transactionalId,
        transactionState: "",
        transactionTimeoutMs: 0,
        transactionStartTimeMs: 0,
        producerId: 0n,
        producerEpoch: 0,
        topics: [],
      };
  }
}
