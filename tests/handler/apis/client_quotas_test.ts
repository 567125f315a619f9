/**
 * DescribeClientQuotas and AlterClientQuotas on an in-process broker core:
 * an alteration is seen by every handler at once (it travels in the metadata
 * image), removals delete keys and then the entity, validateOnly changes
 * nothing, the quotas outlive a restart, and the file they are kept in refuses
 * to start the broker when damaged.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { withBroker } from "./_helpers.ts";
import { LocalBroker } from "../_local_broker.ts";
import * as aq from "../../../src/protocol/generated/alter_client_quotas.ts";
import * as dq from "../../../src/protocol/generated/describe_client_quotas.ts";

type Op = { key: string; value: number; remove: boolean };

function alter(b: LocalBroker, entity: Record<string, string | null>, ops: Op[], validateOnly = false, h = 0) {
  return b.call(
    49,
    1,
    {
      entries: [{
        entity: Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName })),
        ops,
      }],
      validateOnly,
    },
    aq.encodeAlterClientQuotasRequest,
    aq.decodeAlterClientQuotasResponse,
    h,
  );
}

/** Every quota, as "type=name,..." → { key: value }, through handler `h`. */
async function describeAll(b: LocalBroker, h: number, version = 1): Promise<Record<string, Record<string, number>>> {
  const res = await b.call(
    48,
    version,
    { components: [], strict: false },
    dq.encodeDescribeClientQuotasRequest,
    dq.decodeDescribeClientQuotasResponse,
    h,
  );
  assert.equal(res.errorCode, 0);
  const out: Record<string, Record<string, number>> = {};
  for (const e of res.entries ?? []) {
    const name = e.entity.map((x) => `${x.entityType}=${x.entityName ?? "<default>"}`).sort().join(",");
    out[name] = Object.fromEntries(e.values.map((v) => [v.key, v.value]));
  }
  return out;
}

const set = (key: string, value: number): Op => ({ key, value, remove: false });
const remove = (key: string): Op => ({ key, value: 0, remove: true });

describe("client quota APIs", () => {
  test("an alteration through one handler is described by every handler; removals; validateOnly", async () => {
    await withBroker({ handlers: 2 }, async (b) => {
      const r = await alter(
        b,
        { user: "alice", "client-id": null },
        [
          set("producer_byte_rate", 1024),
          set("request_percentage", 25.5),
        ],
        false,
        0,
      );
      assert.equal(r.entries[0].errorCode, 0);
      const expected = { "client-id=<default>,user=alice": { producer_byte_rate: 1024, request_percentage: 25.5 } };
      assert.deepEqual(await describeAll(b, 1), expected);
      assert.deepEqual(await describeAll(b, 0, 0), expected);

      assert.equal((await alter(b, { user: "bob" }, [set("producer_byte_rate", 5)], true)).entries[0].errorCode, 0);
      assert.deepEqual(await describeAll(b, 1), expected, "validateOnly changes nothing");

      await alter(b, { user: "alice", "client-id": null }, [remove("request_percentage")]);
      assert.deepEqual(await describeAll(b, 1), { "client-id=<default>,user=alice": { producer_byte_rate: 1024 } });
      await alter(b, { user: "alice", "client-id": null }, [remove("producer_byte_rate")]);
      assert.deepEqual(await describeAll(b, 1), {}, "an entity without values is gone");
    });
  });

  test("quotas outlive a restart; a damaged quota file stops the start", async () => {
    const first = await LocalBroker.start({ handlers: 2 });
    await alter(first, { "client-id": "app" }, [set("consumer_byte_rate", 2048)]);
    await first.stop();
    const again = await LocalBroker.start({ handlers: 2, dir: first.dir });
    try {
      assert.deepEqual(await describeAll(again, 1), { "client-id=app": { consumer_byte_rate: 2048 } });
    } finally {
      await again.stop();
    }
    fs.writeFileSync(path.join(first.dir, "__tsbroker_client_quotas.json"), "{ not json");
    await assert.rejects(LocalBroker.start({ handlers: 1, dir: first.dir }), /client quotas .* cannot be read/);
    first.remove();
  });
});
