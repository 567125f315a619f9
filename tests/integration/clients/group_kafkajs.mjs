/**
 * A kafkajs consumer group that grows: member A (eachMessage) consumes a
 * 6-partition topic alone and commits; member B (eachBatch) joins, the group
 * rebalances (both members rejoin: GROUP_JOIN events), more records are
 * produced, and both keep consuming until every record has been seen. Both
 * use kafkajs' autoCommit (OffsetCommit after each batch). Prints one JSON
 * document of what happened for the test to check.
 *
 * usage: node group_kafkajs.mjs BOOTSTRAP TOPIC GROUP
 */
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;
const [bootstrap, topic, groupId] = process.argv.slice(2);
const PARTITIONS = 6;
const FIRST = 300;
const SECOND = 300;
const kafka = new Kafka({
  clientId: "tsbroker-group-kafkajs",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 5 },
});
const out = { joins: [], messages: [], commits: [], crashes: [], phases: {} };
const watchdog = setTimeout(() => {
  out.error = "timed out";
  console.log(JSON.stringify(out));
  process.exit(1);
}, 100_000);

async function until(what, condition, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function consumer(name) {
  const c = kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 10000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
    retry: { retries: 5 },
  });
  c.on(c.events.GROUP_JOIN, ({ payload }) =>
    out.joins.push({
      member: name,
      t: Date.now(),
      memberId: payload.memberId,
      leaderId: payload.leaderId,
      isLeader: payload.isLeader,
      groupProtocol: payload.groupProtocol,
      partitions: [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b),
    }));
  c.on(c.events.COMMIT_OFFSETS, ({ payload }) => {
    for (const t of payload.topics) {
      for (const p of t.partitions) {
        out.commits.push({
          member: name,
          generation: payload.groupGenerationId,
          p: Number(p.partition),
          o: Number(p.offset),
        });
      }
    }
  });
  c.on(c.events.CRASH, ({ payload }) => out.crashes.push({ member: name, error: String(payload.error) }));
  return c;
}

const seen = (m, name) => ({ member: name, p: m.partition, o: Number(m.offset), v: m.value.toString(), t: Date.now() });

try {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const send = (prefix, from, count) =>
    producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, k) => ({
        partition: (from + k) % PARTITIONS,
        value: `${prefix}-${String(from + k).padStart(6, "0")}`,
      })),
    });

  // Phase 1: A alone (eachMessage) reads the first records and commits them.
  await send("a", 0, FIRST);
  const a = consumer("A");
  await a.connect();
  await a.subscribe({ topic, fromBeginning: true });
  await a.run({
    eachMessage: ({ message, partition }) => {
      out.messages.push(seen({ ...message, partition }, "A"));
      return Promise.resolve();
    },
  });
  const committedUpTo = () => {
    const best = new Array(PARTITIONS).fill(0);
    for (const c of out.commits) best[c.p] = Math.max(best[c.p], c.o);
    return best;
  };
  await until(
    "A has consumed and committed the first records",
    () => out.messages.length >= FIRST && committedUpTo().every((o) => o === FIRST / PARTITIONS),
  );
  out.phases.aDone = Date.now();

  // Phase 2: B (eachBatch) joins; both must rejoin and split the partitions.
  const b = consumer("B");
  await b.connect();
  await b.subscribe({ topic, fromBeginning: true });
  out.phases.bStarted = Date.now();
  await b.run({
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const message of batch.messages) {
        out.messages.push(seen({ ...message, partition: batch.partition }, "B"));
        resolveOffset(message.offset);
      }
      await heartbeat();
    },
  });
  const latest = (name) => out.joins.filter((j) => j.member === name).at(-1);
  await until("both members have joined the same generation", () => {
    const ja = latest("A");
    const jb = latest("B");
    return ja && jb && ja.t >= out.phases.bStarted && ja.partitions.length > 0 && jb.partitions.length > 0 &&
      ja.partitions.length + jb.partitions.length === PARTITIONS &&
      new Set([...ja.partitions, ...jb.partitions]).size === PARTITIONS;
  });
  out.phases.rebalanced = Date.now();

  // Phase 3: more records; consumption goes on across both members.
  await send("b", FIRST, SECOND);
  out.phases.secondSent = Date.now();
  await until("every record has been consumed", () => new Set(out.messages.map((m) => m.v)).size >= FIRST + SECOND);
  // A moment for duplicates to show up if any were coming.
  await new Promise((r) => setTimeout(r, 1000));

  await Promise.all([a.disconnect(), b.disconnect()]);
  await producer.disconnect();
  await admin.disconnect();
  clearTimeout(watchdog);
  console.log(JSON.stringify(out));
} catch (e) {
  out.error = String(e?.stack ?? e);
  console.log(JSON.stringify(out));
  process.exit(1);
}
