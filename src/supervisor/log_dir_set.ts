/**
 * Every log dir's bookkeeping, for the supervisor (Kafka's LogManager over
 * several `log.dirs`): each dir has its own meta.properties (one cluster id
 * and node id, a directory.id of its own), its own recovery-point and
 * log-start-offset checkpoints and its own clean-shutdown marker
 * (LogDirState each). Handlers report checkpoint entries with the dir of
 * each partition; each dir's files get that dir's entries.
 *
 * A dir that cannot be written at start-up is offline, as Kafka treats a
 * failed log dir: ERROR naming it, no files touched there, and the broker
 * serves from the others (the handlers find it offline too, log_dirs.ts).
 * The first dir holds the metadata (topic registry, producer ids), like
 * Kafka's metadata.log.dir defaulting to the first of log.dirs: it must be
 * writable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadOrCreateMetaProperties, type MetaProperties } from "../cluster/meta_properties.ts";
import type { Logger } from "../util/logger.ts";
import { errorMessage } from "../util/atomic_file.ts";
import type { Checkpoints } from "../handler/handler_worker.ts";
import { ensureWritableLogDir } from "./log_dir_access.ts";
import { LogDirState } from "./log_dir_state.ts";
import type { CheckpointEntry } from "../replica/replica_manager.ts";

export class LogDirSet {
  private constructor(
    readonly meta: MetaProperties,
    /** Online dirs, the first one first. */
    private readonly states: ReadonlyArray<{ dir: string; state: LogDirState }>,
    readonly offline: readonly string[],
  ) {}

  static open(dirs: readonly string[], nodeId: number, log: Logger): LogDirSet {
    const paths = dirs.map((d) => path.resolve(d));
    const twice = paths.find((p, i) => paths.indexOf(p) !== i);
    if (twice !== undefined) {
      // Kafka refuses this too: every partition would be found in "two" dirs.
      throw new Error(`log.dirs names ${twice} twice; list each directory once`);
    }
    const online: string[] = [];
    const offline: string[] = [];
    for (const dir of paths) {
      try {
        ensureWritableLogDir(dir);
        online.push(dir);
      } catch (e) {
        if (dir === paths[0]) throw e;
        log.error(`Log dir ${dir} is offline: ${errorMessage(e)}. Its partitions stay offline; the others serve`);
        offline.push(dir);
      }
    }
    // One cluster id for all: the one an existing meta.properties names, else a new one.
    const existing = online.filter((dir) => fs.existsSync(path.join(dir, "meta.properties")));
    let clusterId: string | undefined;
    for (const dir of [...existing, ...online.filter((d) => !existing.includes(d))]) {
      clusterId = loadOrCreateMetaProperties(dir, nodeId, clusterId).clusterId;
    }
    const first = loadOrCreateMetaProperties(paths[0], nodeId, clusterId);
    return new LogDirSet(first, online.map((dir) => ({ dir, state: LogDirState.open(dir, log) })), offline);
  }

  /** No checkpoint in any dir yet: a broker that has never stopped. */
  get fresh(): boolean {
    return this.states.every((s) => s.state.fresh);
  }

  /** Every dir's last stop was clean (one unclean dir: every log's tail is checked). */
  get cleanShutdown(): boolean {
    return this.states.every((s) => s.state.cleanShutdown);
  }

  /** Keyed as ReplicaManager reads them: plain for the first dir, `${dir}\u0000...` for the others. */
  recoveryPointEntries(): Array<[string, bigint]> {
    return this.keyed((s) => s.recoveryPointEntries());
  }

  logStartOffsetEntries(): Array<[string, bigint]> {
    return this.keyed((s) => s.logStartOffsetEntries());
  }

  private keyed(pick: (s: LogDirState) => Array<[string, bigint]>): Array<[string, bigint]> {
    return this.states.flatMap(({ dir, state }, i) =>
      pick(state).map(([key, offset]): [string, bigint] => [i === 0 ? key : `${dir}\u0000${key}`, offset])
    );
  }

  /** A handler's report, split by dir; each dir's files are rewritten. */
  record(handler: number, checkpoints: Checkpoints): boolean {
    if (this.states.length === 1) return this.states[0].state.record(handler, checkpoints);
    let ok = true;
    for (const { dir, state } of this.states) {
      const mine = (e: CheckpointEntry) => this.dirOf(e) === dir;
      ok = state.record(handler, {
        recoveryPoints: checkpoints.recoveryPoints.filter(mine),
        logStartOffsets: checkpoints.logStartOffsets.filter(mine),
        offline: checkpoints.offline,
      }) && ok;
    }
    return ok;
  }

  /** An entry's dir: as reported, else (an offline partition) the dir holding it, else the first. */
  private dirOf(e: CheckpointEntry): string {
    if (e.dir !== undefined) return e.dir;
    const name = `${e.topic}-${e.partition}`;
    return this.states.find(({ dir }) => fs.existsSync(path.join(dir, name)))?.dir ?? this.states[0].dir;
  }

  close(allLogsClosed: boolean): void {
    for (const { state } of this.states) state.close(allLogsClosed);
  }

  get paths(): string[] {
    return [...this.states.map((s) => s.dir), ...this.offline];
  }
}
