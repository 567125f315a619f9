/**
 * A node-rdkafka (bundled librdkafka ≥2.12) group member for the KIP-848
 * test: with "group.protocol": "consumer" in its config it joins through
 * ConsumerGroupHeartbeat, gets its partitions from the broker's assignor and
 * rebalances incrementally (cooperative assign/unassign). Same settings,
 * events and stdin commands as group_consumer.py (which see); when the client
 * rebalances cooperatively, "assigned" (with "incremental": true) and
 * "revoked" list only the partitions added or taken away.
 *
 * node-rdkafka is not a project dependency (it compiles librdkafka, minutes):
 * it is loaded from the npm prefix in $NODE_RDKAFKA_PREFIX.
 *
 * usage: NODE_RDKAFKA_PREFIX=DIR node group_consumer_rdkafka.mjs 'JSON_SETTINGS'
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import * as readline from "node:readline";

const require = createRequire(path.join(process.env.NODE_RDKAFKA_PREFIX ?? ".", "node_modules", "index.js"));
const Kafka = require("node-rdkafka");

const settings = JSON.parse(process.argv[2]);
const delayMs = settings.delayMs ?? 0;
const commitEach = (settings.commit ?? "each") === "each";
const emit = (event) => process.stdout.write(JSON.stringify({ ...event, t: Date.now() }) + "\n");
const parts = (assignment) => assignment.map((a) => [a.topic, a.partition]);

const consumer = new Kafka.KafkaConsumer({
  "bootstrap.servers": settings.bootstrap,
  "group.id": settings.group,
  "client.id": settings.clientId ?? "rdkafka-consumer",
  "enable.auto.commit": false,
  // Default assign/unassign (incremental under the consumer protocol), after the 'rebalance' event.
  "rebalance_cb": true,
  "event_cb": true,
  ...settings.config,
}, {
  // A topic-level setting: node-rdkafka ignores it in the global configuration.
  "auto.offset.reset": "earliest",
});
consumer.on("rebalance", (err, assignment) => {
  // Cooperative: the partitions added. Otherwise (librdkafka 2.8's early-access KIP-848 client reports
  // "NONE"/"EAGER"), the whole new assignment, replacing the old one without a revoke callback.
  const incremental = consumer.rebalanceProtocol() === "COOPERATIVE";
  if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
    emit({ ev: "assigned", partitions: parts(assignment), incremental });
  } else if (err.code === Kafka.CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
    emit({ ev: "revoked", partitions: parts(assignment) });
  } else emit({ ev: "error", code: err.code, name: "rebalance", text: String(err.message) });
});
// librdkafka's log lines (with a "debug" setting) go to stderr, which the test shows on failure.
consumer.on("event.log", (log) => process.stderr.write(`${log.severity} ${log.fac} ${log.message}\n`));
consumer.on(
  "event.error",
  (err) => emit({ ev: "error", code: err.code, name: err.name ?? "error", text: err.message }),
);

let closing = false;
function consumeLoop() {
  if (closing) return;
  consumer.consume(5, (err, messages) => {
    if (err) emit({ ev: "error", code: err.code, name: "consume", text: err.message });
    for (const m of messages ?? []) {
      let commitError = null;
      if (commitEach) {
        try {
          consumer.commitMessageSync(m);
        } catch (e) {
          commitError = e.code ?? -1;
        }
      }
      emit({
        ev: "msg",
        topic: m.topic,
        p: m.partition,
        o: m.offset,
        v: m.value === null ? null : m.value.toString(),
        err: commitError,
      });
    }
    setTimeout(consumeLoop, messages?.length ? delayMs * messages.length : 0);
  });
}

function close() {
  if (closing) return;
  closing = true;
  emit({ ev: "closing" });
  consumer.disconnect(() => {
    emit({ ev: "closed" });
    process.exit(0);
  });
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const words = line.trim().split(/\s+/);
  if (words[0] === "close") close();
  else if (words[0] === "committed") {
    const toppars = Array.from({ length: Number(words[2]) }, (_, p) => ({ topic: words[1], partition: p }));
    consumer.committed(toppars, 10_000, (err, got) => {
      if (err) emit({ ev: "error", code: err.code, name: "committed", text: err.message });
      else emit({ ev: "committed", offsets: got.map((tp) => [tp.topic, tp.partition, tp.offset]) });
    });
  }
}).on("close", close);

consumer.setDefaultConsumeTimeout(100);
consumer.connect({ timeout: 15_000 }, (err) => {
  if (err) {
    emit({ ev: "error", code: err.code ?? -1, name: "connect", text: String(err.message ?? err) });
    process.exit(1);
  }
});
consumer.on("ready", () => {
  consumer.subscribe(settings.topics);
  consumeLoop();
});
