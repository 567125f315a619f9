/** AlterClientQuotas' checks (as the reference Kafka answers them, see tests/differential/client_quotas_test.ts) and effects. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { alterQuotas, type QuotaAlteration } from "../../../src/cluster/quota/quota_alter.ts";
import type { QuotaRecord } from "../../../src/cluster/quota/quota_entity.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";

const entry = (entity: Record<string, string | null>, ops: Array<[string, number | null]>): QuotaAlteration => ({
  entity: Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName })),
  ops: ops.map(([key, value]) => ({ key, value: value ?? 0, remove: value === null })),
});

const codes = (alterations: QuotaAlteration[]) =>
  alterQuotas(new Map(), alterations, false).outcomes.map((o) => o.errorCode);

describe("alterQuotas", () => {
  test("refusals are INVALID_REQUEST and change nothing; other entities still apply", () => {
    const { outcomes, records } = alterQuotas(new Map(), [
      entry({ user: "a" }, [["producer_byte_rate", 10.5]]),
      entry({ user: "b" }, [["producer_byte_rate", 0]]),
      entry({ user: "c" }, [["nope", 1]]),
      entry({ user: "d", ip: "10.0.0.1" }, [["producer_byte_rate", 1]]),
      entry({ group: "g" }, [["producer_byte_rate", 1]]),
      entry({ user: "" }, [["producer_byte_rate", 1]]),
      entry({}, [["producer_byte_rate", 1]]),
      entry({ ip: "10.0.0.1" }, [["connection_creation_rate", 3e9]]),
      entry({ user: "ok" }, [["request_percentage", 12.5]]),
    ], false);
    assert.deepEqual(outcomes.map((o) => o.errorCode), [...Array(8).fill(ErrorCode.INVALID_REQUEST), ErrorCode.NONE]);
    assert.deepEqual([...records.values()], [{ entity: { user: "ok" }, values: { request_percentage: 12.5 } }]);
  });

  test("a duplicate key or entity refuses that entity once", () => {
    assert.deepEqual(codes([entry({ user: "a" }, [["producer_byte_rate", 1], ["producer_byte_rate", 2]])]), [42]);
    assert.deepEqual(codes([entry({ user: "a" }, [["producer_byte_rate", 1]]), entry({ user: "a" }, [])]), [42]);
  });

  test("removing the last key removes the entity; validateOnly and no-op changes return the same records", () => {
    const start = new Map<string, QuotaRecord>();
    const set = alterQuotas(start, [entry({ "client-id": null }, [["producer_byte_rate", 5]])], false).records;
    assert.equal(set.size, 1);
    assert.equal(alterQuotas(set, [entry({ "client-id": null }, [["producer_byte_rate", 5]])], false).records, set);
    assert.equal(alterQuotas(set, [entry({ "client-id": null }, [["producer_byte_rate", 9]])], true).records, set);
    assert.equal(
      alterQuotas(set, [entry({ "client-id": null }, [["producer_byte_rate", null]])], false).records.size,
      0,
    );
  });
});
