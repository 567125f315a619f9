import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeBroker } from "../_in_memory.ts";
import {
  decodeFindCoordinatorResponse,
  encodeFindCoordinatorRequest,
  type FindCoordinatorRequest,
} from "../../../src/protocol/generated/find_coordinator.ts";

const call = (broker: FakeBroker, version: number, request: FindCoordinatorRequest) =>
  broker.call(10, version, request, encodeFindCoordinatorRequest, decodeFindCoordinatorResponse);

describe("FindCoordinator", () => {
  for (let version = 0; version <= 3; version++) {
    test(`v${version} answers this node for a group at the listener's advertised address`, async () => {
      const broker = new FakeBroker();
      const response = await call(broker, version, { key: "my-group", keyType: 0, coordinatorKeys: [] });
      assert.equal(response.errorCode, 0);
      assert.deepEqual([response.nodeId, response.host, response.port], [1, "broker.example", 9092]);
    });
  }
  for (let version = 4; version <= 6; version++) {
    test(`v${version} answers one coordinator per key, for groups and transactional ids`, async () => {
      const broker = new FakeBroker();
      for (const keyType of [0, 1]) {
        const response = await call(broker, version, { key: "", keyType, coordinatorKeys: ["a", "b"] });
        assert.deepEqual(
          response.coordinators.map((c) => [c.key, c.nodeId, c.host, c.port, c.errorCode]),
          [["a", 1, "broker.example", 9092, 0], ["b", 1, "broker.example", 9092, 0]],
        );
      }
    });
  }
  test("share groups and unknown key types are INVALID_REQUEST", async () => {
    const broker = new FakeBroker();
    const v6 = await call(broker, 6, { key: "", keyType: 2, coordinatorKeys: ["s"] });
    assert.equal(v6.coordinators[0].errorCode, 42);
    assert.equal(v6.coordinators[0].nodeId, -1);
    const v1 = await call(broker, 1, { key: "g", keyType: 7, coordinatorKeys: [] });
    assert.equal(v1.errorCode, 42);
  });
});
