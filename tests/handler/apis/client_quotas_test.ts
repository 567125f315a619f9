/**
 * DescribeClientQuotas and AlterClientQuotas on an in-process broker core:
 * an alteration is seen by every handler at once (it travels in the metadata
 * image), removals delete keys and then the entity, validateOnly changes
 * nothing, the quotas outlive a restart, and the file they are kept in refuses
 * to start the broker when damaged. Throttling through a RequestHandler with
 * a rate table: a Produce or Fetch over its user's or client id's quota is
 * answered with throttle_time_ms and tells the processor to hold the
 * connection for as long; other clients are not throttled.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { produceRecords, withBroker } from "./_helpers.ts";
import { dispatchTable } from "../../../src/handler/apis/registry.ts";
import { RequestHandler } from "../../../src/handler/request_handler.ts";
import { ClientQuotas } from "../../../src/handler/services/client_quotas.ts";
import { createRateTableBuffer, RateTable } from "../../../src/cluster/quota/rate_table.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { Logger } from "../../../src/util/logger.ts";
import * as pr from "../../../src/protocol/generated/produce.ts";
import * as fe from "../../../src/protocol/generated/fetch.ts";
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

  test("a Produce or Fetch over its quota is answered with throttle_time_ms and holds the connection", async () => {
    await withBroker({ handlers: 1 }, async (b) => {
      await b.createTopic("t", 1);
      await alter(b, { user: "alice" }, [set("producer_byte_rate", 1000)]);
      await alter(b, { "client-id": null }, [set("consumer_byte_rate", 5000)]);
      const handler = new RequestHandler(
        dispatchTable(),
        () => b.states[0],
        new Logger("quota-test"),
        false,
        new ClientQuotas(new RateTable(createRateTableBuffer())),
      );
      const send = async <Req, Res>(
        principal: string,
        clientId: string,
        apiKey: number,
        version: number,
        body: Req,
        encode: (w: Writer, v: number, m: Req) => void,
        decode: (r: Reader, v: number) => Res,
      ) => {
        const w = new Writer(128);
        encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
          requestApiKey: apiKey,
          requestApiVersion: version,
          correlationId: 1,
          clientId,
        });
        encode(w, version, body);
        const result = await handler.handle(w.finish().slice(), { listenerIndex: 0, principal, clientAddress: "x:1" });
        assert.equal(result.action, "send");
        if (result.action !== "send") throw new Error("no answer");
        const r = new Reader(result.bytes, 4);
        decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
        return { body: decode(r, version), throttleMs: result.throttleMs ?? 0 };
      };
      // 20 kB: over 1000 B/s even spread over Kafka's 10 s minimum span.
      const records = buildBatch([{ key: null, value: new Uint8Array(20_000), timestampDelta: 0 }], {
        baseTimestamp: BigInt(Date.now()),
      });
      const produce = (principal: string) =>
        send(
          principal,
          "p",
          0,
          9,
          {
            transactionalId: null,
            acks: 1,
            timeoutMs: 1000,
            topicData: [{ name: "t", partitionData: [{ index: 0, records }] }],
          },
          pr.encodeProduceRequest,
          pr.decodeProduceResponse,
        );
      const bob = await produce("User:bob");
      assert.equal(bob.body.throttleTimeMs, 0, "no quota for bob");
      assert.equal(bob.throttleMs, 0);
      const alice = await produce("User:alice");
      assert.equal(alice.body.responses[0].partitionResponses[0].errorCode, 0, "the produce is still appended");
      assert.ok(alice.body.throttleTimeMs > 1000, `throttle_time_ms ${alice.body.throttleTimeMs}`);
      assert.equal(alice.throttleMs, alice.body.throttleTimeMs, "the processor holds the connection as long");

      await produceRecords(b, "t", 0, records);
      const fetch = (clientId: string) =>
        send(
          "User:carol",
          clientId,
          1,
          12,
          {
            ...fe.defaultFetchRequest(),
            topics: [{
              ...fe.defaultFetchTopic(),
              topic: "t",
              partitions: [{
                ...fe.defaultFetchPartition(),
                partition: 0,
                fetchOffset: 0n,
                partitionMaxBytes: 1 << 20,
              }],
            }],
          },
          fe.encodeFetchRequest,
          fe.decodeFetchResponse,
        );
      const first = await fetch("c1");
      // 60 kB against 5000 B/s over a 10 s span: about 2 s; counted together with c2 it would be 11 s (the cap).
      assert.ok(first.body.throttleTimeMs > 1000 && first.body.throttleTimeMs < 3000, `${first.body.throttleTimeMs}`);
      const other = await fetch("c2");
      assert.ok(
        Math.abs(other.body.throttleTimeMs - first.body.throttleTimeMs) < 100,
        `a default client-id quota is counted per client id: c2 ${other.body.throttleTimeMs}, c1 ${first.body.throttleTimeMs}`,
      );
    });
  });
});
