/**
 * Differential: a SASL_PLAINTEXT listener of the reference Kafka and of
 * tsbroker, configured alike (PLAIN users in the listener's JAAS config, a
 * SCRAM-SHA-256 user made with AlterUserScramCredentials,
 * connections.max.reauth.ms = 2 s), sent the same exchanges on fresh
 * connections: the handshake and authentication paths, their failures, what
 * happens to requests out of place, expiry and re-authentication. Each
 * exchange's outcome (error codes, messages, the SCRAM challenge's shape,
 * whether and when the connection closes) must be the same. Normalised: the
 * enabled-mechanism list is compared as a set (Kafka lists it in hash-set
 * order), random SCRAM nonces and signatures, and cluster ids.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, type ReferenceKafka, startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { requestFrame, WireClient } from "../integration/_wire.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { responseHeaderVersion } from "../../src/protocol/api_headers.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";
import * as hs from "../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../src/protocol/generated/sasl_authenticate.ts";
import * as md from "../../src/protocol/generated/metadata.ts";
import * as av from "../../src/protocol/generated/api_versions.ts";
import * as alter from "../../src/protocol/generated/alter_user_scram_credentials.ts";
import { saltedPassword, scramHash } from "../../src/protocol/scram_formulas.ts";
import { ScramClient } from "../network/sasl/_scram_client.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_alice="alice-secret" user_admin="admin-secret";';
const SETTINGS = {
  "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
  "connections.max.reauth.ms": "2000",
  "listener.name.sasl_plaintext.plain.sasl.jaas.config": JAAS,
};
const SCRAM_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required;";

// deno-lint-ignore no-explicit-any
type Codec = [(w: any, v: number, m: any) => void, (r: Reader, v: number) => any];
const CODEC: Record<number, Codec> = {
  17: [hs.encodeSaslHandshakeRequest, hs.decodeSaslHandshakeResponse],
  36: [au.encodeSaslAuthenticateRequest, au.decodeSaslAuthenticateResponse],
  3: [md.encodeMetadataRequest, md.decodeMetadataResponse],
  18: [av.encodeApiVersionsRequest, av.decodeApiVersionsResponse],
};
type Step = { key: number; version: number; body: unknown } | { waitMs: number };
// deno-lint-ignore no-explicit-any
type StepOrNext = Step | ((last: any) => Step);
const metadata = (): Step => ({
  key: 3,
  version: 12,
  body: {
    topics: [],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
    includeClusterAuthorizedOperations: false,
  },
});
const versions = (): Step => ({ key: 18, version: 3, body: { clientSoftwareName: "d", clientSoftwareVersion: "1" } });
const handshake = (mechanism: string, version = 1): Step => ({ key: 17, version, body: { mechanism } });
const token = (t: string, version = 2): Step => ({ key: 36, version, body: { authBytes: enc.encode(t) } });

/** The comparable outcome of one answer. */
// deno-lint-ignore no-explicit-any
function outcome(key: number, body: any): string {
  if (key === 18) return `ApiVersions error ${body.errorCode}`;
  if (key === 3) return `Metadata brokers ${body.brokers.length}`;
  if (key === 17) return `SaslHandshake error ${body.errorCode} [${[...body.mechanisms].sort().join(",")}]`;
  const bytes = dec.decode(body.authBytes)
    .replace(/^r=([^,]*?)[^,]{20,}(,s=)/, "r=$1<server nonce>$2")
    .replace(/^v=.*$/, "v=<signature>");
  return `SaslAuthenticate error ${body.errorCode} ${JSON.stringify(body.errorMessage ?? "")} ` +
    `bytes ${JSON.stringify(bytes)} lifetime ${body.sessionLifetimeMs}`;
}

async function exchange(port: number, steps: StepOrNext[]): Promise<string[]> {
  const client = await WireClient.connect(port);
  const out: string[] = [];
  let last: unknown = null;
  let correlationId = 1;
  try {
    for (const next of steps) {
      const step = typeof next === "function" ? next(last) : next;
      if ("waitMs" in step) {
        await new Promise((r) => setTimeout(r, step.waitMs));
        continue;
      }
      const [encode, decode] = CODEC[step.key];
      client.write(requestFrame(step.key, step.version, correlationId, "differential", step.body, encode));
      const frame = await client.readFrame(5000);
      if (frame === null) {
        out.push("closed");
        return out;
      }
      const r = new Reader(frame);
      assert.equal(decodeResponseHeader(r, responseHeaderVersion(step.key, step.version)).correlationId, correlationId);
      last = decode(r, step.version);
      out.push(outcome(step.key, last));
      correlationId++;
    }
    out.push((await client.closedWithin(1000)) ? "then closed" : "stays open");
    return out;
  } finally {
    client.destroy();
  }
}

/** Creates SCRAM-SHA-256 user bob over a PLAINTEXT port, and waits for it to be usable. */
async function addBob(port: number): Promise<void> {
  const client = await WireClient.connect(port);
  const salt = enc.encode("bob-salt");
  const upsertion = {
    name: "bob",
    mechanism: 1,
    iterations: 4096,
    salt,
    saltedPassword: saltedPassword(scramHash("SCRAM-SHA-256")!, "bob-secret", salt, 4096),
  };
  client.write(
    requestFrame(
      51,
      0,
      1,
      "d",
      { deletions: [], upsertions: [upsertion] },
      alter.encodeAlterUserScramCredentialsRequest,
    ),
  );
  const frame = await client.readFrame();
  client.destroy();
  const r = new Reader(frame!);
  decodeResponseHeader(r, 1);
  assert.equal(alter.decodeAlterUserScramCredentialsResponse(r, 0).results[0].errorCode, 0);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // Kafka's broker applies the controller's record a moment later
}

function scenarios(): Record<string, StepOrNext[]> {
  const scram = (password: string, overrides: { nonce?: string } = {}): StepOrNext[] => {
    const client = new ScramClient("SCRAM-SHA-256", "bob", password, "differentialnonce");
    return [
      handshake("SCRAM-SHA-256"),
      token(client.first),
      (last) => token(client.final(dec.decode(last.authBytes), overrides)),
    ];
  };
  const alice = [handshake("PLAIN"), token("\0alice\0alice-secret")];
  return {
    "a request before the handshake": [metadata()],
    "ApiVersions twice": [versions(), versions()],
    "ApiVersions, then PLAIN": [versions(), ...alice, metadata()],
    "an unknown mechanism": [handshake("GSSAPI")],
    "a v0 handshake with an unknown mechanism": [handshake("OAUTHBEARER", 0)],
    "two handshakes": [handshake("PLAIN"), handshake("PLAIN")],
    "PLAIN: a wrong password": [handshake("PLAIN"), token("\0alice\0nope")],
    "PLAIN: an unknown user": [handshake("PLAIN"), token("\0nobody\0nope")],
    "PLAIN: no user name": [handshake("PLAIN"), token("\0\0nope")],
    "PLAIN: no password": [handshake("PLAIN"), token("\0alice\0")],
    "PLAIN: not three parts": [handshake("PLAIN"), token("alice")],
    "PLAIN: another authorization id": [handshake("PLAIN"), token("admin\0alice\0alice-secret")],
    "PLAIN at SaslAuthenticate v0 and v1": [handshake("PLAIN"), token("\0alice\0alice-secret", 0), metadata()],
    "PLAIN, then SaslAuthenticate again": [...alice, token("\0alice\0alice-secret", 1)],
    "SCRAM: success": [...scram("bob-secret"), metadata()],
    "SCRAM: a wrong password": scram("wrong"),
    "SCRAM: a forged nonce": scram("bob-secret", { nonce: "forged" }),
    "SCRAM: an unknown user": [handshake("SCRAM-SHA-256"), token("n,,n=nobody,r=abc")],
    "SCRAM: a user without SHA-512 credentials": [handshake("SCRAM-SHA-512"), token("n,,n=bob,r=abc")],
    "SCRAM: channel binding asked": [handshake("SCRAM-SHA-256"), token("p=tls-unique,,n=bob,r=abc")],
    "SCRAM: an empty message": [handshake("SCRAM-SHA-256"), token("")],
    "SCRAM: the first message twice": [handshake("SCRAM-SHA-256"), token("n,,n=bob,r=abc"), token("n,,n=bob,r=abc")],
    "re-authentication as the same user": [...alice, ...alice, metadata()],
    "re-authentication as another user": [...alice, handshake("PLAIN"), token("\0admin\0admin-secret")],
    "re-authentication with a wrong password": [...alice, handshake("PLAIN"), token("\0alice\0x")],
    "re-authentication with another mechanism": [...alice, handshake("SCRAM-SHA-256"), token("n,,n=bob,r=abc")],
    "a request after the session expired": [...alice, { waitMs: 2500 }, metadata()],
    "re-authentication after the session expired": [...alice, { waitMs: 2500 }, ...alice, metadata()],
  };
}

describe("differential: a SASL_PLAINTEXT listener", () => {
  let kafka: ReferenceKafka;
  let broker: BrokerProcess;
  let kafkaSasl: number;
  before(async () => {
    kafkaSasl = await freePort();
    [kafka, broker] = await Promise.all([
      startReferenceKafka({
        heap: "384m",
        extraListeners: [{ name: "SASL_PLAINTEXT", protocol: "SASL_PLAINTEXT", port: kafkaSasl }],
        config: {
          ...SETTINGS,
          "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config": SCRAM_JAAS,
          "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": SCRAM_JAAS,
        },
      }),
      startBroker("deno", {
        overrides: { ...SETTINGS, listeners: "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0" },
      }),
    ]);
    const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
    await Promise.all([addBob(kafka.port), addBob(Number(/,PLAINTEXT:\/\/[^,\s]*:(\d+)/.exec(line)![1]))]);
  });
  after(async () => {
    await Promise.all([kafka?.stop(), broker?.stop()]);
  });

  test("every exchange ends as it does on Kafka", async () => {
    const differences: string[] = [];
    const all = Object.entries(scenarios());
    const results = await Promise.all(
      all.map(async ([title, steps]) => {
        // Each scenario builds its steps per side: SCRAM clients keep state.
        const fresh = scenarios()[title];
        const [k, t] = await Promise.all([exchange(kafkaSasl, steps), exchange(broker.port, fresh)]);
        return { title, k, t };
      }),
    );
    for (const { title, k, t } of results) {
      if (JSON.stringify(k) !== JSON.stringify(t)) {
        differences.push(`${title}:\n  kafka:    ${k.join("\n            ")}\n  tsbroker: ${t.join("\n            ")}`);
      }
    }
    console.log(`[differential] sasl_listener_test.ts: ${results.length} scenarios, ${differences.length} differ`);
    assert.deepEqual(differences, [], differences.join("\n"));
  });
});
