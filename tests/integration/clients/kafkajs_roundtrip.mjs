/**
 * kafkajs (pure JS, never flexible versions) produces and consumes without a
 * consumer group, then asks for offsets; prints one JSON document for the
 * test to check.
 *
 * kafkajs has no group-less consumer, so reading uses its own lower layer:
 * the Cluster the Kafka client builds for its producer/consumer (reached via
 * the client's private createCluster symbol) and Broker.fetch, which sends
 * Fetch and decodes the record batches (gzip included) exactly as the
 * kafkajs consumer does.
 *
 * usage: node kafkajs_roundtrip.mjs BOOTSTRAP TOPIC
 */
import kafkajs from "kafkajs";

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const [bootstrap, topic] = process.argv.slice(2);
const PARTITIONS = 3;
const kafka = new Kafka({
  clientId: "tsbroker-kafkajs-test",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 3 },
});
const hex = (b) => (b === null || b === undefined ? null : Buffer.from(b).toString("hex"));
const T0 = Date.now() - 600_000;

/** Message i: partition i % 3, binary value of varying length, two headers, timestamp T0 + 10 i. */
function message(i) {
  const value = Buffer.from(Array.from({ length: 20 + (i % 200) }, (_, j) => (i * 31 + j * 7) & 255));
  return {
    partition: i % PARTITIONS,
    key: `key-${i}`,
    value,
    headers: { idx: String(i), bin: Buffer.from([i & 255, 0, 255]) },
    timestamp: String(T0 + i * 10),
  };
}
const expect = (m) => ({
  partition: m.partition,
  key: hex(Buffer.from(m.key)),
  value: hex(m.value),
  headers: { idx: hex(Buffer.from(m.headers.idx)), bin: hex(m.headers.bin) },
  timestamp: m.timestamp,
});

const out = {
  sent: [],
  sendResults: [],
  fetched: {},
  offsets: null,
  byTimestamp: null,
  afterAll: null,
  longPoll: null,
};
const admin = kafka.admin();
await admin.connect();
out.created = await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });

// 300 records in 6 sends: plain acks=all, one gzip-compressed, one acks=1.
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
for (let chunk = 0; chunk < 6; chunk++) {
  const messages = Array.from({ length: 50 }, (_, k) => message(chunk * 50 + k));
  out.sent.push(...messages.map(expect));
  const result = await producer.send({
    topic,
    messages,
    acks: chunk === 5 ? 1 : -1,
    compression: chunk === 2 ? CompressionTypes.GZIP : CompressionTypes.None,
  });
  out.sendResults.push(...result);
}
// 30 more from an idempotent producer (InitProducerId, sequence numbers).
const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
await idempotent.connect();
const idemMessages = Array.from({ length: 30 }, (_, k) => message(300 + k));
out.sent.push(...idemMessages.map(expect));
out.sendResults.push(...(await idempotent.send({ topic, messages: idemMessages, acks: -1 })));
await idempotent.disconnect();

// Group-less reading through kafkajs' Cluster/Broker layer.
const createCluster = Object.getOwnPropertySymbols(kafka).find((s) => s.description === "private:Kafka:createCluster");
const cluster = kafka[createCluster]({ allowAutoTopicCreation: false });
await cluster.connect();
await cluster.addTargetTopic(topic);
const leaderOf = (partition) => {
  const byLeader = cluster.findLeaderForPartitions(topic, [partition]);
  return cluster.findBroker({ nodeId: Object.keys(byLeader)[0] });
};
const fetchOnce = async (partition, offset, maxWaitTime, partitionMaxBytes) => {
  const broker = await leaderOf(partition);
  const response = await broker.fetch({
    maxWaitTime,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: partitionMaxBytes }] }],
  });
  return response.responses[0].partitions[0];
};
const decoded = (m) => ({
  offset: m.offset,
  key: hex(m.key),
  value: hex(m.value),
  headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, hex(v)])),
  timestamp: m.timestamp,
});
out.fetchRounds = {};
for (let partition = 0; partition < PARTITIONS; partition++) {
  // A small partition limit makes the read take several fetches.
  let offset = 0n;
  const messages = [];
  let rounds = 0;
  for (;;) {
    const p = await fetchOnce(partition, offset, 100, 4096);
    rounds++;
    for (const m of p.messages) if (BigInt(m.offset) >= offset) messages.push(decoded(m));
    if (messages.length) offset = BigInt(messages[messages.length - 1].offset) + 1n;
    if (offset >= BigInt(p.highWatermark) || rounds > 500) break;
  }
  out.fetched[partition] = messages;
  out.fetchRounds[partition] = rounds;
}

// ListOffsets: earliest/latest, and by timestamp (first record at or after it).
out.offsets = await admin.fetchTopicOffsets(topic);
out.byTimestampAt = T0 + 1505;
out.byTimestamp = await admin.fetchTopicOffsetsByTimestamp(topic, T0 + 1505);
// After every record: Kafka answers -1, which kafkajs replaces by the latest offset.
out.afterAll = await admin.fetchTopicOffsetsByTimestamp(topic, T0 + 1_000_000);

// Long polling: a fetch waiting at the end of partition 0 returns when a record arrives.
const end = out.offsets.find((o) => o.partition === 0).high;
let started = Date.now();
const idle = await fetchOnce(0, end, 500, 1 << 20);
const idleMs = Date.now() - started;
started = Date.now();
const waiting = fetchOnce(0, end, 10_000, 1 << 20);
setTimeout(() => producer.send({ topic, messages: [{ partition: 0, value: "wake up" }] }), 500);
const woken = await waiting;
out.longPoll = {
  idleMs,
  idleMessages: idle.messages.length,
  wokenMs: Date.now() - started,
  woken: woken.messages.map((m) => ({ offset: m.offset, value: m.value.toString() })),
  end,
};

await cluster.disconnect();
await producer.disconnect();
await admin.disconnect();
console.log(JSON.stringify(out));
