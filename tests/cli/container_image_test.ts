/**
 * The container image, checked without a Docker engine (none runs where the
 * suite runs): the Dockerfile's instructions and the config it ships are read
 * and held to what `docker run` needs, and the config is loaded as the
 * executable in the image would load it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadConfig } from "../../src/config/load.ts";
import { parseListeners } from "../../src/config/listeners.ts";
import { parseMetricsListener } from "../../src/config/metrics_listener.ts";

const root = new URL("../../", import.meta.url);
const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");
/** The last stage's instructions: what the shipped image is made of. */
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

function instruction(name: string, text = runtimeStage): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
}

const entrypoint: string[] = JSON.parse(instruction("ENTRYPOINT").at(-1)!);
const configPath = entrypoint[entrypoint.indexOf("--config") + 1];
const imageConfigText = readFileSync(new URL("docker/broker.toml", root), "utf8");
const imageConfig = loadConfig({ text: imageConfigText, source: "docker/broker.toml" });

test("the entry point carries the config, so `docker run IMAGE --override k=v` adds to it", () => {
  assert.equal(entrypoint[0], "/usr/local/bin/tsbroker");
  assert.equal(configPath, "/etc/tsbroker/broker.toml");
  assert.ok(
    instruction("COPY").includes(`docker/broker.toml ${configPath}`),
    "the config file is copied into the image",
  );
  const cmd = instruction("CMD");
  assert.ok(
    cmd.length === 0 || cmd.at(-1) === "[]",
    `CMD must not hold settings that docker run arguments would replace: ${cmd}`,
  );
});

test("listeners work from outside the container: all interfaces inside, a reachable advertised address", () => {
  const [listener] = parseListeners(imageConfig);
  assert.equal(listener.host, "0.0.0.0");
  assert.equal(listener.port, 9092);
  assert.deepEqual(imageConfig["advertised.listeners"], ["PLAINTEXT://localhost:9092"]);
  assert.equal(parseMetricsListener(imageConfig)?.host, "0.0.0.0");
  for (const port of [9092, parseMetricsListener(imageConfig)!.port]) {
    assert.ok(instruction("EXPOSE").join(" ").split(" ").includes(String(port)), `port ${port} exposed`);
  }
});

test("the data volume is created owned by the non-root user the image runs as", () => {
  const [dataDir] = imageConfig["log.dirs"];
  assert.ok(instruction("VOLUME").includes(dataDir), `VOLUME ${dataDir}`);
  assert.equal(instruction("USER").at(-1), "65532:65532");
  // Built in the build stage as uid 65532's, copied with that owner before VOLUME declares it.
  const buildStage = dockerfile.slice(0, dockerfile.lastIndexOf("\nFROM "));
  assert.ok(
    instruction("RUN", buildStage).some((r) =>
      r.includes(`mkdir -p /rootfs${dataDir}`) && r.includes(`chown 65532:65532 /rootfs${dataDir}`)
    ),
  );
  const parent = dataDir.slice(0, dataDir.lastIndexOf("/") + 1);
  assert.ok(instruction("COPY").includes(`--from=build --chown=65532:65532 /rootfs${parent} ${parent}`));
  assert.ok(
    runtimeStage.indexOf(`/rootfs${parent}`) < runtimeStage.indexOf("VOLUME "),
    "the directory exists before VOLUME",
  );
});

test("environment variables configure the image as KAFKA_* do Kafka's", () => {
  const cfg = loadConfig({
    text: imageConfigText,
    env: { KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://broker.example:19092" },
    overrides: ["num.partitions=3"],
  });
  assert.deepEqual(cfg["advertised.listeners"], ["PLAINTEXT://broker.example:19092"]);
  assert.equal(cfg["num.partitions"], 3);
  assert.deepEqual(cfg["log.dirs"], imageConfig["log.dirs"], "the image's other settings stay");
});
