/**
 * A broker process with security for the console's login tests: one
 * SASL_PLAINTEXT listener with PLAIN (the JAAS user `admin`, a super user)
 * and SCRAM-SHA-256 (the user `limited`, created through
 * AlterUserScramCredentials), the StandardAuthorizer, changes allowed in the
 * console, topics a-one (one record), a-two and b-secret, and ACLs letting
 * `limited` READ and DESCRIBE the topics prefixed `a-` only.
 */
import { Admin, Producer } from "../../src/client/mod.ts";
import type { ClientOptions } from "../../src/client/network_client.ts";
import { type BrokerProcess, type Flavour, startBroker } from "./_broker.ts";

export const STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

export const SECURED: Record<string, string | boolean> = {
  listeners: "SASL_PLAINTEXT://127.0.0.1:0",
  "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256",
  "listener.name.sasl_plaintext.plain.sasl.jaas.config":
    'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";',
  "authorizer.class.name": STANDARD_AUTHORIZER,
  "super.users": "User:admin",
  "tsbroker.console.allow.changes": true,
  "auto.create.topics.enable": false,
  "num.partitions": "1",
};

export async function securedBroker(flavour: Flavour): Promise<BrokerProcess> {
  const broker = await startBroker(flavour, { overrides: SECURED });
  const options: ClientOptions = {
    bootstrapServers: [broker.bootstrap],
    sasl: { mechanism: "PLAIN", username: "admin", password: "admin-secret" },
  };
  const admin = new Admin(options);
  const producer = new Producer(options);
  try {
    await admin.createTopics(["a-one", "a-two", "b-secret"].map((name) => ({ name, partitions: 1 })));
    await producer.send({ topic: "a-one", value: "hello from a-one" });
    await admin.alterUserScramCredentials([{ user: "limited", mechanism: "SCRAM-SHA-256", password: "limited-pw" }]);
    await admin.createAcls((["READ", "DESCRIBE"] as const).map((operation) => ({
      resourceType: "TOPIC",
      resourceName: "a-",
      patternType: "PREFIXED",
      principal: "User:limited",
      host: "*",
      operation,
      permission: "ALLOW",
    })));
  } catch (e) {
    await broker.stop();
    throw e;
  } finally {
    await producer.close();
    await admin.close();
  }
  return broker;
}
