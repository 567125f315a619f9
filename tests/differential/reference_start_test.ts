/**
 * Starting the reference Kafka (scripts/kafka/reference.ts) on a port that is
 * taken fails with Kafka's own cause in the message (its first error lines,
 * which a tail of its shutdown lines used to hide). Starts on free ports are
 * what every other differential file does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { startReferenceKafka } from "../../scripts/kafka/reference.ts";

test("a taken port: the start fails naming the bind failure", async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      startReferenceKafka({ port, startTimeoutMs: 90_000 }),
      (e: Error) => {
        assert.match(e.message, new RegExp(`reference Kafka exited on port ${port}`));
        assert.match(e.message, /Address already in use|BindException/);
        return true;
      },
    );
  } finally {
    // Not awaited: the close callback waits for the probe connections Kafka's start-up check left accepted.
    holder.close();
  }
});
