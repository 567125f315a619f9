/**
 * Apache Kafka as a system of the benchmark: a single-node KRaft broker
 * (combined broker and controller) from the jars of scripts/kafka/pom.xml,
 * run the way the other servers are — `taskset -c 0`, so that the JVM sees
 * and sizes itself for one core, as tsbroker does — through the same
 * workloads as tsbroker (_brokers.ts).
 *
 * scripts/kafka/reference.ts starts java itself, unpinned; this file reuses
 * its classpath, java and readiness helpers and launches the JVM through
 * the harness's startServer so that the pid whose CPU and memory are read is
 * the JVM's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { answersApiVersions, javaCommand, kafkaClasspath, kafkaClusterId } from "../kafka/reference.ts";
import { type Broker, type ColdStart, RETENTION, type StartOptions, withCleanup } from "./_brokers.ts";
import { BROKER_CPU } from "./_plan.ts";
import { capture, type Server, sleep, startServer } from "./_procs.ts";
import type { Bench } from "./_runner.ts";
import { freePort } from "./_setup.ts";

/**
 * kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS: G1 with a 20 ms pause
 * goal, concurrent cycles from 35% occupancy, System.gc() concurrent.
 */
export const KAFKA_JVM_FLAGS = [
  "-server",
  "-XX:+UseG1GC",
  "-XX:MaxGCPauseMillis=20",
  "-XX:InitiatingHeapOccupancyPercent=35",
  "-XX:+ExplicitGCInvokesConcurrent",
  "-Djava.awt.headless=true",
];

/**
 * The heap as KAFKA_HEAP_OPTS sets it (-Xms = -Xmx). kafka-server-start.sh's
 * default is 1g, the size Kafka ships for small hosts; its operations guide
 * asks for 6 GB only on large production machines, because the broker keeps
 * data in the page cache rather than on the heap.
 */
export function kafkaJvmArgs(heap: string): string[] {
  return [`-Xms${heap}`, `-Xmx${heap}`, ...KAFKA_JVM_FLAGS];
}

/** server.properties: one node, tsbroker's retention, and fsync after every append when durable. */
export function kafkaProperties(
  o: { port: number; controllerPort: number; dataDir: string; durable: boolean; extra: Record<string, string> },
): string {
  const settings: Record<string, string> = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.bootstrap.servers": `127.0.0.1:${o.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${o.port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": o.dataDir,
    // One node: the internal topics get one replica, as in tsbroker.
    "offsets.topic.replication.factor": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    ...Object.fromEntries(RETENTION),
    // Kafka cannot fsync before acking acks=all as tsbroker.fsync.acks.all does; the nearest
    // setting fsyncs each partition's log (and its indexes) after every append, before the ack.
    ...(o.durable ? { "log.flush.interval.messages": "1" } : {}),
    ...o.extra,
  };
  return Object.entries(settings).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}

/** Kafka's own log (INFO, as its default config) goes to a file; only the start line to stdout, for startServer. */
function log4j2(file: string): string {
  return [
    "status = warn",
    "appender.file.type = File",
    "appender.file.name = file",
    `appender.file.fileName = ${file}`,
    "appender.file.layout.type = PatternLayout",
    "appender.file.layout.pattern = [%d] %p %m (%c)%n",
    "appender.out.type = Console",
    "appender.out.name = out",
    "appender.out.layout.type = PatternLayout",
    "appender.out.layout.pattern = %m%n",
    "rootLogger.level = INFO",
    "rootLogger.appenderRef.file.ref = file",
    "logger.started.name = kafka.server.KafkaRaftServer",
    "logger.started.level = INFO",
    "logger.started.appenderRef.out.ref = out",
    "",
  ].join("\n");
}

/**
 * An SSL listener beside PLAINTEXT (which stays the inter-broker listener), with the key store in PEM
 * (KIP-651): the settings TLS-W1 adds to server.properties.
 */
function sslListener(port: number, sslPort: number, controllerPort: number, keyStore: string) {
  return {
    listeners: `PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${sslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${sslPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
    "ssl.keystore.type": "PEM",
    "ssl.keystore.location": keyStore,
  };
}

/** A formatted data dir and the java command line that starts Kafka on it. */
async function prepare(b: Bench, heap: string, config: Record<string, string>, o: StartOptions) {
  const classpath = await kafkaClasspath();
  const java = javaCommand();
  const dir = fs.mkdtempSync(path.join(b.work, "kafka-"));
  const [port, controllerPort, sslPort] = [freePort(), freePort(), freePort()];
  const properties = path.join(dir, "server.properties");
  const extra = { ...(o.tls ? sslListener(port, sslPort, controllerPort, o.tls.keyStore) : {}), ...config };
  const durable = o.durable ?? false;
  fs.writeFileSync(
    properties,
    kafkaProperties({ port, controllerPort, dataDir: path.join(dir, "data"), durable, extra }),
  );
  fs.writeFileSync(path.join(dir, "log4j2.properties"), log4j2(path.join(dir, "kafka.log")));
  const log4j = [`-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`];
  const format = ["kafka.tools.StorageTool", "format", "--standalone", "-t", kafkaClusterId(), "-c", properties];
  await capture("taskset", ["-c", String(BROKER_CPU), java, ...log4j, "-cp", classpath, ...format]);
  const args = [...kafkaJvmArgs(heap), ...log4j, "-cp", classpath, "kafka.Kafka", properties];
  return { dir, port: o.tls ? sslPort : port, plainPort: port, java, args };
}

/** Apache Kafka with the JVM settings above; `config` adds or overrides server.properties entries. */
export function apacheKafka(b: Bench, heap: string, config: Record<string, string>): Broker {
  const start = async (o: StartOptions): Promise<Server> => {
    const { dir, port, plainPort, java, args } = await prepare(b, heap, config, o);
    const server = await startServer({
      name: "kafka",
      command: java,
      args,
      cpu: o.cpus ?? BROKER_CPU,
      readyPattern: /Kafka Server started()/,
      timeoutMs: 180_000,
    });
    // The start line comes once the broker is unfenced; make sure the listener answers too.
    for (let i = 0; i < 120 && !(await answersApiVersions(plainPort)); i++) await sleep(250);
    return Object.assign(Object.create(withCleanup(server, dir)), { ready: String(port) }) as Server;
  };
  // The data dir is formatted before the clock starts: the format is a separate tool run once per install.
  const coldStart = async (): Promise<ColdStart> => {
    const { dir, port, java, args } = await prepare(b, heap, config, {});
    const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
    return { command: "taskset", args: ["-c", String(BROKER_CPU), java, ...args], port, cleanup };
  };
  return {
    system: "kafka",
    kind: "reference",
    start,
    coldStart,
    idleNote: `Apache Kafka, JVM ${kafkaJvmArgs(heap).slice(0, 2).join(" ")} + kafka-run-class.sh's G1 flags`,
    durableNote: "log.flush.interval.messages=1 (fsync after each append)",
  };
}
