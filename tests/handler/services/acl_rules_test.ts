/** The ACL table covers every API the registry dispatches, and names only operations Kafka's resources have. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dispatchTable } from "../../../src/handler/apis/registry.ts";
import { ACL_RULES } from "../../../src/handler/services/acl_rules.ts";
import { AclOperation } from "../../../src/cluster/acl/acl_types.ts";

test("every registered API has a row in ACL_RULES, and every row a registered API", () => {
  const keys = [...dispatchTable().keys()];
  const missing = keys.filter((k) => !ACL_RULES.has(k)).map((k) => `${k} ${dispatchTable().get(k)!.name}`);
  assert.deepEqual(missing, [], "APIs without an authorization rule");
  const stale = [...ACL_RULES.keys()].filter((k) => !keys.includes(k));
  assert.deepEqual(stale, [], "rows for APIs that are not registered");
});

test("only ApiVersions and the SASL APIs need nothing; every operation named is a definite one", () => {
  const free = [...ACL_RULES].filter(([, rule]) => Object.keys(rule).length === 0).map(([k]) => k).sort((a, b) =>
    a - b
  );
  assert.deepEqual(free, [17, 18, 36]);
  for (const [key, rule] of ACL_RULES) {
    for (const op of [rule.topic, rule.group, rule.transactionalId, rule.cluster]) {
      if (op === undefined) continue;
      assert.ok(op > AclOperation.ALL && op <= AclOperation.TWO_PHASE_COMMIT, `API ${key}: operation ${op}`);
    }
  }
});
