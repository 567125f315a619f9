import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OwnerTable, produceOwner } from "../../src/network/produce_owner.ts";
import { ownerOf } from "../../src/replica/partition_owner.ts";
import { encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import { encodeProduceRequest, type TopicProduceData } from "../../src/protocol/generated/produce.ts";
import { requestHeaderVersion } from "../../src/protocol/api_headers.ts";
import { Writer } from "../../src/protocol/io/writer.ts";

const HANDLERS = 3;
const TOPICS: Array<[string, string]> = [["orders", "b1Kx0mJ8Q3WZ0qfOe3x9lA"], ["clicks", "Zq7Ue0Cw0d2Rk3mD4d1vVQ"]];
const table = new OwnerTable(HANDLERS);
table.replace(TOPICS);
const idOf = new Map(TOPICS);

function frame(version: number, topics: TopicProduceData[], transactionalId: string | null = null): Uint8Array {
  const w = new Writer(256);
  encodeRequestHeader(w, requestHeaderVersion(0, version), {
    requestApiKey: 0,
    requestApiVersion: version,
    correlationId: 5,
    clientId: "owner-test",
  });
  encodeProduceRequest(w, version, { transactionalId, acks: 1, timeoutMs: 1000, topicData: topics });
  return w.finish().slice();
}

const records = (n: number) => new Uint8Array(n).fill(7);
const one = (name: string, index: number, bytes = 100): TopicProduceData => ({
  name,
  partitionData: [{ index, records: records(bytes) }],
});

describe("produceOwner: the handler owning every partition of a Produce, from its bytes", () => {
  for (let version = 0; version <= 11; version++) {
    test(`v${version}: one partition goes to its owner; partitions of one owner too; mixed owners to nobody`, () => {
      for (let p = 0; p < 6; p++) {
        assert.equal(
          produceOwner(frame(version, [one("orders", p)]), version, table),
          ownerOf(idOf.get("orders")!, p, HANDLERS),
        );
      }
      // Partitions p and p + M share an owner.
      const same: TopicProduceData = {
        name: "orders",
        partitionData: [{ index: 1, records: records(10) }, { index: 1 + HANDLERS, records: null }],
      };
      assert.equal(produceOwner(frame(version, [same]), version, table), ownerOf(idOf.get("orders")!, 1, HANDLERS));
      const mixed: TopicProduceData = {
        name: "orders",
        partitionData: [{ index: 0, records: records(10) }, { index: 1, records: records(10) }],
      };
      assert.equal(produceOwner(frame(version, [mixed]), version, table), -1);
    });
  }

  test("two topics count only when every partition shares the owner", () => {
    const orders = idOf.get("orders")!;
    const clicks = idOf.get("clicks")!;
    let found = false;
    for (let a = 0; a < HANDLERS && !found; a++) {
      for (let b = 0; b < HANDLERS && !found; b++) {
        if (ownerOf(orders, a, HANDLERS) !== ownerOf(clicks, b, HANDLERS)) continue;
        found = true;
        const both = frame(9, [one("orders", a), one("clicks", b)], "txn-1");
        assert.equal(produceOwner(both, 9, table), ownerOf(orders, a, HANDLERS));
      }
    }
    assert.ok(found);
    const apart = [0, 1, 2].find((b) => ownerOf(clicks, b, HANDLERS) !== ownerOf(orders, 0, HANDLERS))!;
    assert.equal(produceOwner(frame(9, [one("orders", 0), one("clicks", apart)]), 9, table), -1);
  });

  test("unknown topics, empty requests, other APIs and later table changes", () => {
    assert.equal(produceOwner(frame(7, [one("nope", 0)]), 7, table), -1);
    assert.equal(produceOwner(frame(7, []), 7, table), -1);
    const other = frame(7, [one("orders", 0)]);
    other[1] = 1; // a Fetch key
    assert.equal(produceOwner(other, 7, table), -1);
    const moved = new OwnerTable(HANDLERS);
    moved.replace([["orders", "AAAAAAAAAAAAAAAAAAAAAA"]]);
    assert.equal(produceOwner(frame(7, [one("orders", 2)]), 7, moved), ownerOf("AAAAAAAAAAAAAAAAAAAAAA", 2, HANDLERS));
  });

  test("a truncated or lying frame answers -1 at every cut, never throws", () => {
    for (const version of [3, 8, 9, 11]) {
      const whole = frame(version, [one("orders", 0, 40), one("clicks", 0, 40)]);
      for (let cut = 0; cut < whole.byteLength; cut++) {
        const owner = produceOwner(whole.subarray(0, cut), version, table);
        // Only the request's own trailing tagged fields (v9+) are not read: cutting them off still routes.
        assert.ok(
          owner === -1 || (version >= 9 && cut === whole.byteLength - 1),
          `v${version} cut at ${cut}: ${owner}`,
        );
      }
      const lying = whole.slice();
      lying.fill(0xff, 20, 40);
      assert.equal(typeof produceOwner(lying, version, table), "number");
    }
  });
});
