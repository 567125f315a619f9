/**
 * Start-up order (src/supervisor/broker.ts): processors bind their listeners
 * before the handlers have opened their partitions, as Kafka's acceptors bind
 * before request processing is enabled. A client that connects in between
 * must get the same answers as one that connects later (not a hang, a close
 * or a crash), and the handlers must hold the bound ports of port-0 listeners
 * in their first image. The broker runs in this process with real Workers;
 * the handlers' inits are held back so that requests are certain to arrive
 * while the broker starts. It lives with the integration tests because it drives Deno's runtime adapter
 * (real Workers), which `bun test` of the unit folders cannot load.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { resolveCli } from "../../src/cli/resolve.ts";
import type { BrokerConfig } from "../../src/config/keys.ts";
import { denoRuntime } from "../../src/runtime/deno/host.ts";
import type { HostRuntime, WorkerHandle } from "../../src/runtime/types.ts";
import { startBroker } from "../../src/supervisor/broker.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from "../../src/protocol/generated/api_versions.ts";
import { decodeMetadataResponse, encodeMetadataRequest } from "../../src/protocol/generated/metadata.ts";
import { requestFrame, WireClient } from "./_wire.ts";
import { tempDir } from "./_broker.ts";
import { freePort } from "../../scripts/kafka/reference.ts";

function brokerConfig(dataDir: string, port: number): BrokerConfig {
  const outcome = resolveCli([
    "-o",
    `listeners=PLAINTEXT://127.0.0.1:${port}`,
    "-o",
    `log.dirs=${dataDir}`,
    "-o",
    "tsbroker.metrics.listener=",
    "-o",
    "num.network.threads=1",
    "-o",
    "num.io.threads=2",
    "-o",
    "tsbroker.log.level=warn",
  ], (file) => fs.readFileSync(file, "utf8"));
  if (outcome.action !== "run") throw new Error(outcome.output);
  return outcome.config;
}

/** Deno's runtime, except that handler inits wait until `release` (and `held` says one was sent). */
function holdingHandlerInits(): { runtime: HostRuntime; held: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let sawInit!: () => void;
  const held = new Promise<void>((resolve) => (sawInit = resolve));
  const runtime: HostRuntime = {
    ...denoRuntime,
    spawnWorker(kind, name): WorkerHandle {
      const worker = denoRuntime.spawnWorker(kind, name);
      if (kind !== "handler") return worker;
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (message: unknown, transfer?: Transferable[]) => {
        if ((message as { type?: string }).type !== "init") return post(message, transfer);
        sawInit();
        gate.then(() => post(message, transfer));
      };
      return worker;
    },
  };
  return { runtime, held, release };
}

const API_VERSIONS = 18;
const METADATA = 3;

/** ApiVersions v3 then Metadata v12, pipelined on one connection. */
function sendApiVersionsAndMetadata(client: WireClient): void {
  client.write(requestFrame(API_VERSIONS, 3, 1, "startup-test", {
    clientSoftwareName: "startup-test",
    clientSoftwareVersion: "1",
  }, encodeApiVersionsRequest));
  client.write(requestFrame(METADATA, 12, 2, "startup-test", {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  }, encodeMetadataRequest));
}

/** Reads both answers and checks them: versions served, and this broker at `port`. */
async function checkAnswers(client: WireClient, port: number): Promise<void> {
  const versionsFrame = await client.readFrame();
  assert.ok(versionsFrame, "closed instead of answering ApiVersions");
  const r1 = new Reader(versionsFrame);
  assert.equal(decodeResponseHeader(r1, 0).correlationId, 1);
  const versions = decodeApiVersionsResponse(r1, 3);
  assert.equal(versions.errorCode, 0);
  const metadataRange = versions.apiKeys.find((k) => k.apiKey === METADATA);
  assert.ok(metadataRange && metadataRange.maxVersion >= 12, "Metadata v12 advertised");

  const metadataFrame = await client.readFrame();
  assert.ok(metadataFrame, "closed instead of answering Metadata");
  const r2 = new Reader(metadataFrame);
  assert.equal(decodeResponseHeader(r2, 1).correlationId, 2);
  const metadata = decodeMetadataResponse(r2, 12);
  assert.deepEqual(metadata.brokers.map((b) => [b.host, b.port]), [["127.0.0.1", port]]);
}

describe("start-up order", () => {
  test("requests sent before the handlers are ready wait and get their answers, in order", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const { runtime, held, release } = holdingHandlerInits();
    const starting = startBroker(runtime, brokerConfig(dataDir, port));
    let client: WireClient | null = null;
    try {
      // Handler inits are sent only once every processor listens.
      await held;
      client = await WireClient.connect(port);
      sendApiVersionsAndMetadata(client);
      await assert.rejects(client.readFrame(300), /timed out/, "answered before any handler had started");
      assert.equal(client.closed, false);
      release();
      const broker = await starting;
      try {
        await checkAnswers(client, port);
      } finally {
        await broker.stop();
      }
    } finally {
      release();
      client?.destroy();
      await starting.then((b) => b.stop(), () => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a port-0 listener's bound port is in the handlers' first image", async () => {
    const dataDir = tempDir();
    const broker = await startBroker(denoRuntime, brokerConfig(dataDir, 0));
    const client = await WireClient.connect(broker.listeners[0].port);
    try {
      sendApiVersionsAndMetadata(client);
      await checkAnswers(client, broker.listeners[0].port);
    } finally {
      client.destroy();
      await broker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
