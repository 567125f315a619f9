/**
 * Owner-aware dispatch: a Produce whose partitions share one owner goes to
 * that owner's port; a Produce spanning owners, one for a topic the table
 * does not know yet, and every other request still go round robin (Fetch:
 * per connection). A table update takes effect for the next request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rig } from "./_processor_rig.ts";
import { OwnerTable } from "../../src/network/produce_owner.ts";
import { ownerOf } from "../../src/replica/partition_owner.ts";
import { encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import { encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { metadata } from "./_processor_rig.ts";

const HANDLERS = 3;
const TOPIC_ID = "b1Kx0mJ8Q3WZ0qfOe3x9lA";

/** A size-prefixed Produce v7 (header v1) for `partitions` of "orders". */
function produce(correlationId: number, partitions: number[], topic = "orders"): Uint8Array {
  const w = new Writer(128);
  w.writeInt32(0);
  encodeRequestHeader(w, 1, { requestApiKey: 0, requestApiVersion: 7, correlationId, clientId: "t" });
  encodeProduceRequest(w, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: partitions.map((index) => ({ index, records: new Uint8Array(20) })) }],
  });
  const bytes = w.finish().slice();
  new DataView(bytes.buffer).setInt32(0, bytes.byteLength - 4);
  return bytes;
}

function handlerOf(rig: Rig, correlationId: number): number {
  return rig.handlers.findIndex((h) => h.inbox.some((r) => new DataView(r.frame).getInt32(4) === correlationId));
}

test("a Produce goes to its partitions' owner; mixed, unknown and other requests go round robin", async () => {
  const owners = new OwnerTable(HANDLERS);
  owners.replace([["orders", TOPIC_ID]]);
  const rig = new Rig({ handlerCount: HANDLERS, owners });
  const socket = rig.open();
  let id = 1;
  const send = (frame: Uint8Array) => {
    const cid = new DataView(frame.buffer).getInt32(8);
    rig.processor.data(socket, frame);
    // Answer at once so the connection unmutes for the next one.
    const handler = rig.handlers[handlerOf(rig, cid)];
    handler.answer(handler.inbox.find((r) => new DataView(r.frame).getInt32(4) === cid)!);
  };
  for (let p = 0; p < 2 * HANDLERS; p++) {
    const cid = id++;
    send(produce(cid, [p]));
    assert.equal(handlerOf(rig, cid), ownerOf(TOPIC_ID, p, HANDLERS), `partition ${p}`);
  }
  const shared = id++;
  send(produce(shared, [1, 1 + HANDLERS]));
  assert.equal(handlerOf(rig, shared), ownerOf(TOPIC_ID, 1, HANDLERS));

  // Spanning owners or unknown: round robin, which visits every handler over M requests.
  const spread = new Set<number>();
  for (let i = 0; i < HANDLERS; i++) {
    const cid = id++;
    send(i % 2 === 0 ? produce(cid, [0, 1]) : produce(cid, [0], "unknown-yet"));
    spread.add(handlerOf(rig, cid));
  }
  for (let i = 0; i < HANDLERS; i++) {
    const cid = id++;
    send(metadata(cid));
    spread.add(handlerOf(rig, cid));
  }
  assert.equal(spread.size, HANDLERS);

  // The topic appears (a metadata change): its produce now goes to the owner.
  owners.replace([["orders", TOPIC_ID], ["unknown-yet", "AAAAAAAAAAAAAAAAAAAAAA"]]);
  const later = id++;
  send(produce(later, [2], "unknown-yet"));
  assert.equal(handlerOf(rig, later), ownerOf("AAAAAAAAAAAAAAAAAAAAAA", 2, HANDLERS));

  rig.processor.close(socket);
  await rig.stop();
  rig.assertNothingHeld();
});
