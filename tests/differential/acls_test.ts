/**
 * Differential: ACLs on the reference Kafka (StandardAuthorizer) and on
 * tsbroker, configured alike: a SASL_PLAINTEXT listener with PLAIN users
 * admin, alice and bob, super.users=User:admin (and User:ANONYMOUS, Kafka's
 * own inter-broker principal on its PLAINTEXT port). The same exchanges go to
 * both (_acl_scenarios.ts, _acl_authorization_steps.ts, _acl_more_steps.ts): CreateAcls, DescribeAcls and
 * DeleteAcls v1–v3 with Kafka's validation errors, then what alice (READ on
 * a topic and a group, ALL on a prefix, a DENY) and bob (WRITE only, CREATE
 * on a prefix) get from produce, fetch, list offsets, metadata (listing and
 * auto-creation), idempotent producer ids, offsets, groups, coordinators,
 * topic admin and configs; then transactions (a transactional id granted to
 * alice, described by bob), the remaining topic and group APIs, authorized
 * operations, and the cluster-level APIs by a principal without cluster
 * grants. Every outcome must be the same. Not compared: an unauthorized
 * DescribeUserScramCredentials, which Kafka 4.4 never answers. v0 of the ACL
 * APIs is gone from Kafka 4 (KIP-896); tsbroker, a 3.9 broker, still serves
 * it (allowed_differences.ts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { ACL_SETTINGS, aclApiSteps, prepare, runSteps, Sessions } from "./_acl_scenarios.ts";
import { authorizationSteps } from "./_acl_authorization_steps.ts";
import { moreSteps } from "./_acl_more_steps.ts";

describe("differential: ACLs and authorization", () => {
  let kafka: ReferenceKafka;
  let broker: BrokerProcess;
  let kafkaSasl: number;
  let brokerPlain: number;
  before(async () => {
    kafkaSasl = await freePort();
    [kafka, broker] = await Promise.all([
      startReferenceKafka({
        heap: "384m",
        extraListeners: [{ name: "SASL_PLAINTEXT", protocol: "SASL_PLAINTEXT", port: kafkaSasl }],
        config: ACL_SETTINGS,
      }),
      startBroker("deno", {
        overrides: { ...ACL_SETTINGS, listeners: "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0" },
      }),
    ]);
    const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
    brokerPlain = Number(/,PLAINTEXT:\/\/[^,\s]*:(\d+)/.exec(line)![1]);
    await Promise.all([prepare(kafka.port), prepare(brokerPlain)]);
  });
  after(async () => {
    await Promise.all([kafka?.stop(), broker?.stop()]);
  });

  test("the ACL APIs and every authorization outcome are Kafka's", async () => {
    const steps = () => [...aclApiSteps(), ...authorizationSteps(), ...moreSteps()];
    const kafkaSessions = new Sessions(kafkaSasl);
    const brokerSessions = new Sessions(broker.port);
    try {
      const [k, t] = await Promise.all([runSteps(kafkaSessions, steps()), runSteps(brokerSessions, steps())]);
      const differences = k.flatMap((line, i) => line === t[i] ? [] : [`kafka:    ${line}\ntsbroker: ${t[i]}`]);
      console.log(`[differential] acls_test.ts: ${k.length} exchanges, ${differences.length} differ`);
      assert.deepEqual(differences, [], differences.join("\n\n"));
    } finally {
      kafkaSessions.close();
      brokerSessions.close();
    }
  });
});
