/**
 * Run by client_security_test.ts under Bun (not a test itself): the client library from mod.ts over SASL_SSL
 * (SCRAM-SHA-256) and mTLS, then the TLS refusals whose wording differs between runtimes (an untrusted
 * server certificate, a hostname mismatch). Prints one JSON line with what it saw.
 *   bun run tests/client/_bun_security_scenario.ts '{"saslSsl": "host:port", "mtls": "host:port", ...}'
 */
import process from "node:process";
import * as fs from "node:fs";
import { Admin, type ClientOptions, KafkaClientError, Producer } from "../../mod.ts";

interface Input {
  saslSsl: string;
  mtls: string;
  ssl: string;
  ca: string;
  rogueCa: string;
  clientCert: string;
  clientKey: string;
}

const input = JSON.parse(process.argv[2]) as Input;
const ca = fs.readFileSync(input.ca, "utf8");

async function produce(options: ClientOptions, topic: string): Promise<number> {
  const admin = new Admin(options);
  const producer = new Producer(options);
  try {
    await admin.createTopics([{ name: topic, partitions: 1 }]);
    return Number((await producer.send({ topic, value: "bun" })).offset);
  } finally {
    await producer.close();
    await admin.close();
  }
}

async function failure(options: ClientOptions): Promise<{ message: string; retriable: boolean; ms: number }> {
  const admin = new Admin({ ...options, requestTimeoutMs: 20_000 });
  const start = Date.now();
  try {
    await admin.listTopics();
    return { message: "answered", retriable: true, ms: Date.now() - start };
  } catch (e) {
    const retriable = e instanceof KafkaClientError ? e.retriable : true;
    return { message: String((e as Error).message), retriable, ms: Date.now() - start };
  } finally {
    await admin.close();
  }
}

const result = {
  saslSsl: await produce({
    bootstrapServers: [input.saslSsl],
    tls: { ca },
    sasl: { mechanism: "SCRAM-SHA-256", username: "scrammy", password: "scram-secret" },
  }, "bun-sasl-ssl"),
  mtls: await produce({
    bootstrapServers: [input.mtls],
    tls: { ca, cert: fs.readFileSync(input.clientCert, "utf8"), key: fs.readFileSync(input.clientKey, "utf8") },
  }, "bun-mtls"),
  untrusted: await failure({ bootstrapServers: [input.ssl], tls: { ca: fs.readFileSync(input.rogueCa, "utf8") } }),
  mismatch: await failure({ bootstrapServers: [input.ssl], tls: { ca, servername: "broker.example" } }),
  wrongPassword: await failure({
    bootstrapServers: [input.saslSsl],
    tls: { ca },
    sasl: { mechanism: "SCRAM-SHA-256", username: "scrammy", password: "nope" },
  }),
};
console.log(JSON.stringify(result));
