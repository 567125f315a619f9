/** Kafka's StandardAuthorizer rules, binding filters and the checks of new bindings. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type AclBinding,
  type AclFilter,
  AclOperation as Op,
  AclPermission,
  PatternType,
  ResourceType,
} from "../../../src/cluster/acl/acl_types.ts";
import { Authorizer, hostOf, parseSuperUsers } from "../../../src/cluster/acl/authorizer.ts";
import { filterMatches } from "../../../src/cluster/acl/acl_filter.ts";
import {
  bindingProblem,
  filterProblem,
  hasIndefiniteCode,
  hasUnknownCode,
} from "../../../src/cluster/acl/acl_validate.ts";
import { authorizerClassProblem, STANDARD_AUTHORIZER } from "../../../src/cluster/acl/authorizer_config.ts";

const HOST = "10.0.0.1";

function acl(o: Partial<AclBinding>): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: "orders",
    patternType: PatternType.LITERAL,
    principal: "User:alice",
    host: "*",
    operation: Op.READ,
    permission: AclPermission.ALLOW,
    ...o,
  };
}

function authorizer(bindings: AclBinding[], opts: { superUsers?: string; allowIfNone?: boolean } = {}) {
  return new Authorizer(bindings, {
    superUsers: parseSuperUsers(opts.superUsers ?? ""),
    allowEveryoneIfNoAclFound: opts.allowIfNone ?? false,
  });
}

const topic = (a: Authorizer, op: number, name = "orders", principal = "User:alice", host = HOST) =>
  a.authorize(principal, host, op, ResourceType.TOPIC, name);

describe("authorize", () => {
  test("a literal ALLOW grants its operation on that name only, to that principal only", () => {
    const a = authorizer([acl({})]);
    assert.equal(topic(a, Op.READ), true);
    assert.equal(topic(a, Op.WRITE), false);
    assert.equal(topic(a, Op.READ, "orders2"), false);
    assert.equal(topic(a, Op.READ, "orders", "User:bob"), false);
    assert.equal(a.authorize("User:alice", HOST, Op.READ, ResourceType.GROUP, "orders"), false);
  });

  test("READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; nothing else", () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
      assert.equal(topic(authorizer([acl({ operation: op })]), Op.DESCRIBE), true, `op ${op}`);
    }
    for (const op of [Op.CREATE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.CLUSTER_ACTION]) {
      assert.equal(topic(authorizer([acl({ operation: op })]), Op.DESCRIBE), false, `op ${op}`);
    }
    assert.equal(topic(authorizer([acl({ operation: Op.ALTER_CONFIGS })]), Op.DESCRIBE_CONFIGS), true);
    assert.equal(topic(authorizer([acl({ operation: Op.DESCRIBE })]), Op.READ), false);
  });

  test("ALL matches every operation, for ALLOW and for DENY", () => {
    const a = authorizer([acl({ operation: Op.ALL })]);
    for (const op of [Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, Op.ALTER_CONFIGS]) {
      assert.equal(topic(a, op), true, `op ${op}`);
    }
    const denied = authorizer([acl({ operation: Op.ALL }), acl({ operation: Op.ALL, permission: AclPermission.DENY })]);
    assert.equal(topic(denied, Op.READ), false);
  });

  test("DENY wins over ALLOW; a DENY of READ does not deny the DESCRIBE that READ implies", () => {
    const a = authorizer([acl({ operation: Op.ALL }), acl({ permission: AclPermission.DENY })]);
    assert.equal(topic(a, Op.READ), false);
    assert.equal(topic(a, Op.WRITE), true);
    assert.equal(topic(a, Op.DESCRIBE), true);
    const wildcardDeny = authorizer([
      acl({}),
      acl({ resourceName: "*", principal: "User:*", permission: AclPermission.DENY }),
    ]);
    assert.equal(topic(wildcardDeny, Op.READ), false);
  });

  test("wildcards: resource name *, principal User:*, host *", () => {
    assert.equal(topic(authorizer([acl({ resourceName: "*" })]), Op.READ, "anything"), true);
    assert.equal(topic(authorizer([acl({ principal: "User:*" })]), Op.READ, "orders", "User:bob"), true);
    const hostBound = authorizer([acl({ host: "10.0.0.9" })]);
    assert.equal(topic(hostBound, Op.READ), false);
    assert.equal(topic(hostBound, Op.READ, "orders", "User:alice", "10.0.0.9"), true);
  });

  test("a PREFIXED binding applies to every name it starts; a literal name * is no prefix", () => {
    const a = authorizer([acl({ resourceName: "ord", patternType: PatternType.PREFIXED })]);
    assert.equal(topic(a, Op.READ, "ord"), true);
    assert.equal(topic(a, Op.READ, "orders"), true);
    assert.equal(topic(a, Op.READ, "or"), false);
    const literalStar = authorizer([acl({ resourceName: "ord*" })]);
    assert.equal(topic(literalStar, Op.READ, "orders"), false);
  });

  test("super users bypass every DENY; allow.everyone.if.no.acl.found applies only where no binding applies", () => {
    const deny = [acl({ principal: "User:*", operation: Op.ALL, permission: AclPermission.DENY })];
    assert.equal(
      topic(authorizer(deny, { superUsers: "User:admin; User:root" }), Op.READ, "orders", "User:root"),
      true,
    );
    assert.equal(topic(authorizer(deny, { superUsers: "User:admin" }), Op.READ, "orders", "User:bob"), false);
    const open = authorizer([acl({ principal: "User:bob" })], { allowIfNone: true });
    assert.equal(topic(open, Op.READ, "other"), true, "no binding applies to 'other'");
    assert.equal(topic(open, Op.READ, "orders"), false, "a binding for bob applies to 'orders'");
    assert.equal(topic(authorizer([]), Op.READ), false);
  });

  test("authorizeAny: some ALLOW of the type not covered by a DENY (Kafka's authorizeByResourceType)", () => {
    const any = (a: Authorizer) => a.authorizeAny("User:alice", HOST, Op.WRITE, ResourceType.TOPIC);
    assert.equal(any(authorizer([acl({ operation: Op.WRITE })])), true);
    assert.equal(any(authorizer([acl({ operation: Op.READ })])), false);
    assert.equal(
      any(authorizer([acl({ operation: Op.WRITE }), acl({ operation: Op.WRITE, permission: AclPermission.DENY })])),
      false,
    );
    assert.equal(
      any(authorizer([
        acl({ operation: Op.WRITE, resourceName: "ord-1" }),
        acl({ operation: Op.WRITE, resourceName: "ord", patternType: PatternType.PREFIXED, permission: 2 }),
      ])),
      false,
    );
    assert.equal(any(authorizer([], { allowIfNone: true })), true);
  });

  test("hostOf takes the address of ip:port, IPv6 and IPv4-mapped included", () => {
    assert.equal(hostOf("127.0.0.1:5000"), "127.0.0.1");
    assert.equal(hostOf("[::1]:5000"), "::1");
    assert.equal(hostOf("::ffff:10.1.2.3:5000"), "10.1.2.3");
  });
});

describe("binding filters", () => {
  const filter = (o: Partial<AclFilter>): AclFilter => ({
    resourceType: ResourceType.ANY,
    resourceName: null,
    patternType: PatternType.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permission: AclPermission.ANY,
    ...o,
  });
  const literal = acl({});
  const prefixed = acl({ resourceName: "ord", patternType: PatternType.PREFIXED });
  const star = acl({ resourceName: "*" });

  test("null and ANY match everything; a name with ANY or a definite type must be equal", () => {
    for (const b of [literal, prefixed, star]) assert.equal(filterMatches(filter({}), b), true);
    assert.equal(filterMatches(filter({ resourceName: "orders" }), literal), true);
    assert.equal(filterMatches(filter({ resourceName: "orders" }), prefixed), false);
    assert.equal(filterMatches(filter({ resourceName: "ord", patternType: PatternType.PREFIXED }), prefixed), true);
    assert.equal(filterMatches(filter({ patternType: PatternType.LITERAL }), prefixed), false);
    assert.equal(filterMatches(filter({ principal: "User:bob" }), literal), false);
    assert.equal(filterMatches(filter({ operation: Op.WRITE }), literal), false);
    assert.equal(filterMatches(filter({ resourceType: ResourceType.GROUP }), literal), false);
  });

  test("MATCH selects what applies to the name: the literal, the wildcard, the prefixes", () => {
    const match = filter({ resourceName: "orders", patternType: PatternType.MATCH });
    assert.deepEqual([literal, prefixed, star].map((b) => filterMatches(match, b)), [true, true, true]);
    assert.equal(filterMatches(filter({ resourceName: "x", patternType: PatternType.MATCH }), prefixed), false);
  });
});

describe("validation, as the reference Kafka answers", () => {
  test("codes 0 close the connection; ANY and MATCH in a binding fail the request", () => {
    assert.equal(hasUnknownCode({ resourceType: 0, patternType: 3, operation: 3, permission: 3 }), true);
    assert.equal(hasUnknownCode({ resourceType: 2, patternType: 3, operation: 3, permission: 0 }), true);
    assert.equal(hasUnknownCode({ resourceType: 2, patternType: 3, operation: 3, permission: 3 }), false);
    assert.equal(hasIndefiniteCode({ resourceType: 1, patternType: 3, operation: 3, permission: 3 }), true);
    assert.equal(hasIndefiniteCode({ resourceType: 2, patternType: 2, operation: 3, permission: 3 }), true);
    assert.equal(hasIndefiniteCode({ resourceType: 2, patternType: 3, operation: 1, permission: 3 }), true);
  });

  test("per-binding messages in Kafka's order", () => {
    assert.equal(bindingProblem(acl({})), null);
    assert.equal(bindingProblem(acl({ resourceName: "*", patternType: PatternType.PREFIXED })), null);
    assert.equal(bindingProblem(acl({ principal: ":x" })), null);
    assert.equal(
      bindingProblem(acl({ resourceType: ResourceType.CLUSTER, resourceName: "" })),
      "The only valid name for the CLUSTER resource is kafka-cluster",
    );
    assert.equal(bindingProblem(acl({ resourceType: 9, resourceName: "" })), "Invalid empty resource name");
    assert.equal(bindingProblem(acl({ resourceType: 9 })), "Invalid resourceType UNKNOWN");
    assert.equal(bindingProblem(acl({ patternType: 7, operation: 16 })), "Invalid patternType UNKNOWN");
    assert.equal(bindingProblem(acl({ operation: 16, principal: "alice" })), "Invalid operation UNKNOWN");
    assert.equal(bindingProblem(acl({ permission: 5 })), "Invalid permissionType UNKNOWN");
    assert.match(
      bindingProblem(acl({ principal: "alice", host: "" })) ?? "",
      /^Could not parse principal from `alice`/,
    );
    assert.equal(bindingProblem(acl({ host: "" })), "Host pattern cannot be null or empty");
  });

  test("DeleteAcls filters with codes Kafka does not know", () => {
    const f: AclFilter = {
      resourceType: 1,
      resourceName: null,
      patternType: 1,
      principal: null,
      host: null,
      operation: 1,
      permission: 1,
    };
    assert.equal(filterProblem(f), null);
    assert.equal(filterProblem({ ...f, resourceType: 9 }), "Unknown patternFilter.");
    assert.equal(filterProblem({ ...f, operation: 16 }), "Unknown entryFilter.");
  });

  test("authorizer.class.name accepts empty and the StandardAuthorizer only", () => {
    assert.equal(authorizerClassProblem(""), null);
    assert.equal(authorizerClassProblem(STANDARD_AUTHORIZER), null);
    assert.match(authorizerClassProblem("kafka.security.authorizer.AclAuthorizer") ?? "", /only .*StandardAuthorizer/);
  });
});
