/**
 * The transactional APIs as one-line calls, over a LocalBroker (whole in-process broker core) or a raw
 * socket to a broker process, for the coordinator tests: FindCoordinator, InitProducerId,
 * AddPartitionsToTxn, EndTxn, Produce of transactional batches, read_committed Fetch,
 * Describe/ListTransactions.
 */
import type { LocalBroker } from "./_local_broker.ts";
import type { Reader } from "../../src/protocol/io/reader.ts";
import type { Writer } from "../../src/protocol/io/writer.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import {
  decodeFindCoordinatorResponse,
  encodeFindCoordinatorRequest,
} from "../../src/protocol/generated/find_coordinator.ts";
import {
  decodeInitProducerIdResponse,
  encodeInitProducerIdRequest,
} from "../../src/protocol/generated/init_producer_id.ts";
import {
  decodeAddPartitionsToTxnResponse,
  defaultAddPartitionsToTxnRequest,
  encodeAddPartitionsToTxnRequest,
} from "../../src/protocol/generated/add_partitions_to_txn.ts";
import { decodeEndTxnResponse, encodeEndTxnRequest } from "../../src/protocol/generated/end_txn.ts";
import {
  decodeFetchResponse,
  defaultFetchPartition,
  defaultFetchRequest,
  defaultFetchTopic,
  encodeFetchRequest,
  type PartitionData,
} from "../../src/protocol/generated/fetch.ts";
import {
  decodeDescribeTransactionsResponse,
  encodeDescribeTransactionsRequest,
} from "../../src/protocol/generated/describe_transactions.ts";
import {
  decodeListTransactionsResponse,
  encodeListTransactionsRequest,
} from "../../src/protocol/generated/list_transactions.ts";

/** One request and its decoded response. */
export type Caller = <Req, Res>(
  apiKey: number,
  version: number,
  request: Req,
  encode: (w: Writer, v: number, m: Req) => void,
  decode: (r: Reader, v: number) => Res,
) => Promise<Res>;

export class TxnClient {
  private readonly sequences = new Map<string, number>();
  readonly broker: { call: Caller };

  constructor(target: LocalBroker | Caller) {
    this.broker = typeof target === "function"
      ? { call: target }
      : { call: (k, v, r, e, d) => target.call(k, v, r, e, d) };
  }

  async findCoordinator(key: string, version = 3): Promise<number> {
    const res = await this.broker.call(
      10,
      version,
      { key, keyType: 1, coordinatorKeys: [key] },
      encodeFindCoordinatorRequest,
      decodeFindCoordinatorResponse,
    );
    return version >= 4 ? res.coordinators[0].errorCode : res.errorCode;
  }

  init(transactionalId: string | null, timeoutMs = 60_000, version = 4, producerId = -1n, producerEpoch = -1) {
    return this.broker.call(
      22,
      version,
      { transactionalId, transactionTimeoutMs: timeoutMs, producerId, producerEpoch },
      encodeInitProducerIdRequest,
      decodeInitProducerIdResponse,
    );
  }

  /** AddPartitionsToTxn v3 (one transaction): the error of each partition, in order. */
  async addPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    topic: string,
    partitions: number[],
    version = 3,
  ): Promise<number[]> {
    const res = await this.broker.call(
      24,
      version,
      {
        ...defaultAddPartitionsToTxnRequest(),
        v3AndBelowTransactionalId: transactionalId,
        v3AndBelowProducerId: producerId,
        v3AndBelowProducerEpoch: producerEpoch,
        v3AndBelowTopics: [{ name: topic, partitions }],
      },
      encodeAddPartitionsToTxnRequest,
      decodeAddPartitionsToTxnResponse,
    );
    return res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
  }

  async endTxn(transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, version = 3) {
    const res = await this.broker.call(
      26,
      version,
      { transactionalId, producerId, producerEpoch, committed: commit },
      encodeEndTxnRequest,
      decodeEndTxnResponse,
    );
    return res.errorCode;
  }

  /** One batch of `values` (transactional unless told otherwise) to topic-partition; the partition's answer. */
  async produce(
    transactionalId: string | null,
    producerId: bigint,
    producerEpoch: number,
    topic: string,
    partition: number,
    values: string[],
    version = 11,
    isTransactional = true,
  ) {
    const key = `${producerId}:${producerEpoch}:${topic}:${partition}`;
    const seq = this.sequences.get(key) ?? 0;
    const records = buildBatch(values.map((v) => ({ key: null, value: new TextEncoder().encode(v) })), {
      producerId,
      producerEpoch,
      baseSequence: seq,
      isTransactional,
    });
    const res = await this.broker.call(
      0,
      version,
      {
        transactionalId,
        acks: -1,
        timeoutMs: 1000,
        topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
      },
      encodeProduceRequest,
      decodeProduceResponse,
    );
    const answer = res.responses[0].partitionResponses[0];
    if (answer.errorCode === 0) this.sequences.set(key, seq + values.length);
    return answer;
  }

  /** read_committed (1) or read_uncommitted (0) Fetch v12 from offset 0 of topic-partition. */
  async fetch(topic: string, partition: number, isolationLevel: number): Promise<PartitionData> {
    const request = {
      ...defaultFetchRequest(),
      isolationLevel,
      maxWaitMs: 0,
      topics: [{
        ...defaultFetchTopic(),
        topic,
        partitions: [{ ...defaultFetchPartition(), partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
      }],
    };
    const res = await this.broker.call(1, 12, request, encodeFetchRequest, decodeFetchResponse);
    return res.responses[0].partitions[0];
  }

  describe(ids: string[]) {
    return this.broker.call(
      65,
      0,
      { transactionalIds: ids },
      encodeDescribeTransactionsRequest,
      decodeDescribeTransactionsResponse,
    );
  }

  list(stateFilters: string[] = [], version = 1) {
    return this.broker.call(
      66,
      version,
      { stateFilters, producerIdFilters: [], durationFilter: -1n },
      encodeListTransactionsRequest,
      decodeListTransactionsResponse,
    );
  }
}

/** The values of the (uncompressed, v2) records in a fetched record set, control batches left out. */
export function valuesOf(records: Uint8Array | null): string[] {
  const out: string[] = [];
  if (!records) return out;
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let pos = 0; pos + 61 <= records.length;) {
    const size = 12 + v.getInt32(pos + 8);
    const attributes = v.getInt16(pos + 21);
    const count = v.getInt32(pos + 57);
    if ((attributes & 0x20) === 0) {
      let p = pos + 61;
      for (let i = 0; i < count; i++) {
        const [length, afterLength] = varint(records, p);
        const end = afterLength + length;
        let q = afterLength + 1; // attributes
        q = varint(records, q)[1]; // timestamp delta
        q = varint(records, q)[1]; // offset delta
        const [keyLength, afterKey] = varint(records, q);
        q = afterKey + Math.max(keyLength, 0);
        const [valueLength, afterValue] = varint(records, q);
        out.push(new TextDecoder().decode(records.subarray(afterValue, afterValue + valueLength)));
        p = end;
      }
    }
    pos += size;
  }
  return out;
}

/** A zigzag varint at `pos`: [value, position after it]. */
function varint(bytes: Uint8Array, pos: number): [number, number] {
  let raw = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    raw |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
  }
  return [(raw >>> 1) ^ -(raw & 1), pos];
}

/** Polls `check` every 20 ms until it holds (markers are written after EndTxn answers), at most `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
