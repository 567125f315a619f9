/**
 * CreateAcls, DescribeAcls and DeleteAcls on an in-process broker core with
 * the StandardAuthorizer (super user User:admin), and the table's checks as
 * principals with and without grants see them: produce, fetch, metadata,
 * groups, offsets, topic admin and configs. Also: without an authorizer the
 * ACL APIs answer SECURITY_DISABLED and nothing is checked; ACLs outlive a
 * restart.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { withBroker } from "./_helpers.ts";
import { LocalBroker } from "../_local_broker.ts";
import { dispatchTable } from "../../../src/handler/apis/registry.ts";
import { RequestHandler } from "../../../src/handler/request_handler.ts";
import { decodeResponseHeader, encodeRequestHeader } from "../../../src/protocol/generated/headers.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api_headers.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { Logger } from "../../../src/util/logger.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import * as ca from "../../../src/protocol/generated/create_acls.ts";
import * as da from "../../../src/protocol/generated/describe_acls.ts";
import * as dl from "../../../src/protocol/generated/delete_acls.ts";
import * as pr from "../../../src/protocol/generated/produce.ts";
import * as fe from "../../../src/protocol/generated/fetch.ts";
import * as md from "../../../src/protocol/generated/metadata.ts";
import * as tp from "../../../src/protocol/generated/describe_topic_partitions.ts";
import * as ct from "../../../src/protocol/generated/create_topics.ts";
import * as dt from "../../../src/protocol/generated/delete_topics.ts";
import * as oc from "../../../src/protocol/generated/offset_commit.ts";
import * as lg from "../../../src/protocol/generated/list_groups.ts";
import * as dc from "../../../src/protocol/generated/describe_configs.ts";
import * as jg from "../../../src/protocol/generated/join_group.ts";
import { AclOperation as Op, AclPermission, PatternType, ResourceType } from "../../../src/cluster/acl/acl_types.ts";

const AUTHORIZER = [
  "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
  "super.users=User:admin",
];

/** Sends one request as `principal` through handler 0, decodes the answer (null: the connection was closed). */
async function as<Req, Res>(
  broker: LocalBroker,
  principal: string,
  apiKey: number,
  version: number,
  body: Req,
  encode: (w: Writer, v: number, m: Req) => void,
  decode: (r: Reader, v: number) => Res,
): Promise<Res | null> {
  const handler = new RequestHandler(dispatchTable(), () => broker.states[0], new Logger("acl-test"));
  const w = new Writer(128);
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId: 1,
    clientId: "acl-test",
  });
  encode(w, version, body);
  const result = await handler.handle(w.finish().slice(), { listenerIndex: 0, principal, clientAddress: "10.1.2.3:4" });
  if (result.action === "close") return null;
  if (result.action !== "send") throw new Error(`unexpected ${result.action}`);
  const r = new Reader(result.bytes, 4);
  decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
  return decode(r, version);
}

function binding(o: Partial<ca.AclCreation>): ca.AclCreation {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: "orders",
    resourcePatternType: PatternType.LITERAL,
    principal: "User:alice",
    host: "*",
    operation: Op.READ,
    permissionType: AclPermission.ALLOW,
    ...o,
  };
}

const ANY_FILTER: da.DescribeAclsRequest = {
  resourceTypeFilter: ResourceType.ANY,
  resourceNameFilter: null,
  patternTypeFilter: PatternType.ANY,
  principalFilter: null,
  hostFilter: null,
  operation: Op.ANY,
  permissionType: AclPermission.ANY,
};

async function create(b: LocalBroker, principal: string, creations: ca.AclCreation[], v = 3) {
  return (await as(b, principal, 30, v, { creations }, ca.encodeCreateAclsRequest, ca.decodeCreateAclsResponse))!;
}
async function describeAll(b: LocalBroker, principal = "User:admin", filter = ANY_FILTER) {
  return (await as(b, principal, 29, 3, filter, da.encodeDescribeAclsRequest, da.decodeDescribeAclsResponse))!;
}
async function produce(b: LocalBroker, principal: string, topic: string) {
  const res = await as(
    b,
    principal,
    0,
    9,
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch([{ key: null, value: null }]) }] }],
    },
    pr.encodeProduceRequest,
    pr.decodeProduceResponse,
  );
  return res!.responses[0].partitionResponses[0].errorCode;
}
async function fetch(b: LocalBroker, principal: string, topic: string) {
  const req = fe.defaultFetchRequest();
  req.maxWaitMs = 0;
  req.topics = [{ ...fe.defaultFetchTopic(), topic, partitions: [{ ...fe.defaultFetchPartition(), partition: 0 }] }];
  const res = await as(b, principal, 1, 12, req, fe.encodeFetchRequest, fe.decodeFetchResponse);
  return res!.responses[0].partitions[0].errorCode;
}
async function metadata(b: LocalBroker, principal: string, topics: string[] | null, autoCreate = false) {
  const res = await as(
    b,
    principal,
    3,
    12,
    {
      topics: topics?.map((name) => ({ topicId: "AAAAAAAAAAAAAAAAAAAAAA", name })) ?? null,
      allowAutoTopicCreation: autoCreate,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
    md.encodeMetadataRequest,
    md.decodeMetadataResponse,
  );
  return res!.topics.map((t) => `${t.name}:${t.errorCode}`).sort();
}

describe("ACL APIs and enforcement", () => {
  test("without an authorizer: SECURITY_DISABLED and nothing is checked", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("orders", 1);
      const created = await create(b, "User:alice", [binding({})]);
      assert.deepEqual(created.results, [{
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: "No Authorizer is configured.",
      }]);
      const described = await describeAll(b, "User:alice");
      assert.equal(described.errorCode, ErrorCode.SECURITY_DISABLED);
      assert.equal(await produce(b, "User:nobody", "orders"), ErrorCode.NONE);
    });
  });

  test("create, describe (filters, MATCH), delete; Kafka's per-binding errors; UNKNOWN closes", async () => {
    await withBroker({ overrides: AUTHORIZER }, async (b) => {
      const created = await create(b, "User:admin", [
        binding({}),
        binding({ resourceName: "ord", resourcePatternType: PatternType.PREFIXED, operation: Op.WRITE }),
        binding({ resourceType: ResourceType.GROUP, resourceName: "g1" }),
        binding({ resourceType: ResourceType.CLUSTER, resourceName: "x" }),
        binding({ principal: "alice" }),
      ]);
      assert.deepEqual(created.results.map((r) => [r.errorCode, r.errorMessage]), [
        [0, ""],
        [0, ""],
        [0, ""],
        [ErrorCode.INVALID_REQUEST, "The only valid name for the CLUSTER resource is kafka-cluster"],
        [
          ErrorCode.INVALID_REQUEST,
          "Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)",
        ],
      ]);
      // Again: succeeds and adds nothing.
      assert.equal((await create(b, "User:admin", [binding({})])).results[0].errorCode, 0);
      assert.equal(
        (await create(b, "User:admin", [binding({ resourceType: ResourceType.ANY })])).results[0].errorCode,
        -1,
      );
      assert.equal(
        await as(
          b,
          "User:admin",
          30,
          3,
          { creations: [binding({ operation: 0 })] },
          ca.encodeCreateAclsRequest,
          ca.decodeCreateAclsResponse,
        ),
        null,
      );

      const all = await describeAll(b);
      assert.deepEqual(all.resources.map((r) => [r.resourceType, r.resourceName, r.patternType, r.acls.length]), [
        [ResourceType.TOPIC, "orders", PatternType.LITERAL, 1],
        [ResourceType.TOPIC, "ord", PatternType.PREFIXED, 1],
        [ResourceType.GROUP, "g1", PatternType.LITERAL, 1],
      ]);
      const match = await describeAll(b, "User:admin", {
        ...ANY_FILTER,
        resourceTypeFilter: ResourceType.TOPIC,
        resourceNameFilter: "orders",
        patternTypeFilter: PatternType.MATCH,
      });
      assert.equal(match.resources.length, 2);
      assert.equal((await describeAll(b, "User:alice")).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

      const filter: dl.DeleteAclsFilter = { ...ANY_FILTER, resourceTypeFilter: ResourceType.GROUP };
      const deleted = await as(
        b,
        "User:admin",
        31,
        3,
        { filters: [filter, { ...ANY_FILTER, operation: 16 }] },
        dl.encodeDeleteAclsRequest,
        dl.decodeDeleteAclsResponse,
      );
      assert.deepEqual(deleted!.filterResults.map((r) => [r.errorCode, r.errorMessage, r.matchingAcls.length]), [
        [0, null, 1],
        [ErrorCode.INVALID_REQUEST, "Unknown entryFilter.", 0],
      ]);
      assert.equal((await describeAll(b)).resources.length, 2);
    });
  });

  test("v0 of the three ACL APIs (Kafka 3.9's, gone from Kafka 4): literal patterns only", async () => {
    await withBroker({ overrides: AUTHORIZER }, async (b) => {
      // v0 has no pattern type field: the decoder's default, LITERAL.
      assert.deepEqual((await create(b, "User:admin", [binding({})], 0)).results, [{ errorCode: 0, errorMessage: "" }]);
      const described = await as(
        b,
        "User:admin",
        29,
        0,
        ANY_FILTER,
        da.encodeDescribeAclsRequest,
        da.decodeDescribeAclsResponse,
      );
      assert.deepEqual(described!.resources.map((r) => [r.resourceName, r.patternType, r.acls.length]), [[
        "orders",
        3,
        1,
      ]]);
      const deleted = await as(
        b,
        "User:admin",
        31,
        0,
        {
          filters: [{ ...ANY_FILTER, patternTypeFilter: PatternType.LITERAL }],
        },
        dl.encodeDeleteAclsRequest,
        dl.decodeDeleteAclsResponse,
      );
      assert.equal(deleted!.filterResults[0].matchingAcls.length, 1);
    });
  });

  test("produce, fetch and metadata: READ only, WRITE only, prefixed grants, DENY, super user", async () => {
    await withBroker({ overrides: AUTHORIZER }, async (b) => {
      await b.createTopic("orders", 1);
      await b.createTopic("payments", 1);
      await create(b, "User:admin", [
        binding({ principal: "User:reader", operation: Op.READ }),
        binding({ principal: "User:writer", operation: Op.WRITE }),
        binding({
          principal: "User:pre",
          resourceName: "pay",
          resourcePatternType: PatternType.PREFIXED,
          operation: Op.ALL,
        }),
        binding({
          principal: "User:pre",
          resourceName: "payments",
          operation: Op.WRITE,
          permissionType: AclPermission.DENY,
        }),
      ]);
      const A = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      assert.equal(await produce(b, "User:reader", "orders"), A);
      assert.equal(await fetch(b, "User:reader", "orders"), 0);
      assert.equal(await produce(b, "User:writer", "orders"), 0);
      assert.equal(await fetch(b, "User:writer", "orders"), A);
      assert.equal(await produce(b, "User:pre", "payments"), A, "DENY wins over the prefixed ALL");
      assert.equal(await fetch(b, "User:pre", "payments"), 0);
      assert.equal(await produce(b, "User:pre", "orders"), A);
      assert.equal(await produce(b, "User:admin", "payments"), 0);
      assert.equal(await produce(b, "User:nobody", "missing"), A, "authorization before existence");

      assert.deepEqual(await metadata(b, "User:reader", null), ["orders:0"]);
      assert.deepEqual(await metadata(b, "User:pre", null), ["payments:0"]);
      assert.deepEqual(await metadata(b, "User:admin", null), ["orders:0", "payments:0"]);
      assert.deepEqual(await metadata(b, "User:reader", ["orders", "payments"]), ["orders:0", `payments:${A}`]);
      // Auto-creation needs CREATE: describable (prefixed ALL covers it) yet created only with CREATE.
      assert.deepEqual(await metadata(b, "User:writer", ["new-topic"], true), [`new-topic:${A}`]);
      assert.deepEqual(await metadata(b, "User:pre", ["pay-new"], true), ["pay-new:0"]);

      // Authorized operations: what the principal may do (READ implies DESCRIBE), the cluster's only if describable.
      const ops = await as(
        b,
        "User:reader",
        3,
        10,
        {
          topics: [{ topicId: "AAAAAAAAAAAAAAAAAAAAAA", name: "orders" }],
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: true,
          includeTopicAuthorizedOperations: true,
        },
        md.encodeMetadataRequest,
        md.decodeMetadataResponse,
      );
      assert.equal(ops!.topics[0].topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE));
      assert.equal(ops!.clusterAuthorizedOperations, 0);
      const pages = await as(
        b,
        "User:reader",
        75,
        0,
        {
          topics: [{ name: "payments" }, { name: "orders" }],
          responsePartitionLimit: 100,
          cursor: null,
        },
        tp.encodeDescribeTopicPartitionsRequest,
        tp.decodeDescribeTopicPartitionsResponse,
      );
      assert.deepEqual(pages!.topics.map((t) => [t.name, t.errorCode]), [["orders", 0], ["payments", A]]);
    });
  });

  test("groups, offsets, topic admin and configs", async () => {
    await withBroker({ overrides: AUTHORIZER }, async (b) => {
      await b.createTopic("orders", 1);
      await create(b, "User:admin", [
        binding({ principal: "User:c", operation: Op.READ }),
        binding({ principal: "User:c", resourceType: ResourceType.GROUP, resourceName: "g", operation: Op.READ }),
        binding({ principal: "User:t", operation: Op.READ, resourceName: "*" }),
      ]);
      const commit = async (principal: string, group: string) =>
        (await as(
          b,
          principal,
          8,
          8,
          {
            groupId: group,
            generationIdOrMemberEpoch: -1,
            memberId: "",
            groupInstanceId: null,
            retentionTimeMs: -1n,
            topics: [{
              name: "orders",
              partitions: [{
                partitionIndex: 0,
                committedOffset: 0n,
                committedLeaderEpoch: -1,
                committedMetadata: "",
                commitTimestamp: -1n,
              }],
            }],
          },
          oc.encodeOffsetCommitRequest,
          oc.decodeOffsetCommitResponse,
        ))!.topics[0].partitions[0].errorCode;
      assert.equal(await commit("User:c", "g"), 0);
      assert.equal(await commit("User:c", "h"), ErrorCode.GROUP_AUTHORIZATION_FAILED);
      assert.equal(await commit("User:t", "g"), ErrorCode.GROUP_AUTHORIZATION_FAILED);

      const join = await as(
        b,
        "User:t",
        11,
        9,
        {
          ...jg.defaultJoinGroupRequest(),
          groupId: "g",
          sessionTimeoutMs: 10000,
          rebalanceTimeoutMs: 10000,
          protocolType: "consumer",
          protocols: [{ name: "range", metadata: new Uint8Array(0) }],
        },
        jg.encodeJoinGroupRequest,
        jg.decodeJoinGroupResponse,
      );
      assert.equal(join!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);

      const groups = async (principal: string) =>
        (await as(
          b,
          principal,
          16,
          4,
          { statesFilter: [], typesFilter: [] },
          lg.encodeListGroupsRequest,
          lg.decodeListGroupsResponse,
        ))!
          .groups.map((g) => g.groupId);
      assert.deepEqual(await groups("User:c"), ["g"]);
      assert.deepEqual(await groups("User:t"), []);
      assert.deepEqual(await groups("User:admin"), ["g"]);

      const createTopic = async (principal: string) =>
        (await as(
          b,
          principal,
          19,
          7,
          {
            topics: [{ name: "t2", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
            timeoutMs: 1000,
            validateOnly: false,
          },
          ct.encodeCreateTopicsRequest,
          ct.decodeCreateTopicsResponse,
        ))!.topics[0].errorCode;
      assert.equal(await createTopic("User:c"), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      assert.equal(await createTopic("User:admin"), 0);
      const deleteTopic = async (principal: string) =>
        (await as(
          b,
          principal,
          20,
          6,
          {
            topicNames: [],
            topics: [{ name: "t2", topicId: "AAAAAAAAAAAAAAAAAAAAAA" }],
            timeoutMs: 1000,
          },
          dt.encodeDeleteTopicsRequest,
          dt.decodeDeleteTopicsResponse,
        ))!.responses[0].errorCode;
      assert.equal(await deleteTopic("User:t"), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      assert.equal(await deleteTopic("User:admin"), 0);

      const configs = async (principal: string) =>
        (await as(
          b,
          principal,
          32,
          4,
          {
            resources: [
              { resourceType: 2, resourceName: "orders", configurationKeys: ["cleanup.policy"] },
              { resourceType: 4, resourceName: "1", configurationKeys: ["num.io.threads"] },
            ],
            includeSynonyms: false,
            includeDocumentation: false,
          },
          dc.encodeDescribeConfigsRequest,
          dc.decodeDescribeConfigsResponse,
        ))!.results.map((r) => r.errorCode);
      assert.deepEqual(await configs("User:c"), [
        ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
      ]);
      assert.deepEqual(await configs("User:admin"), [0, 0]);
    });
  });

  test("ACLs outlive a restart", async () => {
    const first = await LocalBroker.start({ handlers: 2, overrides: AUTHORIZER });
    await create(first, "User:admin", [binding({})]);
    await first.stop();
    const again = await LocalBroker.start({ handlers: 2, dir: first.dir, overrides: AUTHORIZER });
    try {
      assert.deepEqual((await describeAll(again)).resources.map((r) => r.resourceName), ["orders"]);
      assert.equal(await produce(again, "User:alice", "orders"), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    } finally {
      await again.stop();
      again.remove();
    }
  });
});
