/**
 * Client quotas end to end: a producer quota of 1 MiB/s for a client id, set
 * with AlterClientQuotas, holds a kcat producer (librdkafka, which does not
 * throttle itself: the broker's muting does it) that writes as fast as it can
 * to a 2-partition topic (its partitions on both handlers, so the rate
 * is counted broker-wide) to within 10% over 33 s (three quota periods), and a further produce under that
 * client id is answered with throttle_time_ms > 0.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { type BrokerProcess, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import * as quotas from "../../src/protocol/generated/alter_client_quotas.ts";
import * as createTopics from "../../src/protocol/generated/create_topics.ts";
import * as listOffsets from "../../src/protocol/generated/list_offsets.ts";
import * as produce from "../../src/protocol/generated/produce.ts";

const TOPIC = "quota-topic";
const CLIENT_ID = "quota-app";
const LIMIT = 1024 * 1024;
/**
 * Kafka's sampled rate (11 windows of 1 s, divided by at least 10 s) lets a producer that is far over its quota
 * through in bursts: about 10 s worth at once, then almost nothing until that window leaves the rate 11 s later,
 * then the next burst (measured: ~10.4 MiB at 0, 11, 22, 33 s, 64 KiB a second between). Over whole periods that
 * is the quota; over an arbitrary 30 s it is not (two or three bursts). So the rate is taken over three whole
 * periods: from 1 s after the start (the first burst done) to 34 s (the fourth one, at ~33 s, done).
 */
const WARM_UP_MS = 1_000;
const RUN_MS = 33_000;
const LINE = "q".repeat(999); // 1000 bytes with its newline; kcat sends the 999 as the value
const call = wireCaller("quota-test");

describe("client quotas: a 1 MiB/s producer quota", () => {
  let broker: BrokerProcess;
  let client: WireClient;
  let producer: ChildProcess | null = null;
  before(async () => {
    broker = await startBroker("deno", { overrides: { "num.io.threads": 2 } });
    client = await WireClient.connect(broker.port);
  });
  after(async () => {
    if (producer?.pid) process.kill(-producer.pid, "SIGKILL");
    client?.socket.destroy();
    await broker?.stop();
  });

  test("kcat producing flat out gets 0.9-1.1 MiB/s over 33 s, and the client sees throttle_time_ms", async () => {
    const created = await call(
      client,
      19,
      7,
      {
        ...createTopics.defaultCreateTopicsRequest(),
        timeoutMs: 10_000,
        topics: [{ ...createTopics.defaultCreatableTopic(), name: TOPIC, numPartitions: 2, replicationFactor: 1 }],
      },
      createTopics.encodeCreateTopicsRequest,
      createTopics.decodeCreateTopicsResponse,
    );
    assert.equal(created.topics[0].errorCode, 0);
    const altered = await call(
      client,
      49,
      1,
      {
        entries: [{
          entity: [{ entityType: "client-id", entityName: CLIENT_ID }],
          ops: [{ key: "producer_byte_rate", value: LIMIT, remove: false }],
        }],
        validateOnly: false,
      },
      quotas.encodeAlterClientQuotasRequest,
      quotas.decodeAlterClientQuotasResponse,
    );
    assert.equal(altered.entries[0].errorCode, 0);

    producer = spawn("bash", [
      "-c",
      `yes '${LINE}' | kcat -P -b ${broker.bootstrap} -t ${TOPIC} -X client.id=${CLIENT_ID} -X batch.size=65536`,
    ], { detached: true, stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const before = await stored(client);
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    const records = await stored(client) - before;
    const elapsed = (Date.now() - started) / 1000;
    const rate = records * LINE.length / elapsed;
    console.log(
      `${records} records of ${LINE.length} B in ${elapsed.toFixed(1)} s: ${(rate / LIMIT).toFixed(3)} MiB/s`,
    );
    assert.ok(rate >= 0.9 * LIMIT && rate <= 1.1 * LIMIT, `${(rate / LIMIT).toFixed(3)} MiB/s`);

    const value = new Uint8Array(256 * 1024);
    const batch = buildBatch([{ key: null, value, timestampDelta: 0 }], { baseTimestamp: BigInt(Date.now()) });
    const throttledCall = wireCaller(CLIENT_ID);
    const answer = await throttledCall(
      client,
      0,
      9,
      {
        transactionalId: null,
        acks: 1,
        timeoutMs: 10_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
      },
      produce.encodeProduceRequest,
      produce.decodeProduceResponse,
    );
    assert.equal(answer.responses[0].partitionResponses[0].errorCode, 0);
    assert.ok(answer.throttleTimeMs > 0, `throttle_time_ms ${answer.throttleTimeMs}`);
  });
});

/** Records in both partitions (their high watermarks). */
async function stored(client: WireClient): Promise<number> {
  const res = await call(
    client,
    2,
    7,
    {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{
        name: TOPIC,
        partitions: [0, 1].map((partitionIndex) => ({
          ...listOffsets.defaultListOffsetsPartition(),
          partitionIndex,
          timestamp: -1n,
        })),
      }],
    },
    listOffsets.encodeListOffsetsRequest,
    listOffsets.decodeListOffsetsResponse,
  );
  return res.topics[0].partitions.reduce((n, p) => n + Number(p.offset), 0);
}
