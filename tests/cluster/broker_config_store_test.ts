/**
 * The controller's file of dynamic broker configs: what is saved is what the
 * next start reads; a file that cannot be read is kept aside with a WARN
 * naming it, and the broker starts with no dynamic configs instead of not
 * starting.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BrokerConfigStore } from "../../src/cluster/broker_config_store.ts";
import { Logger } from "../../src/util/logger.ts";

const FILE = "__tsbroker_broker_configs.json";

function capture(): { log: Logger; lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const original = console.error;
  console.error = (s: string) => lines.push(s);
  return { log: new Logger("test"), lines, restore: () => (console.error = original) };
}

test("saved configs are what the next open reads", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broker-configs-"));
  try {
    const store = BrokerConfigStore.open(dir, new Logger("test"));
    assert.deepEqual(store.get(), { clusterDefaults: {}, perBroker: {} });
    // JSON.parse makes __proto__ an own key, as a request's config name would be.
    const clusterDefaults = JSON.parse('{"log.retention.ms": "1234567", "__proto__": "x"}');
    store.save({ clusterDefaults, perBroker: { a: "b" } });
    const again = BrokerConfigStore.open(dir, new Logger("test"));
    assert.deepEqual(again.get().perBroker, { a: "b" });
    assert.equal(again.get().clusterDefaults["log.retention.ms"], "1234567");
    assert.ok(Object.hasOwn(again.get().clusterDefaults, "__proto__"), "a name like __proto__ stays a name");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a file that cannot be read is kept aside, with a WARN naming it, and the broker starts without it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broker-configs-"));
  const { log, lines, restore } = capture();
  try {
    fs.writeFileSync(path.join(dir, FILE), "{ not json");
    const store = BrokerConfigStore.open(dir, log);
    assert.deepEqual(store.get(), { clusterDefaults: {}, perBroker: {} });
    assert.equal(fs.existsSync(path.join(dir, FILE)), false);
    assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith(`${FILE}.corrupt-`)).length, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /WARN .*__tsbroker_broker_configs\.json cannot be read .* kept as /);
  } finally {
    restore();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
