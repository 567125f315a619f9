/** The controller's ACL store: changes persisted atomically and read back, Kafka's create/delete semantics, and refusals at start. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AclStore } from "../../src/supervisor/acl_store.ts";
import { Controller } from "../../src/supervisor/controller.ts";
import { TopicRegistry } from "../../src/cluster/topic_registry.ts";
import { loadConfig } from "../../src/config/load.ts";
import { Logger } from "../../src/util/logger.ts";
import type { AclBinding } from "../../src/cluster/acl/acl_types.ts";

const binding = (o: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: 2,
  resourceName: "orders",
  patternType: 3,
  principal: "User:alice",
  host: "*",
  operation: 3,
  permission: 3,
  ...o,
});
const ANY = {
  resourceType: 1,
  resourceName: null,
  patternType: 1,
  principal: null,
  host: null,
  operation: 1,
  permission: 1,
};

function withDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "acl-store-"));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("creating twice keeps one binding; deletes report per filter; all of it survives reopening", () => {
  withDir((dir) => {
    const store = AclStore.open(dir);
    assert.equal(store.execute({ kind: "create", bindings: [binding(), binding({ operation: 4 })] }).changed, true);
    assert.equal(store.execute({ kind: "create", bindings: [binding()] }).changed, false);
    assert.equal(store.all().length, 2);
    const { result, changed } = store.execute({
      kind: "delete",
      filters: [{ ...ANY, operation: 4 }, { ...ANY, principal: "User:bob" }, { ...ANY, operation: 4 }],
    });
    assert.equal(changed, true);
    assert.deepEqual(result, {
      kind: "delete",
      deleted: [[binding({ operation: 4 })], [], [binding({ operation: 4 })]],
    });
    assert.deepEqual(AclStore.open(dir).all(), [binding()]);
    assert.deepEqual(fs.readdirSync(dir), ["__tsbroker_acls.json"], "no temporary file left");
  });
});

test("a damaged ACL file stops the start with the file's name", () => {
  withDir((dir) => {
    fs.writeFileSync(path.join(dir, "__tsbroker_acls.json"), '{"version": 1, "acls": [{"resourceType": "x"}]}');
    assert.throws(() => AclStore.open(dir), /__tsbroker_acls\.json cannot be read .*resourceType/);
  });
});

test("authorizer.class.name other than the StandardAuthorizer stops the start", () => {
  withDir((dir) => {
    const config = loadConfig({
      overrides: [`log.dirs=${dir}`, "authorizer.class.name=kafka.security.authorizer.AclAuthorizer"],
    });
    assert.throws(
      () => new Controller(dir, new TopicRegistry(dir), config, new Logger("test"), () => Promise.resolve()),
      /authorizer\.class\.name: .*only org\.apache\.kafka\.metadata\.authorizer\.StandardAuthorizer/,
    );
  });
});
