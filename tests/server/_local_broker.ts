/**
 * A whole broker core in one thread, for handler tests of the data path:
 * the real controller, topic registry and log-dir state, and M "handlers",
 * each with its own ReplicaManager and a PartitionRouter connected to the
 * others by in-process MessageChannels, so requests really split by owner
 * and join. Only the Workers and sockets are missing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { BrokerConfig } from "../../src/config/keys.ts";
import { type MetadataImage, MetadataView } from "../../src/cluster/metadata_image.ts";
import { TopicRegistry } from "../../src/cluster/topic_registry.ts";
import { advertisedVersions, dispatchTable } from "../../src/apis/registry.ts";
import type { BrokerState, ControllerClient } from "../../src/server/broker_state.ts";
import { Controller } from "../../src/server/controller.ts";
import { FetchSessionCache } from "../../src/server/fetch_session_cache.ts";
import { LogDirState } from "../../src/server/log_dir_state.ts";
import { createPeerPorts, PartitionRouter } from "../../src/server/partition_router.ts";
import { ProducerIdBlocks } from "../../src/server/producer_ids.ts";
import { ReplicaManager } from "../../src/server/replica_manager.ts";
import { type HandledRequest, RequestHandler } from "../../src/server/request_handler.ts";
import { encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../src/protocol/api_headers.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { Logger } from "../../src/util/logger.ts";

export interface LocalBrokerOptions {
  handlers?: number;
  overrides?: string[];
  /** Reuse a data dir (restart); a fresh temp dir otherwise. */
  dir?: string;
}

export class LocalBroker {
  private next = 0;
  private readonly ports: MessagePort[] = [];

  private constructor(
    readonly dir: string,
    readonly config: BrokerConfig,
    readonly states: BrokerState[],
    readonly replicas: ReplicaManager[],
    readonly dirState: LogDirState,
    private readonly requestHandlers: RequestHandler[],
  ) {}

  static async start(opts: LocalBrokerOptions = {}): Promise<LocalBroker> {
    const count = opts.handlers ?? 2;
    const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-local-"));
    const config = loadConfig({ overrides: [`log.dirs=${dir}`, ...(opts.overrides ?? [])] });
    const log = new Logger("local-broker");
    const registry = new TopicRegistry(dir);
    const dirState = LogDirState.open(dir, log);
    const image = (): MetadataImage => ({
      clusterId: "TG9jYWxCcm9rZXJUZXN0Lg",
      nodeId: 1,
      listeners: [{ name: "PLAINTEXT", securityProtocol: "PLAINTEXT", host: "127.0.0.1", port: 9092 }],
      topics: registry.list(),
    });
    const replicas: ReplicaManager[] = [];
    const states: BrokerState[] = [];
    const controller = new Controller(dir, registry, config, log, async () => {
      const next = image();
      for (let h = 0; h < count; h++) {
        await replicas[h].applyImage(next);
        states[h].metadata = new MetadataView(next);
      }
    });
    const client: ControllerClient = {
      // deno-lint-ignore no-explicit-any
      call: (op) => controller.execute(op) as any,
    };
    const peers = createPeerPorts(count);
    const ports = peers.flat().filter((p): p is MessagePort => p !== null);
    for (let h = 0; h < count; h++) {
      const replica = new ReplicaManager({
        handlerIndex: h,
        handlerCount: count,
        logDir: dir,
        config,
        log: new Logger(`handler-${h}`),
        cleanShutdown: dirState.cleanShutdown,
        recoveryPoints: new Map(dirState.recoveryPointEntries()),
        logStartOffsets: new Map(dirState.logStartOffsetEntries()),
      });
      await replica.applyImage(image());
      replicas.push(replica);
      states.push({
        config,
        metadata: new MetadataView(image()),
        apiVersions: advertisedVersions(),
        controller: client,
        partitions: new PartitionRouter(h, count, replica, peers[h]),
        producerIds: new ProducerIdBlocks(client),
        fetchSessions: new FetchSessionCache({
          maxSessions: Math.floor(config["max.incremental.fetch.session.cache.slots"] / count),
          shard: h,
          shardCount: count,
        }),
      });
    }
    const handlers = states.map((state, h) =>
      new RequestHandler(dispatchTable(), () => state, new Logger(`handler-${h}`))
    );
    const broker = new LocalBroker(dir, config, states, replicas, dirState, handlers);
    broker.ports.push(...ports);
    return broker;
  }

  /** Raw request bytes (header + body) to handler `h` (round robin when omitted). */
  raw(frame: Uint8Array, h?: number): Promise<HandledRequest> {
    const index = h ?? this.next++ % this.requestHandlers.length;
    return this.requestHandlers[index].handle(frame, {
      listenerIndex: 0,
      principal: "User:ANONYMOUS",
      clientAddress: "127.0.0.1:1",
    });
  }

  /** Encode, handle and decode one request at `version`; null when the API sends no response. */
  async call<Req, Res>(
    apiKey: number,
    version: number,
    request: Req,
    encode: (w: Writer, v: number, m: Req) => void,
    decode: (r: Reader, v: number) => Res,
    h?: number,
  ): Promise<Res> {
    const w = new Writer(128);
    encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId: 7,
      clientId: "local-broker",
    });
    encode(w, version, request);
    const result = await this.raw(w.finish().slice(), h);
    if (result.action !== "send") throw new Error(`expected a response, got ${JSON.stringify(result)}`);
    const r = new Reader(result.bytes, 4);
    decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    const response = decode(r, version);
    if (r.remaining() !== 0) throw new Error(`${r.remaining()} bytes left after the response`);
    return response;
  }

  /** Create a topic through the controller, as CreateTopics would. */
  async createTopic(name: string, partitions: number, configs: Record<string, string> = {}): Promise<string> {
    const result = await this.states[0].controller.call({
      op: "createTopics",
      topics: [{ name, partitions, configs }],
      validateOnly: false,
    });
    const outcome = result.outcomes[0];
    if (outcome.errorCode !== 0) throw new Error(`create ${name}: ${outcome.errorCode} ${outcome.message}`);
    return outcome.topicId!;
  }

  /** Clean stop (checkpoints + marker); `crash` skips both, like a kill -9 after the last write. */
  async stop(opts: { crash?: boolean } = {}): Promise<void> {
    for (const port of this.ports) port.close();
    if (!opts.crash) {
      for (const [h, replica] of this.replicas.entries()) {
        await replica.close();
        this.dirState.record(h, replica.checkpoints());
      }
      this.dirState.close(true);
    }
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
