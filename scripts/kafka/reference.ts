/**
 * The reference Apache Kafka: a single-node KRaft broker (combined broker and
 * controller) run from Kafka's own jars, for differential tests, client
 * tests and the benchmark. The Kafka version is the one in
 * scripts/kafka/pom.xml; Maven resolves its jars into the user's Maven cache
 * on first use, and the classpath is cached under .cache/kafka/.
 *
 *   deno run -A scripts/kafka/reference.ts start [--port 9092] [--dir DIR] [--config key=value]...
 *       formats DIR (a temporary one by default), starts Kafka, prints its
 *       address, and stops it on Ctrl-C or SIGTERM; the log is DIR/kafka.log
 *   deno run -A scripts/kafka/reference.ts stop --dir DIR     stops the Kafka started on DIR
 *   deno run -A scripts/kafka/reference.ts classpath          prints the resolved classpath
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { withFileLock } from "./file_lock.ts";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const POM = path.join(ROOT, "scripts", "kafka", "pom.xml");
const CACHE = path.join(ROOT, ".cache", "kafka");

/** The Kafka version, read from the pom so that it is written down in one place. */
export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(POM, "utf8"));
  if (!m) throw new Error(`no <kafka.version> in ${POM}`);
  return m[1];
}

async function run(command: string, args: string[], what: string): Promise<string> {
  let output;
  try {
    output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw new Error(
      `${what}: cannot run ${command} (${e instanceof Error ? e.message : e}); is it installed and on PATH?`,
    );
  }
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${what} failed (${command} ${args.join(" ")}):\n${text.slice(-4000)}`);
  return text;
}

/** Kafka's jars as a Java classpath, resolved by Maven once per pom version and cached. */
export async function kafkaClasspath(): Promise<string> {
  const pom = fs.readFileSync(POM, "utf8");
  const digest = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(pom))))
    .slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
  const file = path.join(CACHE, `classpath-${digest}.txt`);
  if (fs.existsSync(file) && !jarsPresent(fs.readFileSync(file, "utf8"))) {
    // The Maven cache was cleared (or the checkout moved to another machine) since the classpath was written.
    console.error(`[reference-kafka] ${file} names jars that are gone: resolving again`);
    fs.rmSync(file, { force: true });
  }
  if (!fs.existsSync(file)) {
    fs.mkdirSync(CACHE, { recursive: true });
    // One Maven at a time: parallel test files ask at once on a cold cache.
    await withFileLock(`${file}.lock`, async () => {
      if (fs.existsSync(file)) return; // resolved by the process that held the lock
      console.error(`[reference-kafka] resolving Apache Kafka ${kafkaVersion()} with Maven (first use only)`);
      const partial = `${file}.partial-${Deno.pid}`;
      await run(
        "mvn",
        ["-q", "-B", "-f", POM, "dependency:build-classpath", `-Dmdep.outputFile=${partial}`],
        "resolving Kafka's jars from Maven Central",
      );
      fs.renameSync(partial, file);
    });
  }
  return fs.readFileSync(file, "utf8").trim();
}

function jarsPresent(classpath: string): boolean {
  return classpath.trim().split(path.delimiter).every((jar) => fs.existsSync(jar));
}

/**
 * A new cluster id as `kafka-storage random-uuid` makes one (16 random bytes,
 * URL-safe base64), without a JVM start. Like Kafka's Uuid.randomUuid, never
 * one that starts with "-": kafka-storage would read it as an option.
 */
export function kafkaClusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}

/** `java` from JAVA_HOME, else from PATH. Kafka 4 brokers need Java 17 or later. */
export function javaCommand(): string {
  const home = Deno.env.get("JAVA_HOME");
  return home && fs.existsSync(path.join(home, "bin", "java")) ? path.join(home, "bin", "java") : "java";
}

/** A port that was free a moment ago (bound to 0 and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface ReferenceKafkaOptions {
  /** Client port; 0 or unset picks a free one. */
  port?: number;
  /** Data and log directory; a new temporary one by default (removed on stop). */
  dir?: string;
  /** Extra server.properties entries, e.g. { "num.partitions": "3" }. */
  config?: Record<string, string>;
  /** Bound on start-up, in ms (default 120 s: the JVM is slow on a busy 2-core machine). */
  startTimeoutMs?: number;
  /** Java heap, e.g. "512m" (default). */
  heap?: string;
  /**
   * Listeners besides PLAINTEXT and CONTROLLER, e.g. a SASL_PLAINTEXT one (its JAAS and mechanism keys go in
   * `config`, as listener.name.<name>.* entries); each is added to listeners, advertised.listeners and the
   * security protocol map.
   */
  extraListeners?: ReadonlyArray<{ name: string; protocol: string; port: number }>;
}

export interface ReferenceKafka {
  readonly version: string;
  readonly host: string;
  readonly port: number;
  readonly bootstrap: string;
  readonly dir: string;
  readonly logFile: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 30 s; removes a temporary dir. */
  stop(): Promise<void>;
}

function serverProperties(
  port: number,
  controllerPort: number,
  dataDir: string,
  extra: Record<string, string>,
  extraListeners: ReadonlyArray<{ name: string; protocol: string; port: number }> = [],
): string {
  const more = (f: (l: { name: string; protocol: string; port: number }) => string) =>
    extraListeners.map((l) => `,${f(l)}`).join("");
  const settings: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.bootstrap.servers": `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}` +
      more((l) => `${l.name}://127.0.0.1:${l.port}`),
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}` + more((l) => `${l.name}://127.0.0.1:${l.port}`),
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" +
      more((l) => `${l.name}:${l.protocol}`),
    "log.dirs": dataDir,
    // One node: every internal topic has one replica, as in tsbroker.
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    ...extra,
  };
  return Object.entries(settings).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}

const LOG4J2 = `status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.raft.name = org.apache.kafka.raft
logger.raft.level = WARN
`;

/** True once the port answers an ApiVersions v0 request with error code 0. */
export function answersApiVersions(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    let got = new Uint8Array(0);
    socket.on("error", () => (clearTimeout(timer), done(false)));
    socket.on("connect", () => {
      const request = new Uint8Array(14);
      const view = new DataView(request.buffer);
      view.setInt32(0, 10);
      view.setInt16(4, 18); // ApiVersions
      view.setInt16(6, 0);
      view.setInt32(8, 7); // correlation id
      view.setInt16(12, -1); // null client id
      socket.write(request);
    });
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(got.length + chunk.length);
      joined.set(got);
      joined.set(chunk, got.length);
      got = joined;
      if (got.length >= 10) {
        clearTimeout(timer);
        const view = new DataView(got.buffer);
        done(view.getInt32(4) === 7 && view.getInt16(8) === 0);
      }
    });
  });
}

/** Kafka's words when a port it was given is taken by the time it binds. */
const BIND_FAILED = /Address already in use|BindException/;
/** Start-ups tried when the ports picked free were taken before Kafka bound them. */
const BIND_ATTEMPTS = 3;

/**
 * Formats a KRaft data dir and starts Kafka on it; resolves once it answers ApiVersions. Its ports are picked
 * free and released before Kafka binds them, so a process started meanwhile (the suite runs in parallel) can take
 * one: Kafka then exits at start-up, and with a temporary dir it is started again on new ports and a new dir.
 */
export async function startReferenceKafka(options: ReferenceKafkaOptions = {}): Promise<ReferenceKafka> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      const retry = e instanceof ReferenceStartError && e.bindFailed && options.dir === undefined &&
        attempt < BIND_ATTEMPTS;
      if (!retry) throw e;
    }
  }
}

/** Kafka exited or did not answer while starting; the message holds the log's error lines and its tail. */
class ReferenceStartError extends Error {
  constructor(message: string, readonly bindFailed: boolean) {
    super(message);
  }
}

/** The first error lines of Kafka's logs (the cause, which a tail of its shutdown lines hides), then the tail. */
function startFailureText(files: string[]): string {
  const texts = files.filter(fs.existsSync).map((f) => fs.readFileSync(f, "utf8"));
  const causes = texts.flatMap((t) => t.split("\n")).filter((l) => /\b(ERROR|FATAL)\b|Exception/.test(l));
  const tail = texts.map((t) => t.slice(-3000)).join("\n");
  return causes.length > 0 ? `${causes.slice(0, 12).join("\n")}\n…\n${tail}` : tail;
}

async function startOnce(options: ReferenceKafkaOptions): Promise<ReferenceKafka> {
  const classpath = await kafkaClasspath();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "reference-kafka-"));
  fs.mkdirSync(dir, { recursive: true });
  const port = options.port || await freePort();
  const controllerPort = await freePort();
  const dataDir = path.join(dir, "data");
  const properties = path.join(dir, "server.properties");
  const logFile = path.join(dir, "kafka.log");
  fs.writeFileSync(
    properties,
    serverProperties(port, controllerPort, dataDir, options.config ?? {}, options.extraListeners),
  );
  fs.writeFileSync(path.join(dir, "log4j2.properties"), LOG4J2);
  const log4j = [`-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`, `-Dkafka.logs.file=${logFile}`];
  if (!fs.existsSync(path.join(dataDir, "meta.properties"))) await formatStorage(classpath, log4j, properties);
  const kafka = spawnKafka(classpath, log4j, properties, dir, options.heap ?? "512m");
  const stop = async () => {
    await kafka.stop();
    if (temporary) fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  while (!(await answersApiVersions(port))) {
    if (kafka.exited() || Date.now() > deadline) {
      const text = startFailureText([logFile, path.join(dir, "kafka.out")]);
      const exited = kafka.exited();
      await stop();
      throw new ReferenceStartError(
        `reference Kafka ${exited ? "exited" : "did not answer in time"} on port ${port}:\n${text}`,
        exited && BIND_FAILED.test(text),
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    version: kafkaVersion(),
    host: "127.0.0.1",
    port,
    bootstrap: `127.0.0.1:${port}`,
    dir,
    logFile,
    pid: kafka.pid,
    stop,
  };
}

/** `kafka-storage format --standalone` of a new data dir, with a fresh cluster id. */
async function formatStorage(classpath: string, log4j: string[], properties: string): Promise<void> {
  const args = ["-cp", classpath, ...log4j, "kafka.tools.StorageTool", "format", "--standalone"];
  await run(javaCommand(), [...args, "-t", kafkaClusterId(), "-c", properties], "kafka-storage format");
}

/**
 * The broker's JVM, its output appended to `dir`/kafka.out and its pid in `dir`/kafka.pid; stop() sends
 * SIGTERM (SIGKILL after 30 s) and waits for the exit.
 */
function spawnKafka(classpath: string, log4j: string[], properties: string, dir: string, heap: string) {
  // Kafka's recommended G1 settings (kafka-run-class.sh), with a heap sized for a small host.
  const jvm = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
  ];
  const child = new Deno.Command(javaCommand(), {
    args: [...jvm, ...log4j, "-cp", classpath, "kafka.Kafka", properties],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = fs.openSync(path.join(dir, "kafka.out"), "a");
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) fs.writeSync(stdout, chunk);
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  fs.writeFileSync(path.join(dir, "kafka.pid"), `${child.pid}\n`);
  let exited = false;
  const status = child.status.then(async (s) => {
    exited = true;
    await drained;
    fs.closeSync(stdout);
    return s;
  });
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => !exited && child.kill("SIGKILL"), 30_000);
      await status;
      clearTimeout(timer);
    }
    fs.rmSync(path.join(dir, "kafka.pid"), { force: true });
  };
  return { pid: child.pid, exited: () => exited, stop };
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { port: { type: "string" }, dir: { type: "string" }, config: { type: "string", multiple: true } },
  });
  const command = positionals[0] ?? "start";
  if (command === "classpath") {
    console.log(await kafkaClasspath());
  } else if (command === "stop") {
    if (!values.dir) throw new Error("stop needs --dir DIR (the directory given to start)");
    const pid = Number(fs.readFileSync(path.join(values.dir, "kafka.pid"), "utf8"));
    Deno.kill(pid, "SIGTERM");
    console.log(`[reference-kafka] sent SIGTERM to ${pid}`);
  } else if (command === "start") {
    const config = Object.fromEntries(
      (values.config ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const kafka = await startReferenceKafka({ port: Number(values.port ?? 0), dir: values.dir, config });
    console.log(
      `[reference-kafka] Apache Kafka ${kafka.version} at ${kafka.bootstrap} (pid ${kafka.pid}, log ${kafka.logFile}); Ctrl-C stops it`,
    );
    const stopOnce = async () => {
      await kafka.stop();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", stopOnce);
    Deno.addSignalListener("SIGTERM", stopOnce);
  } else {
    throw new Error(`unknown command ${command}: start, stop or classpath`);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`[reference-kafka] ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
