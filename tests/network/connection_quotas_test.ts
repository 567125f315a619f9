import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionQuotas, createQuotaBuffer } from "../../src/network/connection_quotas.ts";

describe("ConnectionQuotas", () => {
  test("refuses past max.connections.per.ip, honouring per-address overrides", () => {
    const quotas = new ConnectionQuotas(createQuotaBuffer(), {
      maxConnections: 100,
      maxConnectionsPerIp: 2,
      perIpOverrides: new Map([["10.0.0.9", 3]]),
    });
    assert.equal(quotas.tryAcquire("10.0.0.1"), "ok");
    assert.equal(quotas.tryAcquire("10.0.0.1"), "ok");
    assert.equal(quotas.tryAcquire("10.0.0.1"), "max.connections.per.ip");
    assert.equal(quotas.tryAcquire("10.0.0.2"), "ok");
    for (let i = 0; i < 3; i++) assert.equal(quotas.tryAcquire("10.0.0.9"), "ok");
    assert.equal(quotas.tryAcquire("10.0.0.9"), "max.connections.per.ip");
    assert.equal(quotas.total, 6);
    quotas.release("10.0.0.1");
    assert.equal(quotas.countFor("10.0.0.1"), 1);
    assert.equal(quotas.tryAcquire("10.0.0.1"), "ok");
  });

  test("refuses past max.connections and undoes the count", () => {
    const quotas = new ConnectionQuotas(createQuotaBuffer(), {
      maxConnections: 2,
      maxConnectionsPerIp: 10,
      perIpOverrides: new Map(),
    });
    assert.equal(quotas.tryAcquire("a"), "ok");
    assert.equal(quotas.tryAcquire("b"), "ok");
    assert.equal(quotas.tryAcquire("c"), "max.connections");
    assert.equal(quotas.total, 2);
    assert.equal(quotas.countFor("c"), 0);
  });

  test("two views of one buffer (two Workers) share the counts", () => {
    const buffer = createQuotaBuffer();
    const limits = { maxConnections: 10, maxConnectionsPerIp: 1, perIpOverrides: new Map<string, number>() };
    const first = new ConnectionQuotas(buffer, limits);
    const second = new ConnectionQuotas(buffer, limits);
    assert.equal(first.tryAcquire("127.0.0.1"), "ok");
    assert.equal(second.tryAcquire("127.0.0.1"), "max.connections.per.ip");
  });
});
