/**
 * Differential: ApiVersions (key 18) against the reference Kafka at every
 * version tsbroker advertises, the unsupported-version answer (v0 body with
 * UNSUPPORTED_VERSION, KIP-511), a client software name that fails Kafka's
 * pattern (INVALID_REQUEST), and each key's range: every key tsbroker
 * advertises must exist in Kafka's answer, and tsbroker may only lack
 * Kafka's newest versions (it implements the 3.9 schemas) or keep old ones
 * Kafka 4 removed (KIP-896). Also checks that the suite's files together
 * cover every advertised API key.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CODECS, Oracle, SUITE_COVERAGE } from "./_oracle.ts";
import { advertisedVersions } from "../../src/handler/apis/registry.ts";
import { defaultApiVersionsRequest } from "../../src/protocol/generated/api_versions.ts";

describe("differential: ApiVersions", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("api_versions_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("the suite's files cover every API key tsbroker advertises", () => {
    const covered = new Set(Object.values(SUITE_COVERAGE).flat());
    const missing = advertisedVersions().filter((r) => !covered.has(r.apiKey)).map((r) => r.apiKey);
    assert.deepEqual(missing, [], "advertised API keys no differential file covers");
    for (const r of advertisedVersions()) assert.ok(CODECS.has(r.apiKey), `no codecs for api ${r.apiKey}`);
  });

  test("every advertised version answers like Kafka", async () => {
    for (const version of o.advertised(18)) {
      await o.compare({
        title: "success",
        apiKey: 18,
        version,
        request: { ...defaultApiVersionsRequest(), clientSoftwareName: "differential", clientSoftwareVersion: "1.0" },
      });
    }
    o.assertNoDifferences();
  });

  test("an unsupported version is answered at v0 with UNSUPPORTED_VERSION", async () => {
    for (const version of [5, 127]) {
      if (o.kafkaSupports(18, version)) continue;
      await o.compare({
        title: "unsupported version",
        apiKey: 18,
        version,
        request: { ...defaultApiVersionsRequest(), clientSoftwareName: "differential", clientSoftwareVersion: "1.0" },
      });
    }
    o.assertNoDifferences();
  });

  test("a client software name outside Kafka's pattern is INVALID_REQUEST", async () => {
    for (const version of o.common(18).filter((v) => v >= 3)) {
      for (const [name, ver] of [["bad name!", "1.0"], ["differential", "1.0 beta"], ["", "1.0"]]) {
        await o.compare({
          title: "invalid client software name",
          apiKey: 18,
          version,
          request: { ...defaultApiVersionsRequest(), clientSoftwareName: name, clientSoftwareVersion: ver },
        });
      }
    }
    o.assertNoDifferences();
  });

  test("each advertised key's range is Kafka's, less its newest versions or plus versions KIP-896 removed", async () => {
    const c = await o.compare({
      title: "key ranges",
      apiKey: 18,
      version: 3,
      request: { ...defaultApiVersionsRequest(), clientSoftwareName: "differential", clientSoftwareVersion: "1.0" },
    });
    const kafka = new Map<number, { minVersion: number; maxVersion: number }>(
      c.kafka.apiKeys.map((k: { apiKey: number }) => [k.apiKey, k]),
    );
    const notes: string[] = [];
    for (const t of c.tsbroker.apiKeys) {
      const k = kafka.get(t.apiKey);
      const name = CODECS.get(t.apiKey)?.name ?? `api ${t.apiKey}`;
      assert.ok(k, `${name} is advertised by tsbroker but not by Kafka`);
      assert.ok(
        t.maxVersion <= k.maxVersion,
        `${name}: tsbroker advertises v${t.maxVersion}, Kafka only v${k.maxVersion}`,
      );
      assert.ok(t.minVersion <= k.minVersion, `${name}: tsbroker drops v${t.minVersion}–v${k.minVersion - 1}`);
      o.comparedFields += 2;
      if (t.minVersion < k.minVersion) notes.push(`${name} v${t.minVersion}–v${k.minVersion - 1} (removed in Kafka 4)`);
      if (t.maxVersion < k.maxVersion) notes.push(`${name} v${t.maxVersion + 1}–v${k.maxVersion} (newer than 3.9)`);
    }
    console.log(`[differential] version ranges that differ from Kafka ${o.reference.version}: ${notes.join("; ")}`);
    o.assertNoDifferences();
  });
});
