/**
 * A whole broker core in one thread, for handler tests of the data path:
 * the real controller, topic registry and metadata image (the supervisor's
 * own createControlPlane) and log-dir state, and M "handlers"
 * (HandlerCore: ReplicaManager, group coordinator and routers, as in a
 * handler Worker) connected by in-process MessageChannels, so requests
 * really split by owner and groups live with their coordinator. Only the
 * Workers and sockets are missing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { BrokerConfig } from "../../src/config/keys.ts";
import { dispatchTable } from "../../src/handler/apis/registry.ts";
import type { BrokerState, ControllerClient } from "../../src/handler/services/broker_state.ts";
import { createControlPlane } from "../../src/supervisor/control_plane.ts";
import { LogDirState } from "../../src/supervisor/log_dir_state.ts";
import { createPeerPorts } from "../../src/handler/services/partition_router.ts";
import { HandlerCore } from "../../src/handler/handler_core.ts";
import type { ReplicaManager } from "../../src/replica/replica_manager.ts";
import { type HandledRequest, RequestHandler } from "../../src/handler/request_handler.ts";
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
    /** Per handler: replicas, group coordinator (groups) and state together. */
    readonly cores: HandlerCore[],
    readonly dirState: LogDirState,
    private readonly requestHandlers: RequestHandler[],
  ) {}

  static async start(opts: LocalBrokerOptions = {}): Promise<LocalBroker> {
    const count = opts.handlers ?? 2;
    const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-local-"));
    const config = loadConfig({ overrides: [`log.dirs=${dir}`, ...(opts.overrides ?? [])] });
    const log = new Logger("local-broker");
    const dirState = LogDirState.open(dir, log);
    const cores: HandlerCore[] = [];
    const plane = createControlPlane({
      logDir: dir,
      config,
      log,
      clusterId: "TG9jYWxCcm9rZXJUZXN0Lg",
      nodeId: 1,
      listeners: [{ name: "PLAINTEXT", securityProtocol: "PLAINTEXT", host: "127.0.0.1", port: 9092 }],
      publish: async (next) => {
        for (const core of cores) await core.applyImage(next);
      },
      loggerNames: ["broker", ...Array.from({ length: count }, (_, h) => `handler-${h}`)],
    });
    const { controller, image } = plane;
    const client: ControllerClient = {
      // deno-lint-ignore no-explicit-any
      call: (op) => controller.execute(op) as any,
    };
    const peers = createPeerPorts(count);
    const ports = peers.flat().filter((p): p is MessagePort => p !== null);
    for (let h = 0; h < count; h++) {
      cores.push(
        await HandlerCore.create({
          index: h,
          count,
          config,
          log: new Logger(`handler-${h}`),
          image: image(),
          logDir: dir,
          cleanShutdown: dirState.cleanShutdown,
          recoveryPoints: new Map(dirState.recoveryPointEntries()),
          logStartOffsets: new Map(dirState.logStartOffsetEntries()),
          peerPorts: peers[h],
          controller: client,
        }),
      );
    }
    const states = cores.map((c) => c.state);
    const replicas = cores.map((c) => c.replicas);
    const handlers = states.map((state, h) =>
      new RequestHandler(dispatchTable(), () => state, new Logger(`handler-${h}`))
    );
    const broker = new LocalBroker(dir, config, states, replicas, cores, dirState, handlers);
    broker.ports.push(...ports);
    return broker;
  }

  /** Raw request bytes (header + body) to handler `h` (round robin when omitted); `release` as a processor's. */
  raw(frame: Uint8Array, h?: number, release?: () => void): Promise<HandledRequest> {
    const index = h ?? this.next++ % this.requestHandlers.length;
    return this.requestHandlers[index].handle(frame, {
      listenerIndex: 0,
      principal: "User:ANONYMOUS",
      clientAddress: "127.0.0.1:1",
      release,
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
    // A crash leaves the logs as they are, but timers of groups must not outlive the test.
    if (opts.crash) {
      for (const core of this.cores) {
        core.coordinator.close();
        core.txnService.close();
      }
    }
    if (!opts.crash) {
      for (const [h, core] of this.cores.entries()) {
        await core.close();
        this.dirState.record(h, core.replicas.checkpoints());
      }
      this.dirState.close(true);
    }
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
