/**
 * SASL_PLAINTEXT listeners (issue 14) with real clients and raw requests,
 * against a broker process under Deno and under Bun: PLAIN users from the
 * listener's JAAS config produce and consume with kcat; kafkajs
 * re-authenticates (KIP-368). Negative paths are checked on the wire: what
 * Kafka answers, and that only that connection is closed. SCRAM users created
 * with kafka-configs are in sasl_scram_test.ts; the shared helpers in _sasl.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, type Flavour, runCommand, startBroker } from "./_broker.ts";
import { requestFrame, wireCaller, WireClient } from "./_wire.ts";
import { handshaken, kcatRoundtrip, kcatSasl, plainToken, saslOverrides } from "./_sasl.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  decodeSaslHandshakeResponse,
  encodeSaslHandshakeRequest,
} from "../../src/protocol/generated/sasl_handshake.ts";
import {
  decodeSaslAuthenticateResponse,
  encodeSaslAuthenticateRequest,
} from "../../src/protocol/generated/sasl_authenticate.ts";
import { decodeMetadataResponse, encodeMetadataRequest } from "../../src/protocol/generated/metadata.ts";

/** The bound port of the PLAINTEXT listener, from the broker's start line. */
function plaintextPort(broker: BrokerProcess): number {
  const line = broker.output.find((l) => / started .* listeners=/.test(l))!;
  return Number(/,PLAINTEXT:\/\/[^,\s]*:(\d+)/.exec(line)![1]);
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`SASL PLAIN on a SASL_PLAINTEXT listener, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, { overrides: saslOverrides() });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("kcat produces and consumes as a PLAIN user", async () => {
      await kcatRoundtrip(broker, "PLAIN", "alice", "alice-secret", `plain-${flavour}`);
    });

    test("kcat with a wrong password gets Kafka's message and no metadata", async () => {
      const out = await runCommand("kcat", [
        "-L",
        "-b",
        broker.bootstrap,
        "-m",
        "3",
        ...kcatSasl("PLAIN", "alice", "wrong"),
      ]);
      assert.notEqual(out.code, 0);
      assert.match(out.stderr, /Authentication failed: Invalid username or password/);
    });

    test("a wrong password is answered SASL_AUTHENTICATION_FAILED, then only that connection closes", async () => {
      const other = await handshaken(broker, "PLAIN");
      const { client, call, hs } = await handshaken(broker, "PLAIN");
      assert.equal(hs.errorCode, ErrorCode.NONE);
      assert.deepEqual(hs.mechanisms, ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]);
      const res = await call(
        client,
        36,
        2,
        { authBytes: plainToken("alice", "nope") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(res.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(res.errorMessage, "Authentication failed: Invalid username or password");
      assert.ok(await client.closedWithin(5000), "the failed connection stays open");
      const ok = await other.call(
        other.client,
        36,
        1,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(ok.errorCode, ErrorCode.NONE);
      assert.equal(ok.sessionLifetimeMs, 0n);
      const md = await other.call(
        other.client,
        3,
        12,
        {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
          includeClusterAuthorizedOperations: false,
        },
        encodeMetadataRequest,
        decodeMetadataResponse,
      );
      assert.equal(md.brokers.length, 1);
      // Authenticated: a second SaslAuthenticate is Kafka's ILLEGAL_SASL_STATE, answered by the handler.
      const again = await other.call(
        other.client,
        36,
        2,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(again.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      other.client.destroy();
    });
  });
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`SASL negative paths on the wire, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, {
        overrides: {
          ...saslOverrides(),
          "tsbroker.request.read.timeout.ms": 2000,
          "connection.failed.authentication.delay.ms": 500,
        },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("a request other than ApiVersions or SaslHandshake before authentication closes the connection", async () => {
      const client = await WireClient.connect(broker.port);
      client.write(requestFrame(3, 12, 1, "x", {
        topics: [],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
        includeClusterAuthorizedOperations: false,
      }, encodeMetadataRequest));
      assert.equal(await client.readFrame(), null);
    });

    test("an unknown mechanism is answered UNSUPPORTED_SASL_MECHANISM with the enabled list, then closed", async () => {
      const { client, hs } = await handshaken(broker, "GSSAPI");
      assert.equal(hs.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
      assert.deepEqual(hs.mechanisms, ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]);
      assert.ok(await client.closedWithin(5000));
    });

    test("a v0 handshake is followed by unframed tokens (clients before Kafka 1.0)", async () => {
      const client = await WireClient.connect(broker.port);
      const call = wireCaller("old");
      const hs = await call(
        client,
        17,
        0,
        { mechanism: "PLAIN" },
        encodeSaslHandshakeRequest,
        decodeSaslHandshakeResponse,
      );
      assert.equal(hs.errorCode, ErrorCode.NONE);
      const token = plainToken("admin", "admin-secret");
      const framed = new Uint8Array(4 + token.length);
      new DataView(framed.buffer).setInt32(0, token.length);
      framed.set(token, 4);
      client.write(framed);
      assert.deepEqual(await client.readFrame(), new Uint8Array(0));
      const md = await call(
        client,
        3,
        4,
        {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
          includeClusterAuthorizedOperations: false,
        },
        encodeMetadataRequest,
        decodeMetadataResponse,
      );
      assert.equal(md.brokers.length, 1);
      client.destroy();
    });

    test("a failed authentication is answered and closed only after connection.failed.authentication.delay.ms", async () => {
      const { client, call } = await handshaken(broker, "PLAIN");
      const started = performance.now();
      const res = await call(
        client,
        36,
        2,
        { authBytes: plainToken("alice", "guess") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(res.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.ok(performance.now() - started >= 450, `answered after ${performance.now() - started} ms`);
      assert.ok(await client.closedWithin(5000));
    });

    test("an unframed token shorter than a request header is still a token", async () => {
      const client = await WireClient.connect(broker.port);
      const call = wireCaller("old");
      await call(client, 17, 0, { mechanism: "PLAIN" }, encodeSaslHandshakeRequest, decodeSaslHandshakeResponse);
      client.write(new Uint8Array([0, 0, 0, 4, 0, 97, 0, 98])); // "\0a\0b"
      assert.deepEqual(await client.readFrame(), new Uint8Array(0));
      client.destroy();
    });

    test("a client that stops mid-handshake is closed by the request read timeout, others unaffected", async () => {
      const client = await WireClient.connect(broker.port);
      const half = requestFrame(17, 1, 1, "slow", { mechanism: "PLAIN" }, encodeSaslHandshakeRequest);
      client.write(half.subarray(0, half.length - 3));
      // tsbroker.request.read.timeout.ms is 2 s here (30 s by default).
      const other = await handshaken(broker, "PLAIN");
      assert.ok(await client.closedWithin(10_000), "a half-sent handshake is kept open");
      assert.equal(other.hs.errorCode, ErrorCode.NONE);
      assert.ok(!other.client.closed, "another connection was closed too");
      other.client.destroy();
    });

    test("a frame larger than sasl.server.max.receive.size before authentication closes the connection", async () => {
      const client = await WireClient.connect(broker.port);
      const header = new Uint8Array(8);
      new DataView(header.buffer).setInt32(0, 600_000);
      new DataView(header.buffer).setInt16(4, 17);
      client.write(header);
      assert.ok(await client.closedWithin(5000));
    });

    test("SaslHandshake on a PLAINTEXT listener is answered ILLEGAL_SASL_STATE, as Kafka's KafkaApis does", async () => {
      const client = await WireClient.connect(plaintextPort(broker));
      const call = wireCaller("plain");
      const hs = await call(
        client,
        17,
        1,
        { mechanism: "PLAIN" },
        encodeSaslHandshakeRequest,
        decodeSaslHandshakeResponse,
      );
      assert.equal(hs.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      assert.deepEqual(hs.mechanisms, []);
      const auth = await call(
        client,
        36,
        0,
        { authBytes: new Uint8Array(0) },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(auth.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
      assert.equal(auth.errorMessage, "SaslAuthenticate request received after successful authentication");
      client.destroy();
    });
  });
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`re-authentication (KIP-368) with connections.max.reauth.ms, broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    before(async () => {
      broker = await startBroker(flavour, {
        overrides: { ...saslOverrides(), "connections.max.reauth.ms": 2000, "tsbroker.log.level": "debug" },
      });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(broker.dataDir, { recursive: true, force: true });
    });

    test("kafkajs re-authenticates on its connections and keeps producing past several session lifetimes", async () => {
      const script = `
      import kafkajs from "kafkajs";
      const kafka = new kafkajs.Kafka({ brokers: [process.argv[1]], logLevel: kafkajs.logLevel.NOTHING,
        reauthenticationThreshold: 1000, sasl: { mechanism: "plain", username: "alice", password: "alice-secret" } });
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 14; i++) {
        await producer.send({ topic: "reauth-" + process.argv[2], messages: [{ value: "m" + i }] });
        await new Promise((r) => setTimeout(r, 500));
      }
      await producer.disconnect();
    `;
      const kjs = await runCommand("node", ["--input-type=module", "-e", script, broker.bootstrap, flavour], {
        timeoutMs: 60_000,
      });
      assert.equal(kjs.code, 0, `kafkajs failed: ${kjs.stderr}`);
      const expired = broker.output.filter((l) => /expired .* without re-authentication/.test(l));
      assert.deepEqual(expired, [], "connections were closed for expired sessions instead of re-authenticating");
      const get = await runCommand("kcat", [
        "-C",
        "-b",
        broker.bootstrap,
        "-t",
        `reauth-${flavour}`,
        "-e",
        "-q",
        ...kcatSasl("PLAIN", "alice", "alice-secret"),
      ]);
      assert.equal(get.stdout.trim().split("\n").length, 14);
    });

    test("a connection that does not re-authenticate is closed at its first request after expiry", async () => {
      const { client, call } = await handshaken(broker, "PLAIN");
      const ok = await call(
        client,
        36,
        1,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(ok.sessionLifetimeMs, 2000n);
      await new Promise((r) => setTimeout(r, 2300));
      client.write(requestFrame(3, 12, 9, "x", {
        topics: [],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
        includeClusterAuthorizedOperations: false,
      }, encodeMetadataRequest));
      assert.equal(await client.readFrame(), null);
    });

    test("re-authenticating as another user is refused with Kafka's message", async () => {
      const { client, call } = await handshaken(broker, "PLAIN");
      await call(
        client,
        36,
        2,
        { authBytes: plainToken("alice", "alice-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      const again = await call(
        client,
        17,
        1,
        { mechanism: "PLAIN" },
        encodeSaslHandshakeRequest,
        decodeSaslHandshakeResponse,
      );
      assert.equal(again.errorCode, ErrorCode.NONE);
      const other = await call(
        client,
        36,
        2,
        { authBytes: plainToken("admin", "admin-secret") },
        encodeSaslAuthenticateRequest,
        decodeSaslAuthenticateResponse,
      );
      assert.equal(other.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(other.errorMessage, "Cannot change principals during re-authentication from User.alice: User.admin");
      assert.ok(await client.closedWithin(5000));
    });
  });
}
