/**
 * The supervisor's side of the M handler Workers: spawn them (at once, so
 * their modules load while the rest of the broker starts), then send each
 * its init (config, image, checkpoints from the log dirs, its ports to every
 * processor and to the other handlers, the shared queue and pool), answer
 * their controller calls, take their checkpoint reports, and publish
 * metadata images, resolving once every handler has applied one.
 *
 * A handler reports the API versions it serves as soon as its modules are
 * loaded: processors check frames against them, and the supervisor need
 * not load every API's module itself just to know them.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { MetadataImage } from "../cluster/metadata_image.ts";
import type { HostRuntime, WorkerHandle } from "../runtime/types.ts";
import type { HandlerInit, HandlerReport } from "../handler/handler_worker.ts";
import type { ApiVersionRange } from "../protocol/api_descriptor.ts";
import type { Controller } from "./controller.ts";
import type { RingLinkBuffers } from "../network/ring_envelopes.ts";
import type { RequestChannelKind } from "../network/batch_port.ts";
import { createRateTableBuffer, rateOptionsOf } from "../cluster/quota/rate_table.ts";
import type { LogDirSet } from "./log_dir_set.ts";

export interface HandlerPoolOptions {
  count: number;
  config: BrokerConfig;
  logDir: string;
  /** Per handler: its end of each processor's channel. */
  processorPorts: MessagePort[][];
  /** A "ring" channel: per handler, the rings it shares with each processor; else null. */
  processorRings: RingLinkBuffers[][] | null;
  /** tsbroker.request.channel, "auto" resolved. */
  requestChannel: RequestChannelKind;
  /** Per handler: its ports to the other handlers (null for itself). */
  peerPorts: (MessagePort | null)[][];
  queueBuffer: SharedArrayBuffer;
  poolBuffer: SharedArrayBuffer;
}

export class HandlerPool {
  readonly workers: WorkerHandle[] = [];
  /** The API versions the handlers serve, from the first handler whose modules loaded. */
  readonly versions: Promise<ApiVersionRange[]>;
  /** Resolves when every handler has opened its partitions; rejects if one fails (also before `start`). */
  readonly ready: Promise<void>;
  private imageVersion = 0;
  private readonly imageAcks = new Map<number, { remaining: number; done: () => void }>();
  /** Set before `start`: controller calls arrive once partitions load. */
  controller: Controller | null = null;
  /** Client quota byte rates, counted broker-wide: every handler maps this one table. */
  private readonly quotaRates: SharedArrayBuffer;
  /** The log dirs' state, from `start` on: inits carry their checkpoints, reports update them. */
  private dirState: LogDirSet | null = null;
  private gotVersions!: (versions: ApiVersionRange[]) => void;
  private failed!: (error: Error) => void;

  /** Spawn the Workers; they load their modules and wait for `start`. */
  constructor(runtime: HostRuntime, private readonly o: HandlerPoolOptions) {
    this.quotaRates = createRateTableBuffer(rateOptionsOf(o.config));
    let failed: (error: Error) => void = () => {};
    const failure = new Promise<never>((_, reject) => (failed = reject));
    this.versions = Promise.race([new Promise<ApiVersionRange[]>((resolve) => (this.gotVersions = resolve)), failure]);
    const ready: Promise<void>[] = [];
    for (let h = 0; h < o.count; h++) {
      const worker = runtime.spawnWorker("handler", `handler-${h}`);
      this.workers.push(worker);
      ready.push(this.listen(worker, h));
    }
    this.ready = Promise.race([Promise.all(ready).then(() => {}), failure]);
    this.failed = failed;
    // Awaited later (or never, when the start is abandoned first): no unhandled rejection meanwhile.
    this.versions.catch(() => {});
    this.ready.catch(() => {});
  }

  /** Send every handler its init with `image`; `ready` resolves once all have opened their partitions. */
  start(image: MetadataImage, dirState: LogDirSet): Promise<void> {
    this.dirState = dirState;
    this.workers.forEach((worker, h) => {
      const init = this.init(h, image, dirState);
      const peers = this.o.peerPorts[h].filter((p): p is MessagePort => p !== null);
      worker.postMessage(init, [...init.processorPorts, ...peers]);
    });
    return this.ready;
  }

  /** Send `image` to every handler; resolves once all have applied it. */
  publish(image: MetadataImage): Promise<void> {
    const version = ++this.imageVersion;
    return new Promise((resolve) => {
      this.imageAcks.set(version, { remaining: this.workers.length, done: resolve });
      for (const worker of this.workers) worker.postMessage({ type: "image", version, image });
    });
  }

  private init(h: number, image: MetadataImage, dirState: LogDirSet): HandlerInit {
    const { config } = this.o;
    return {
      type: "init",
      index: h,
      count: this.o.count,
      name: `handler-${h}`,
      config,
      image,
      logDir: this.o.logDir,
      cleanShutdown: dirState.cleanShutdown,
      recoveryPoints: dirState.recoveryPointEntries(),
      logStartOffsets: dirState.logStartOffsetEntries(),
      processorPorts: this.o.processorPorts[h],
      processorRings: this.o.processorRings?.[h] ?? null,
      requestChannel: this.o.requestChannel,
      peerPorts: this.o.peerPorts[h],
      queueBuffer: this.o.queueBuffer,
      queueCapacity: config["queued.max.requests"],
      poolBuffer: this.o.poolBuffer,
      quotaRates: this.quotaRates,
      logLevel: config["tsbroker.log.level"],
      traceOrigin: performance.timeOrigin,
    };
  }

  /** A handler's reports until it stops: ready or failed, controller calls, image acks, checkpoints. */
  private listen(worker: WorkerHandle, h: number): Promise<void> {
    const name = `handler-${h}`;
    return new Promise((resolve, reject) => {
      worker.onerror = (e) => {
        const error = new Error(`${name} failed: ${e.message}`);
        reject(error);
        this.failed(error);
      };
      worker.onmessage = (e) => {
        const report = e.data as HandlerReport;
        switch (report.type) {
          case "versions":
            return this.gotVersions(report.versions);
          case "ready":
            return resolve();
          case "init-failed":
            return reject(new Error(`${name} failed to start: ${report.message}`));
          case "controller":
            return void this.controller!.execute(report.call).then(
              (result) => worker.postMessage({ type: "controller-reply", id: report.id, result }),
              (err) => worker.postMessage({ type: "controller-reply", id: report.id, error: String(err) }),
            );
          case "image-applied":
            return this.imageApplied(report.version);
          case "checkpoints":
            return this.dirState?.record(h, report.checkpoints);
        }
      };
    });
  }

  private imageApplied(version: number): void {
    const ack = this.imageAcks.get(version);
    if (ack && --ack.remaining === 0) {
      this.imageAcks.delete(version);
      ack.done();
    }
  }
}
