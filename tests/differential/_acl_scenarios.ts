/**
 * What tests/differential/acls_test.ts sends to the reference Kafka and to
 * tsbroker alike, first part: the settings both get, SASL PLAIN sessions per
 * user, the preparation (topics, a ready coordinator), the runner, and the
 * ACL APIs themselves as the super user (User:admin) and others use them.
 * The requests by alice and bob (READ only, WRITE only, prefixed grants, a
 * DENY rule) are in _acl_authorization_steps.ts and _acl_more_steps.ts. Each
 * answer is reduced to what must match: error codes and messages per
 * resource, names sorted where Kafka's order is a hash set's.
 */
import assert from "node:assert/strict";
import { wireCaller, WireClient } from "../integration/_wire.ts";
import type { Reader } from "../../src/protocol/io/reader.ts";
import type { Writer } from "../../src/protocol/io/writer.ts";
import * as hs from "../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../src/protocol/generated/sasl_authenticate.ts";
import * as ca from "../../src/protocol/generated/create_acls.ts";
import * as da from "../../src/protocol/generated/describe_acls.ts";
import * as dl from "../../src/protocol/generated/delete_acls.ts";
import * as pr from "../../src/protocol/generated/produce.ts";
import * as fe from "../../src/protocol/generated/fetch.ts";
import * as md from "../../src/protocol/generated/metadata.ts";
import * as lo from "../../src/protocol/generated/list_offsets.ts";
import * as ct from "../../src/protocol/generated/create_topics.ts";
import * as dt from "../../src/protocol/generated/delete_topics.ts";
import * as cp from "../../src/protocol/generated/create_partitions.ts";
import * as dr from "../../src/protocol/generated/delete_records.ts";
import * as oc from "../../src/protocol/generated/offset_commit.ts";
import * as of from "../../src/protocol/generated/offset_fetch.ts";
import * as fc from "../../src/protocol/generated/find_coordinator.ts";
import * as jg from "../../src/protocol/generated/join_group.ts";
import * as lg from "../../src/protocol/generated/list_groups.ts";
import * as dg from "../../src/protocol/generated/describe_groups.ts";
import * as dgr from "../../src/protocol/generated/delete_groups.ts";
import * as dc from "../../src/protocol/generated/describe_configs.ts";
import * as ia from "../../src/protocol/generated/incremental_alter_configs.ts";
import * as ip from "../../src/protocol/generated/init_producer_id.ts";

export const USERS_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";';

/** The settings both brokers get (User:ANONYMOUS is Kafka's own inter-broker and controller principal). */
export const ACL_SETTINGS: Record<string, string> = {
  "sasl.enabled.mechanisms": "PLAIN",
  "listener.name.sasl_plaintext.plain.sasl.jaas.config": USERS_JAAS,
  "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
  "super.users": "User:admin;User:ANONYMOUS",
  "num.partitions": "1",
  "auto.create.topics.enable": "true",
};

export const SETTLE_MS = 1000;
export const ZERO_ID = "AAAAAAAAAAAAAAAAAAAAAA";
export type User = "admin" | "alice" | "bob";

// deno-lint-ignore no-explicit-any
export type Any = any;
export interface Step {
  title: string;
  as: User;
  key: number;
  version: number;
  body: unknown;
  encode: (w: Writer, v: number, m: Any) => void;
  decode: (r: Reader, v: number) => Any;
  outcome: (res: Any) => unknown;
  /** Kafka's broker applies an ACL change a moment after the controller answers: wait this long after the step. */
  settleMs?: number;
}

const call = wireCaller("acl-differential");

/** One SASL PLAIN connection per user. */
export class Sessions {
  private readonly clients = new Map<User, WireClient>();
  constructor(private readonly saslPort: number) {}

  async of(user: User): Promise<WireClient> {
    let client = this.clients.get(user);
    if (client && !client.closed) return client;
    client = await WireClient.connect(this.saslPort);
    const h = await call(
      client,
      17,
      1,
      { mechanism: "PLAIN" },
      hs.encodeSaslHandshakeRequest,
      hs.decodeSaslHandshakeResponse,
    );
    assert.equal(h.errorCode, 0);
    const a = await call(
      client,
      36,
      2,
      { authBytes: new TextEncoder().encode(`\0${user}\0${user}-secret`) },
      au.encodeSaslAuthenticateRequest,
      au.decodeSaslAuthenticateResponse,
    );
    assert.equal(a.errorCode, 0, `login of ${user}`);
    this.clients.set(user, client);
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
  }
}

/**
 * Over the PLAINTEXT port (User:ANONYMOUS, a super user on both): the topics orders, payments and pay-x, and
 * waits until the group coordinator and producer ids answer (Kafka creates __consumer_offsets and fetches its first
 * producer-id block in the background), so the steps see only authorization outcomes.
 */
export async function prepare(plainPort: number): Promise<void> {
  const client = await WireClient.connect(plainPort);
  try {
    const created = await call(
      client,
      19,
      7,
      {
        topics: ["orders", "payments", "pay-x"].map((name) => ({
          name,
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        })),
        timeoutMs: 5000,
        validateOnly: false,
      },
      ct.encodeCreateTopicsRequest,
      ct.decodeCreateTopicsResponse,
    );
    assert.deepEqual(created.topics.map((t) => t.errorCode), [0, 0, 0]);
    const until = async (what: string, ok: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await ok())) {
        assert.ok(Date.now() < deadline, `${what} not ready within 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until("the group coordinator", async () => {
      const r = await call(
        client,
        10,
        4,
        { key: "", keyType: 0, coordinatorKeys: ["g"] },
        C.findCoordinator.encode,
        C.findCoordinator.decode,
      );
      return r.coordinators[0].errorCode === 0;
    });
    await until("producer ids", async () => {
      const r = await call(
        client,
        22,
        4,
        {
          transactionalId: null,
          transactionTimeoutMs: 60000,
          producerId: -1n,
          producerEpoch: -1,
        },
        C.initProducerId.encode,
        C.initProducerId.decode,
      );
      return r.errorCode === 0;
    });
  } finally {
    client.destroy();
  }
}

/** Runs the steps in order; each outcome is "title: <json>", or "title: closed". */
export async function runSteps(sessions: Sessions, steps: Step[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of steps) {
    const client = await sessions.of(s.as);
    let line: string;
    try {
      const res = await call(client, s.key, s.version, s.body, s.encode, s.decode);
      line = JSON.stringify(s.outcome(res));
    } catch (e) {
      if (!client.closed && !String(e).includes("closed the connection")) throw e;
      client.destroy();
      line = "closed";
    }
    out.push(`${s.title}: ${line}`);
    if (s.settleMs) await new Promise((r) => setTimeout(r, s.settleMs));
  }
  return out;
}

export function step(
  title: string,
  as: User,
  key: number,
  version: number,
  body: unknown,
  codec: { encode: Step["encode"]; decode: Step["decode"] },
  outcome: Step["outcome"],
): Step {
  return { title, as, key, version, body, ...codec, outcome };
}

export const C = {
  createAcls: { encode: ca.encodeCreateAclsRequest, decode: ca.decodeCreateAclsResponse },
  describeAcls: { encode: da.encodeDescribeAclsRequest, decode: da.decodeDescribeAclsResponse },
  deleteAcls: { encode: dl.encodeDeleteAclsRequest, decode: dl.decodeDeleteAclsResponse },
  produce: { encode: pr.encodeProduceRequest, decode: pr.decodeProduceResponse },
  fetch: { encode: fe.encodeFetchRequest, decode: fe.decodeFetchResponse },
  metadata: { encode: md.encodeMetadataRequest, decode: md.decodeMetadataResponse },
  listOffsets: { encode: lo.encodeListOffsetsRequest, decode: lo.decodeListOffsetsResponse },
  createTopics: { encode: ct.encodeCreateTopicsRequest, decode: ct.decodeCreateTopicsResponse },
  deleteTopics: { encode: dt.encodeDeleteTopicsRequest, decode: dt.decodeDeleteTopicsResponse },
  createPartitions: { encode: cp.encodeCreatePartitionsRequest, decode: cp.decodeCreatePartitionsResponse },
  deleteRecords: { encode: dr.encodeDeleteRecordsRequest, decode: dr.decodeDeleteRecordsResponse },
  offsetCommit: { encode: oc.encodeOffsetCommitRequest, decode: oc.decodeOffsetCommitResponse },
  offsetFetch: { encode: of.encodeOffsetFetchRequest, decode: of.decodeOffsetFetchResponse },
  findCoordinator: { encode: fc.encodeFindCoordinatorRequest, decode: fc.decodeFindCoordinatorResponse },
  joinGroup: { encode: jg.encodeJoinGroupRequest, decode: jg.decodeJoinGroupResponse },
  listGroups: { encode: lg.encodeListGroupsRequest, decode: lg.decodeListGroupsResponse },
  describeGroups: { encode: dg.encodeDescribeGroupsRequest, decode: dg.decodeDescribeGroupsResponse },
  deleteGroups: { encode: dgr.encodeDeleteGroupsRequest, decode: dgr.decodeDeleteGroupsResponse },
  describeConfigs: { encode: dc.encodeDescribeConfigsRequest, decode: dc.decodeDescribeConfigsResponse },
  alterConfigs: { encode: ia.encodeIncrementalAlterConfigsRequest, decode: ia.decodeIncrementalAlterConfigsResponse },
  initProducerId: { encode: ip.encodeInitProducerIdRequest, decode: ip.decodeInitProducerIdResponse },
};

export function binding(o: Partial<ca.AclCreation>): ca.AclCreation {
  return {
    resourceType: 2,
    resourceName: "orders",
    resourcePatternType: 3,
    principal: "User:alice",
    host: "*",
    operation: 3,
    permissionType: 3,
    ...o,
  };
}

const ANY_FILTER = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};

/**
 * Kafka's CLUSTER_AUTHORIZATION_FAILED message on the ACL APIs prints its internal request object
 * ("Request Request(processor=0, connectionId=...) needs ALTER permission."): only the code is compared.
 */
function unrequest<T extends { errorCode: number; errorMessage: string | null }>(r: T): T {
  return r.errorCode === 31 ? { ...r, errorMessage: "<not compared>" } : r;
}

export const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();

/** What alice and bob may do (alice: READ on orders and group g, ALL on topics pay*, DENY WRITE payments; bob: WRITE on orders, CREATE on topics bob-*). */
export const GRANTS: ca.AclCreation[] = [
  binding({}),
  binding({ resourceType: 3, resourceName: "g" }),
  binding({ resourceName: "pay", resourcePatternType: 4, operation: 2 }),
  binding({ resourceName: "payments", operation: 4, permissionType: 2 }),
  binding({ principal: "User:bob", operation: 4 }),
  binding({ principal: "User:bob", resourceName: "bob-", resourcePatternType: 4, operation: 5 }),
];

/** The ACL APIs themselves: what admin creates, lists and deletes, and what the others may not. */
export function aclApiSteps(): Step[] {
  const creations = (title: string, list: ca.AclCreation[], v = 3, as: User = "admin"): Step => ({
    ...step(`CreateAcls v${v} ${title}`, as, 30, v, { creations: list }, C.createAcls, (r) => r.results.map(unrequest)),
    settleMs: SETTLE_MS,
  });
  const describe = (title: string, filter: Partial<da.DescribeAclsRequest>, v = 3, as: User = "admin") =>
    step(`DescribeAcls v${v} ${title}`, as, 29, v, { ...ANY_FILTER, ...filter }, C.describeAcls, (r) => ({
      errorCode: r.errorCode,
      errorMessage: r.errorCode === 0 ? r.errorMessage : "",
      resources: sorted(r.resources.map((x: Any) => ({ ...x, acls: sorted(x.acls) }))),
    }));
  const del = (title: string, filters: Array<Partial<dl.DeleteAclsFilter>>, v = 3, as: User = "admin"): Step => ({
    settleMs: SETTLE_MS,
    ...step(
      `DeleteAcls v${v} ${title}`,
      as,
      31,
      v,
      { filters: filters.map((f) => ({ ...ANY_FILTER, ...f })) },
      C.deleteAcls,
      (r) => r.filterResults.map((f: Any) => ({ ...unrequest(f), matchingAcls: sorted(f.matchingAcls) })),
    ),
  });
  return [
    creations("the grants", GRANTS),
    creations("again (no change)", GRANTS.slice(0, 1)),
    creations("v1", [binding({ principal: "User:carol" })], 1),
    creations("v2", [binding({ principal: "User:dave" })], 2),
    creations("a cluster not named kafka-cluster", [binding({ resourceType: 4, resourceName: "c" })]),
    creations("an empty name", [binding({ resourceName: "" })]),
    creations("an unknown operation", [binding({ operation: 42 })]),
    creations("an unknown resource type", [binding({ resourceType: 12 })]),
    creations("a principal without a type", [binding({ principal: "carol" })]),
    creations("an empty host", [binding({ host: "" })]),
    creations("a prefixed wildcard", [binding({ resourceName: "*", resourcePatternType: 4, principal: "User:eve" })]),
    creations("resource type ANY", [binding({ principal: "User:eve" }), binding({ resourceType: 1 })]),
    creations("operation ANY", [binding({ operation: 1 })]),
    creations("pattern MATCH", [binding({ resourcePatternType: 2 })]),
    creations("operation UNKNOWN", [binding({ operation: 0 })]),
    describe("everything", {}),
    describe("everything at v1", {}, 1),
    describe("everything at v2", {}, 2),
    describe("topics matching orders", { resourceTypeFilter: 2, resourceNameFilter: "orders", patternTypeFilter: 2 }),
    describe("topics matching payments", {
      resourceTypeFilter: 2,
      resourceNameFilter: "payments",
      patternTypeFilter: 2,
    }),
    describe("prefixed only", { patternTypeFilter: 4 }),
    describe("bob's", { principalFilter: "User:bob" }),
    describe("DENY", { permissionType: 2 }),
    describe("an unknown operation", { operation: 42 }),
    describe("as alice", {}, 3, "alice"),
    describe("resource type UNKNOWN", { resourceTypeFilter: 0 }),
    creations("as alice", [binding({ principal: "User:alice", operation: 2 })], 3, "alice"),
    del("as alice", [{ principalFilter: "User:carol" }], 3, "alice"),
    del("carol's and dave's", [{ principalFilter: "User:carol" }, { principalFilter: "User:dave" }]),
    del("an unknown entry", [{ operation: 42 }]),
    del("an unknown pattern", [{ resourceTypeFilter: 12 }]),
    del("nothing matching", [{ resourceNameFilter: "nope" }], 2),
    del("eve's, at v1", [{ principalFilter: "User:eve" }], 1),
    describe("what is left", {}),
  ];
}
