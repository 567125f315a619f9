/**
 * A partition's leader-epoch cache (Kafka's LeaderEpochFileCache): the
 * offset at which each leader epoch began, kept in the partition directory
 * as Kafka's `leader-epoch-checkpoint` so OffsetForLeaderEpoch answers the
 * same after a restart:
 *
 *   0          version
 *   2          number of entries
 *   0 0        epoch start-offset, one per line, oldest first
 *   3 1200
 *
 * Entries grow strictly in both epoch and start offset. A new entry that
 * would break that order first removes the entries it conflicts with (as
 * Kafka does when a log is truncated and re-appended under a newer epoch).
 * DeleteRecords and retention truncate from the start (the first surviving
 * epoch starts at the new log start offset); a log tail cut by recovery
 * truncates from the end. Every change is written at once, through a
 * temporary file renamed over the old one, but not fsync'ed: a file lost
 * or emptied by a power cut is rebuilt from the log (below), and two syncs
 * per new partition would double what creating a partition costs.
 *
 * A file that does not parse is not trusted: WARN, and the cache is rebuilt
 * from the log's batches (the owner seeds it from the first batch).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
const VERSION = 0;
const UNDEFINED_EPOCH = -1;
const UNDEFINED_OFFSET = -1n;

export interface EpochEntry {
  epoch: number;
  startOffset: bigint;
}

/** What OffsetForLeaderEpoch answers: the epoch found and the offset it ends at (-1/-1: unknown). */
export interface EpochEndOffset {
  epoch: number;
  endOffset: bigint;
}

export class LeaderEpochCache {
  /** Why the last write of the file failed, while writes keep failing; null otherwise. */
  writeError: string | null = null;

  private constructor(readonly file: string, private list: EpochEntry[]) {}

  /**
   * Reads `<dir>/leader-epoch-checkpoint`; a missing file is an empty cache. A malformed file reads as
   * empty too, and `onMalformed` says why (the caller rebuilds from the log).
   */
  static load(dir: string, onMalformed: (why: string) => void = () => {}): LeaderEpochCache {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT") return new LeaderEpochCache(file, []);
      throw e;
    }
    try {
      return new LeaderEpochCache(file, parseEpochCheckpoint(text));
    } catch (e) {
      onMalformed(`${file}: ${e instanceof Error ? e.message : e}`);
      return new LeaderEpochCache(file, []);
    }
  }

  /** The entries, oldest first. */
  get entries(): readonly EpochEntry[] {
    return this.list;
  }

  get latestEpoch(): number {
    return this.list.length === 0 ? UNDEFINED_EPOCH : this.list[this.list.length - 1].epoch;
  }

  /**
   * Records that `epoch` begins at `startOffset` (Kafka's assign). Nothing changes when the latest entry
   * already is this epoch from an offset at or below; entries that would break the order are removed first.
   * Returns whether the cache changed (and was written).
   */
  assign(epoch: number, startOffset: bigint): boolean {
    if (epoch < 0 || startOffset < 0n) return false;
    const last = this.list[this.list.length - 1];
    if (last && last.epoch === epoch && last.startOffset <= startOffset) return false;
    const kept = this.list.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.list = [...kept, { epoch, startOffset }];
    this.flush();
    return true;
  }

  /**
   * Kafka's endOffsetFor: for the latest epoch, the log end offset; for an older epoch, the start offset of
   * the next higher one (with the largest epoch at or below the one asked for, or the one asked for when
   * it is below every known epoch); an epoch above every known one, -1, or an empty cache: -1/-1.
   */
  endOffsetFor(requested: number, logEndOffset: bigint): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };
    if (requested === UNDEFINED_EPOCH || this.list.length === 0) return undefinedAnswer;
    if (requested === this.latestEpoch) return { epoch: requested, endOffset: logEndOffset };
    const higher = this.list.findIndex((e) => e.epoch > requested);
    if (higher < 0) return undefinedAnswer;
    const floor = higher === 0 ? null : this.list[higher - 1];
    return { epoch: floor ? floor.epoch : requested, endOffset: this.list[higher].startOffset };
  }

  /** The log start moved to `startOffset`: older entries go, the last of them now starts there. */
  truncateFromStart(startOffset: bigint): void {
    let below = -1;
    for (let i = 0; i < this.list.length && this.list[i].startOffset <= startOffset; i++) below = i;
    if (below < 0) return;
    const first = this.list[below];
    if (below === 0 && first.startOffset === startOffset) return;
    this.list = [{ epoch: first.epoch, startOffset }, ...this.list.slice(below + 1)];
    this.flush();
  }

  /** The log now ends at `endOffset` (a tail cut by recovery): entries starting there or later go. */
  truncateFromEnd(endOffset: bigint): void {
    const kept = this.list.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.list.length) return;
    this.list = kept;
    this.flush();
  }

  /**
   * Never throws (appends and retention call it): a failed write (a full disk) leaves the old file, the cache
   * in memory stays right, `writeError` says why until a later write succeeds.
   */
  private flush(): void {
    const tmp = `${this.file}.tmp`;
    try {
      fs.writeFileSync(tmp, formatEpochCheckpoint(this.list));
      fs.renameSync(tmp, this.file);
      this.writeError = null;
    } catch (e) {
      this.writeError = e instanceof Error ? e.message : String(e);
      try {
        fs.rmSync(tmp, { force: true });
      } catch { /* the directory may be gone */ }
    }
  }
}

export function formatEpochCheckpoint(entries: readonly EpochEntry[]): string {
  return `${VERSION}\n${entries.length}\n` + entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join("");
}

/** Parses the file's text; throws naming the line that does not fit. */
export function parseEpochCheckpoint(text: string): EpochEntry[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return [];
  if (lines[0].trim() !== String(VERSION)) throw new Error(`unsupported version line ${JSON.stringify(lines[0])}`);
  if (lines.length === 1) return [];
  const count = /^\d+$/.test(lines[1].trim()) ? Number(lines[1].trim()) : -1;
  if (count < 0) throw new Error(`expected the entry count on line 2, found ${JSON.stringify(lines[1])}`);
  const out: EpochEntry[] = [];
  for (let i = 2; i < lines.length; i++) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(lines[i]);
    if (!m) throw new Error(`line ${i + 1} (${JSON.stringify(lines[i])}) is not 'epoch offset'`);
    const entry = { epoch: Number(m[1]), startOffset: BigInt(m[2]) };
    const prev = out[out.length - 1];
    if (prev && (entry.epoch <= prev.epoch || entry.startOffset < prev.startOffset)) {
      throw new Error(`line ${i + 1}: entries out of order`);
    }
    out.push(entry);
  }
  if (out.length !== count) throw new Error(`declares ${count} entries but has ${out.length}`);
  return out;
}
