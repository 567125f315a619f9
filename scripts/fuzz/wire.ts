/**
 * Wire fuzzer: mutated request frames of every advertised API and version,
 * sent to a running broker over many connections (size prefixes right,
 * sometimes wrong), with a health check every `checkEvery` frames: a fresh,
 * well-behaved client must get correct ApiVersions and Metadata answers.
 * Shared by tests/fuzz/wire_fuzz_test.ts and scripts/fuzz/fuzz.ts.
 */
import { wireCaller, WireClient } from "../../tests/integration/_wire.ts";
import { advertisedVersions } from "../../src/handler/apis/registry.ts";
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from "../../src/protocol/generated/api_versions.ts";
import {
  decodeMetadataResponse,
  defaultMetadataRequest,
  encodeMetadataRequest,
} from "../../src/protocol/generated/metadata.ts";
import { concat, mutate, type Random, seeded, seedFrames } from "./corpus.ts";

/** APIs whose fully populated sample would create thousands of partitions: only their empty forms are sent. */
const CREATING_APIS = new Set([19, 37]);

export interface WireFuzzOptions {
  port: number;
  seed: number;
  frames: number;
  /** Frames per connection (at most). */
  perConnection?: number;
  checkEvery?: number;
  log?: (line: string) => void;
}

export interface WireFuzzReport {
  frames: number;
  connections: number;
  closedByBroker: number;
  checks: number;
  /** Health checks that failed, with why. */
  failures: string[];
}

export async function fuzzWire(opts: WireFuzzOptions): Promise<WireFuzzReport> {
  const seeds = (await seedFrames()).filter((f, i) => !CREATING_APIS.has(f.apiKey) || i % 3 === 2).map((f) => f.bytes);
  const random = seeded(opts.seed);
  const perConnection = opts.perConnection ?? 6;
  const checkEvery = opts.checkEvery ?? 250;
  const report: WireFuzzReport = { frames: 0, connections: 0, closedByBroker: 0, checks: 0, failures: [] };
  let nextCheck = checkEvery;
  while (report.frames < opts.frames) {
    const count = Math.min(1 + Math.floor(random() * perConnection), opts.frames - report.frames);
    if (await fuzzConnection(opts.port, seeds, random, count)) report.closedByBroker++;
    report.connections++;
    report.frames += count;
    if (report.frames >= nextCheck || report.frames >= opts.frames) {
      nextCheck += checkEvery;
      report.checks++;
      const problem = await healthCheck(opts.port);
      if (problem !== null) {
        report.failures.push(`after ${report.frames} frames: ${problem}`);
        if (report.failures.length >= 3) break;
      }
      opts.log?.(
        `${report.frames} frames, ${report.connections} connections, ${report.closedByBroker} closed by the broker`,
      );
    }
  }
  return report;
}

/**
 * One connection: `count` mutated frames written at once, then a valid ApiVersions; waits until the
 * broker answers it or closes the connection. Returns whether the broker closed it.
 */
async function fuzzConnection(port: number, seeds: Uint8Array[], random: Random, count: number): Promise<boolean> {
  const client = await WireClient.connect(port);
  try {
    const parts: Uint8Array[] = [];
    let brokenPrefix = false;
    for (let i = 0; i < count; i++) {
      const pick = () => seeds[Math.floor(random() * seeds.length)];
      // A quarter go unmutated: valid requests with odd values reach the handlers, not just the decoders.
      const body = random() < 0.25 ? pick() : mutate(pick(), random, pick());
      const prefix = new Uint8Array(4);
      // Now and then a wrong size prefix: the rest of the connection is then garbage to the broker.
      const wrong = random() < 0.03;
      new DataView(prefix.buffer).setInt32(0, wrong ? body.length + Math.floor(random() * 64) - 32 : body.length);
      brokenPrefix ||= wrong;
      parts.push(prefix, body);
    }
    client.write(concat(...parts));
    if (brokenPrefix) {
      // The broker may be waiting for bytes that never come; say goodbye instead of waiting out its timeout.
      await client.closedWithin(50);
      return client.closed;
    }
    client.write(apiVersionsFrame(0x7ffffff0));
    for (let i = 0; i <= count; i++) {
      const frame = await client.readFrame(10_000);
      if (frame === null) return true;
      if (new DataView(frame.buffer, frame.byteOffset).getInt32(0) === 0x7ffffff0) return false;
    }
    return false;
  } finally {
    client.destroy();
  }
}

function apiVersionsFrame(correlationId: number): Uint8Array {
  const b = new Uint8Array(14);
  const v = new DataView(b.buffer);
  v.setInt32(0, 10);
  v.setInt16(4, 18);
  v.setInt16(6, 0);
  v.setInt32(8, correlationId);
  v.setInt16(12, -1);
  return b;
}

/** A fresh client's ApiVersions and Metadata round trips; returns what was wrong, or null. */
export async function healthCheck(port: number): Promise<string | null> {
  let client: WireClient | undefined;
  try {
    client = await WireClient.connect(port);
    const call = wireCaller("fuzz-health");
    const versions = await call(
      client,
      18,
      3,
      { clientSoftwareName: "fuzz", clientSoftwareVersion: "1" },
      encodeApiVersionsRequest,
      decodeApiVersionsResponse,
    );
    if (versions.errorCode !== 0) return `ApiVersions answered error ${versions.errorCode}`;
    const want = advertisedVersions().map((a) => `${a.apiKey}:${a.minVersion}-${a.maxVersion}`).join(",");
    const got = versions.apiKeys.map((a) => `${a.apiKey}:${a.minVersion}-${a.maxVersion}`).join(",");
    if (got !== want) return `ApiVersions lists ${got}, not ${want}`;
    const metadata = await call(
      client,
      3,
      9,
      { ...defaultMetadataRequest(), topics: null },
      encodeMetadataRequest,
      decodeMetadataResponse,
    );
    if (metadata.brokers.length !== 1 || metadata.brokers[0].port !== port) {
      return `Metadata lists brokers ${JSON.stringify(metadata.brokers)}`;
    }
    return null;
  } catch (e) {
    return `health check failed: ${e instanceof Error ? e.message : e}`;
  } finally {
    client?.destroy();
  }
}
