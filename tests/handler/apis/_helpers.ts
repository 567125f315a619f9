/**
 * Helpers shared by the per-API tests that drive a whole in-process broker
 * core (LocalBroker): a broker started and removed around a test body, a
 * produce of one record set that must succeed, and a v12 fetch of one
 * partition. Runs under Deno and Bun (no runtime-specific APIs here).
 */
import assert from "node:assert/strict";
import { LocalBroker, type LocalBrokerOptions } from "../_local_broker.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../../src/protocol/generated/produce.ts";
import {
  decodeFetchResponse,
  defaultFetchPartition,
  defaultFetchRequest,
  defaultFetchTopic,
  encodeFetchRequest,
  type PartitionData,
} from "../../../src/protocol/generated/fetch.ts";

/** Runs `fn` on a fresh broker (2 handlers unless `opts` says otherwise), then stops it and removes its dir. */
export async function withBroker(opts: LocalBrokerOptions, fn: (b: LocalBroker) => Promise<void>): Promise<void> {
  const broker = await LocalBroker.start({ handlers: 2, ...opts });
  try {
    await fn(broker);
  } finally {
    await broker.stop();
    broker.remove();
  }
}

/** Produce v11 of one record set to one partition (through handler `h` if given); asserts NONE, the base offset. */
export async function produceRecords(
  broker: LocalBroker,
  topic: string,
  partition: number,
  records: Uint8Array,
  acks = -1,
  h?: number,
): Promise<bigint> {
  const res = await broker.call(
    0,
    11,
    {
      transactionalId: null,
      acks,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    },
    encodeProduceRequest,
    decodeProduceResponse,
    h,
  );
  const p = res.responses[0].partitionResponses[0];
  assert.equal(p.errorCode, ErrorCode.NONE);
  return p.baseOffset;
}

/** Fetch v12 of one partition from `offset`, up to 1 MiB from it (`maxBytes` caps the whole response). */
export async function fetchPartition(
  broker: LocalBroker,
  topic: string,
  partition: number,
  offset = 0n,
  maxBytes?: number,
): Promise<PartitionData> {
  const request = {
    ...defaultFetchRequest(),
    topics: [{
      ...defaultFetchTopic(),
      topic,
      partitions: [{ ...defaultFetchPartition(), partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 }],
    }],
  };
  if (maxBytes !== undefined) request.maxBytes = maxBytes;
  const res = await broker.call(1, 12, request, encodeFetchRequest, decodeFetchResponse);
  return res.responses[0].partitions[0];
}
