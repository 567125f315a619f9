/**
 * Run by client_bun_test.ts under Bun (not a test itself): the client library from mod.ts produces with
 * zstd, consumes back through a consumer group, and prints one JSON line with what it saw.
 *   bun run tests/client/_bun_scenario.ts HOST:PORT
 */
import process from "node:process";
import { Admin, Consumer, Producer } from "../../mod.ts";

const bootstrapServers = [process.argv[2]];
const admin = new Admin({ bootstrapServers });
await admin.createTopics([{ name: "bun-topic", partitions: 2 }]);
const producer = new Producer({ bootstrapServers, compression: "zstd" });
const sent = await Promise.all(
  Array.from({ length: 100 }, (_, i) => producer.send({ topic: "bun-topic", key: `k${i}`, value: `v${i}` })),
);
await producer.close();
const consumer = new Consumer({ bootstrapServers, groupId: "bun-group", autoOffsetReset: "earliest" });
consumer.subscribe(["bun-topic"]);
const values: string[] = [];
const deadline = Date.now() + 20_000;
while (values.length < 100 && Date.now() < deadline) {
  for (const r of await consumer.poll(500)) values.push(new TextDecoder().decode(r.value!));
}
await consumer.commit();
await consumer.close();
const groups = (await admin.listGroups()).map((g) => g.groupId);
await admin.close();
console.log(JSON.stringify({ acked: sent.filter((m) => m.offset >= 0n).length, values: values.sort(), groups }));
