/**
 * ListOffsets for the consumer and admin client: each partition's request goes to its leader, grouped per
 * leader, retried while leaders move.
 */
import { Apis } from "./apis.ts";
import { throwIfError } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";

/** "earliest", "latest", or a timestamp in ms (the first offset whose record time is at or after it). */
export type OffsetSpec = "earliest" | "latest" | number;

const EARLIEST = -2n;
const LATEST = -1n;

/** Offset and timestamp for each request; offset -1 when no record is at or after a timestamp. */
export function listOffsets(
  client: NetworkClient,
  requests: { topic: string; partition: number; spec: OffsetSpec }[],
): Promise<{ topic: string; partition: number; offset: bigint; timestamp: bigint }[]> {
  return Promise.all(requests.map((q) =>
    client.retrying(async () => {
      const leader = await client.metadata.leaderFor(q.topic, q.partition);
      const timestamp = q.spec === "earliest" ? EARLIEST : q.spec === "latest" ? LATEST : BigInt(q.spec);
      const r = await client.send(leader, Apis.ListOffsets, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{
          name: q.topic,
          partitions: [{ partitionIndex: q.partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }],
        }],
      });
      const p = r.topics[0].partitions[0];
      throwIfError(p.errorCode);
      return { topic: q.topic, partition: q.partition, offset: p.offset, timestamp: p.timestamp };
    })
  ));
}
