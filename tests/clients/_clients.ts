/**
 * Runners for the real-client scenario programs of tests/clients/: Apache
 * Kafka's Java clients, Streams and tools (java/ClientScenarios.java,
 * compiled against the reference Kafka's jars), franz-go (go/, built with
 * `go build`), aiokafka and confluent-kafka (python/, in the project-local
 * virtualenv that scripts/install-client-deps.sh makes). Each program takes
 * a bootstrap address, a scenario name and a topic prefix and prints one JSON
 * object, so the same run can be made against tsbroker and against the
 * reference Kafka and the two answers compared.
 *
 * Everything installs itself on first use and is cached under .cache/: the
 * Java classes by a hash of their source and classpath, the Go binary by a
 * hash of its module, the virtualenv by its pinned versions. A missing
 * toolchain or registry fails with a message that says which.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ROOT, runCommand } from "../integration/_broker.ts";
import { javaCommand, kafkaClasspath } from "../../scripts/kafka/reference.ts";

const HERE = path.join(ROOT, "tests", "clients");
const CACHE = path.join(ROOT, ".cache");

/** One scenario's JSON answer. */
// deno-lint-ignore no-explicit-any
export type Result = Record<string, any>;

/** Runs one scenario program against one broker. */
export type Scenarios = (bootstrap: string, scenario: string, prefix: string) => Promise<Result>;

async function digest(...parts: string[]): Promise<string> {
  const bytes = new TextEncoder().encode(parts.join("\0"));
  return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))).slice(0, 8)
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function must(what: string, command: string, args: string[], options: Parameters<typeof runCommand>[2] = {}) {
  let result;
  try {
    result = await runCommand(command, args, { timeoutMs: 300_000, ...options });
  } catch (e) {
    throw new Error(`${what}: cannot run ${command} (${e instanceof Error ? e.message : e}); is it installed?`);
  }
  if (result.code !== 0) {
    throw new Error(
      `${what} failed (${command} ${args.join(" ")}, exit ${result.code}):\n${result.stderr.slice(-3000)}`,
    );
  }
  return result.stdout;
}

/** The JSON object on the last line of a scenario program's output, or an error naming what it printed. */
function parse(what: string, out: { code: number | null; stdout: string; stderr: string }): Result {
  const line = out.stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  if (out.code !== 0 || !line) {
    throw new Error(
      `${what} exited ${out.code} without a result:\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-3000)}`,
    );
  }
  const result = JSON.parse(line);
  if (result.error) result.stderrTail = out.stderr.slice(-3000);
  return result;
}

const LOG4J2 = `status = warn
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d{HH:mm:ss.SSS}] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
`;

/**
 * ClientScenarios.java compiled (javac, once per source and classpath) against
 * the reference Kafka's jars (kafka-clients, kafka-streams, kafka-tools; Maven
 * resolves them on first use). Needs a JDK 17+ and Maven.
 */
export async function javaScenarios(tmpdir: string): Promise<Scenarios> {
  const classpath = await kafkaClasspath();
  const source = path.join(HERE, "java", "ClientScenarios.java");
  const dir = path.join(CACHE, "clients-java", await digest(fs.readFileSync(source, "utf8"), classpath));
  if (!fs.existsSync(path.join(dir, "ClientScenarios.class"))) {
    const partial = `${dir}.partial-${Deno.pid}`;
    fs.mkdirSync(partial, { recursive: true });
    const javac = path.join(path.dirname(javaCommand()), "javac");
    await must("compiling tests/clients/java (needs a JDK 17+)", javaCommand() === "java" ? "javac" : javac, [
      "-nowarn",
      "-d",
      partial,
      "-cp",
      classpath,
      source,
    ]);
    fs.writeFileSync(path.join(partial, "log4j2.properties"), LOG4J2);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
  }
  return async (bootstrap, scenario, prefix) => {
    const out = await runCommand(javaCommand(), [
      "-Xmx384m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      `-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`,
      "-cp",
      `${classpath}${path.delimiter}${dir}`,
      "ClientScenarios",
      bootstrap,
      scenario,
      prefix,
      tmpdir,
    ], { timeoutMs: 150_000 });
    return parse(`java ClientScenarios ${scenario} against ${bootstrap}`, out);
  };
}

/** Runs one of Kafka's tools as its bin/ script does: `java -cp <jars> <main class> args...`. */
export async function kafkaTool(
  mainClass: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const classpath = await kafkaClasspath();
  const log4j = path.join(CACHE, "clients-java", "log4j2.properties");
  if (!fs.existsSync(log4j)) {
    fs.mkdirSync(path.dirname(log4j), { recursive: true });
    fs.writeFileSync(log4j, LOG4J2);
  }
  const start = Date.now();
  const out = await runCommand(javaCommand(), [
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    `-Dlog4j2.configurationFile=${log4j}`,
    "-cp",
    classpath,
    mainClass,
    ...args,
  ], { timeoutMs });
  return { ...out, ms: Date.now() - start };
}

/** The franz-go scenario program (go/), built once per module content into .cache/clients-go/. Needs Go. */
export async function goScenarios(): Promise<Scenarios> {
  const moduleDir = path.join(HERE, "go");
  const files = ["go.mod", "go.sum", "main.go"].map((f) => fs.readFileSync(path.join(moduleDir, f), "utf8"));
  const binary = path.join(CACHE, "clients-go", `franzgo-${await digest(...files)}`);
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    const partial = `${binary}.partial-${Deno.pid}`;
    await must(
      "building tests/clients/go with franz-go (needs Go 1.24+ and the Go module proxy on first use)",
      "go",
      ["-C", moduleDir, "build", "-o", partial, "."],
      { env: { GOFLAGS: "-mod=mod" } },
    );
    fs.renameSync(partial, binary);
  }
  return async (bootstrap, scenario, prefix) => {
    const out = await runCommand(binary, [bootstrap, scenario, prefix], { timeoutMs: 120_000 });
    return parse(`franz-go ${scenario} against ${bootstrap}`, out);
  };
}

/** The virtualenv's python, created by scripts/install-client-deps.sh on first use (aiokafka, confluent-kafka). */
export async function pythonWithClients(): Promise<string> {
  const stdout = await must(
    "installing aiokafka and confluent-kafka into .cache/venv (needs python3 with venv, and PyPI on first use)",
    "bash",
    [path.join(ROOT, "scripts", "install-client-deps.sh")],
  );
  return stdout.trim().split("\n").at(-1)!;
}

/** The Python scenario program `python/<script>` run by the virtualenv's python. */
export function pythonScenarios(python: string, script: string): Scenarios {
  return async (bootstrap, scenario, prefix) => {
    const out = await runCommand(python, [path.join(HERE, "python", script), bootstrap, scenario, prefix], {
      timeoutMs: 120_000,
    });
    return parse(`${script} ${scenario} against ${bootstrap}`, out);
  };
}

/** The broker's ApiVersions answer (v0) as api key -> [min, max]. */
export function apiVersions(host: string, port: number, timeoutMs = 5000): Promise<Map<number, [number, number]>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let got = new Uint8Array(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ApiVersions answer from ${host}:${port}`));
    }, timeoutMs);
    socket.on("error", (e) => (clearTimeout(timer), reject(e)));
    socket.on("connect", () => {
      const request = new Uint8Array(14);
      const view = new DataView(request.buffer);
      view.setInt32(0, 10);
      view.setInt16(4, 18);
      view.setInt16(6, 0);
      view.setInt32(8, 1);
      view.setInt16(12, -1);
      socket.write(request);
    });
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(got.length + chunk.length);
      joined.set(got);
      joined.set(chunk, got.length);
      got = joined;
      const view = new DataView(got.buffer);
      if (got.length < 4 || got.length < 4 + view.getInt32(0)) return;
      clearTimeout(timer);
      socket.destroy();
      const versions = new Map<number, [number, number]>();
      const count = view.getInt32(10);
      for (let i = 0, at = 14; i < count; i++, at += 6) {
        versions.set(view.getInt16(at), [view.getInt16(at + 2), view.getInt16(at + 4)]);
      }
      resolve(versions);
    });
  });
}

/** A result without its timings, for comparing two brokers' answers. */
export function withoutTimings(result: Result): Result {
  const { elapsedMs: _elapsed, ms: _ms, stderrTail: _stderr, ...rest } = result;
  return rest;
}

/** A Java program of tests/clients/java/ run by hand: its command line, for a test that kills and restarts it. */
export interface JavaProgram {
  /** The scenario's JSON answer (extra arguments after the tmpdir). */
  run(bootstrap: string, scenario: string, prefix: string, ...extra: string[]): Promise<Result>;
  /** `java` and its arguments, to spawn the program directly. */
  commandLine(bootstrap: string, scenario: string, prefix: string, ...extra: string[]): [string, string[]];
}

/**
 * TxnScenarios.java (transactions_test.ts), compiled together with ClientScenarios.java, whose helpers it uses,
 * against the reference Kafka's jars; cached like javaScenarios.
 */
export async function javaTxnScenarios(tmpdir: string): Promise<JavaProgram> {
  const classpath = await kafkaClasspath();
  const sources = ["ClientScenarios.java", "TxnScenarios.java"].map((f) => path.join(HERE, "java", f));
  const dir = path.join(
    CACHE,
    "clients-java",
    await digest(...sources.map((s) => fs.readFileSync(s, "utf8")), classpath),
  );
  if (!fs.existsSync(path.join(dir, "TxnScenarios.class"))) {
    const partial = `${dir}.partial-${Deno.pid}`;
    fs.mkdirSync(partial, { recursive: true });
    const javac = path.join(path.dirname(javaCommand()), "javac");
    await must("compiling tests/clients/java (needs a JDK 17+)", javaCommand() === "java" ? "javac" : javac, [
      "-nowarn",
      "-d",
      partial,
      "-cp",
      classpath,
      ...sources,
    ]);
    fs.writeFileSync(path.join(partial, "log4j2.properties"), LOG4J2);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
  }
  const commandLine = (bootstrap: string, scenario: string, prefix: string, ...extra: string[]) =>
    [javaCommand(), [
      "-Xmx384m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      `-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`,
      "-cp",
      `${classpath}${path.delimiter}${dir}`,
      "TxnScenarios",
      bootstrap,
      scenario,
      prefix,
      tmpdir,
      ...extra,
    ]] as [string, string[]];
  return {
    commandLine,
    async run(bootstrap, scenario, prefix, ...extra) {
      const [command, args] = commandLine(bootstrap, scenario, prefix, ...extra);
      const out = await runCommand(command, args, { timeoutMs: 200_000 });
      return parse(`java TxnScenarios ${scenario} against ${bootstrap}`, out);
    },
  };
}
