/**
 * Builds the disk image a power cut could leave, from the journal of the
 * broker's file operations (journal.ts) and a cut point: the operations with
 * sequence numbers below the cut happened, the others did not.
 *
 * The model of the file system (Linux ext4, data=ordered, journal on — the
 * default), written down because the test is only as good as it:
 *  - Data: the writes and truncations of a file issued before an fsync or
 *    fdatasync of that file STARTED are durable once that call RETURNED
 *    (fdatasync also persists the size a file grew to).
 *  - Names (create, mkdir, rename, unlink, rmdir) go through ext4's one
 *    metadata journal, which commits them in order: at a cut, a prefix of
 *    them is on disk. Every completed fsync/fdatasync committed the journal,
 *    so the prefix reaches at least the last such call's start; the periodic
 *    commit may have carried it further, so the prefix ends at a random
 *    point between there and the cut.
 *  - Everything else that happened before the cut may or may not have been
 *    written back: each such write keeps a random subset of its 4 KiB file
 *    pages (a torn write), each truncation happens or not, in any
 *    combination; pages never written read as zeros. This is more than ext4
 *    can produce (it never shows zeros past a size it did not persist), so
 *    it is a stricter test, not a weaker one.
 * A stricter POSIX reading (a name is durable only after an fsync of its
 * directory) is not modelled: the broker creates segment files and
 * partition directories without syncing their directory, relying on this
 * ordering (ext4, XFS and btrfs all provide it for fsync of a new file).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type JournalEntry, Op } from "./journal.ts";

const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const PAGE = 4096;

type NameOp =
  | { seq: number; kind: "create"; path: string; inode: number }
  | { seq: number; kind: "mkdir"; path: string }
  | { seq: number; kind: "rename"; path: string; to: string }
  | { seq: number; kind: "unlink"; path: string }
  | { seq: number; kind: "rmdir"; path: string };

type DataOp =
  | { seq: number; kind: "write"; offset: number; data: Uint8Array }
  | { seq: number; kind: "truncate"; length: number };

interface Sync {
  startSeq: number;
  endSeq: number;
  /** The file synced, or null for a directory. */
  inode: number | null;
  /** The directory synced (path at the time), or null for a file. */
  dir: string | null;
}

/** The journal turned into name operations, per-file data operations and syncs. */
export class DiskHistory {
  readonly names: NameOp[] = [];
  readonly data = new Map<number, DataOp[]>();
  readonly syncs: Sync[] = [];
  readonly lastSeq: number;
  private readonly timeOf: bigint[] = [];

  constructor(journal: JournalEntry[], readonly root: string) {
    const live = new Map<string, number | "dir">([[root, "dir"]]);
    const fds = new Map<number, { inode: number | null; dir: string | null }>();
    const starts = new Map<number, { fd: number }>();
    let nextInode = 1;
    for (const e of journal) {
      this.timeOf[e.seq] = e.timeNs;
      switch (e.op) {
        case Op.Open: {
          if (e.b === 1) {
            fds.set(e.fd, { inode: null, dir: e.path });
            break;
          }
          let inode = live.get(e.path);
          if (inode === undefined || inode === "dir") {
            if (!(e.a & O_CREAT)) throw new Error(`journal: ${e.path} opened but never created`);
            inode = nextInode++;
            live.set(e.path, inode);
            this.names.push({ seq: e.seq, kind: "create", path: e.path, inode });
          } else if (e.a & O_TRUNC) {
            this.dataOps(inode).push({ seq: e.seq, kind: "truncate", length: 0 });
          }
          fds.set(e.fd, { inode, dir: null });
          break;
        }
        case Op.Dup:
          fds.set(e.fd, fds.get(e.a)!);
          break;
        case Op.Close:
          fds.delete(e.fd);
          break;
        case Op.Write:
          this.dataOps(this.fileOf(fds, e)).push({ seq: e.seq, kind: "write", offset: e.a, data: e.data! });
          break;
        case Op.Truncate:
          this.dataOps(this.fileOf(fds, e)).push({ seq: e.seq, kind: "truncate", length: e.a });
          break;
        case Op.SyncStart:
          if (e.a !== 2) starts.set(e.seq, { fd: e.fd });
          break;
        case Op.SyncEnd: {
          const target = fds.get(e.fd);
          if (e.b === 0 && target) this.syncs.push({ startSeq: e.a, endSeq: e.seq, ...target });
          break;
        }
        case Op.Mkdir:
          live.set(e.path, "dir");
          this.names.push({ seq: e.seq, kind: "mkdir", path: e.path });
          break;
        case Op.Rename:
          renameIn(live, e.path, e.path2);
          this.names.push({ seq: e.seq, kind: "rename", path: e.path, to: e.path2 });
          break;
        case Op.Unlink:
          live.delete(e.path);
          this.names.push({ seq: e.seq, kind: "unlink", path: e.path });
          break;
        case Op.Rmdir:
          live.delete(e.path);
          this.names.push({ seq: e.seq, kind: "rmdir", path: e.path });
          break;
        case Op.Unsupported:
          throw new Error(`journal: the broker used a call the model cannot replay (seq ${e.seq}, ${e.path})`);
      }
    }
    this.lastSeq = journal.length;
  }

  /** CLOCK_MONOTONIC time of an operation, in nanoseconds. */
  time(seq: number): bigint {
    return this.timeOf[seq];
  }

  /**
   * Writes the image for a cut before operation `cut` into `into` (an empty directory standing for the
   * data dir). `random` decides the non-durable part.
   */
  writeImage(cut: number, random: () => number, into: string): { namePrefixEnd: number } {
    const done = this.syncs.filter((s) => s.endSeq < cut);
    const committed = done.reduce((m, s) => Math.max(m, s.startSeq), 0);
    const namePrefixEnd = committed + Math.floor(random() * (cut - committed + 1));
    const tree = new Map<string, number | "dir">([[this.root, "dir"]]);
    for (const n of this.names) {
      if (n.seq >= namePrefixEnd) break;
      applyName(tree, n);
    }
    const syncedBefore = new Map<number, number>();
    for (const s of done) {
      if (s.inode !== null) syncedBefore.set(s.inode, Math.max(syncedBefore.get(s.inode) ?? 0, s.startSeq));
    }
    const entries = [...tree].sort(([a], [b]) => a.length - b.length);
    for (const [p, node] of entries) {
      const target = path.join(into, path.relative(this.root, p));
      if (node === "dir") fs.mkdirSync(target, { recursive: true });
      else fs.writeFileSync(target, this.content(node, cut, syncedBefore.get(node) ?? 0, random));
    }
    return { namePrefixEnd };
  }

  private content(inode: number, cut: number, durableBefore: number, random: () => number): Uint8Array {
    const file = new GrowingFile();
    for (const d of this.data.get(inode) ?? []) {
      if (d.seq >= cut) break;
      const durable = d.seq < durableBefore;
      if (d.kind === "truncate") {
        if (durable || random() < 0.5) file.resize(d.length);
        continue;
      }
      const end = d.offset + d.data.length;
      // Non-durable writes keep a random subset of their pages; which pages reach the disk is up to writeback.
      for (let page = Math.floor(d.offset / PAGE) * PAGE; page < end; page += PAGE) {
        if (!durable && random() < 0.5) continue;
        const from = Math.max(page, d.offset);
        file.write(from, d.data.subarray(from - d.offset, Math.min(page + PAGE, end) - d.offset));
      }
    }
    return file.bytes();
  }

  private dataOps(inode: number): DataOp[] {
    let ops = this.data.get(inode);
    if (!ops) this.data.set(inode, ops = []);
    return ops;
  }

  private fileOf(fds: Map<number, { inode: number | null }>, e: JournalEntry): number {
    const inode = fds.get(e.fd)?.inode;
    if (inode === undefined || inode === null) throw new Error(`journal: seq ${e.seq} writes fd ${e.fd}, not a file`);
    return inode;
  }
}

/** File content with room to grow, so replaying appends costs no copy per write. */
class GrowingFile {
  private buf = new Uint8Array(PAGE);
  private length = 0;

  resize(length: number): void {
    if (length > this.buf.length) {
      const grown = new Uint8Array(Math.max(length, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    } else if (length < this.length) {
      this.buf.fill(0, length, this.length);
    }
    this.length = length;
  }

  write(offset: number, data: Uint8Array): void {
    if (offset + data.length > this.length) this.resize(offset + data.length);
    this.buf.set(data, offset);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function renameIn(tree: Map<string, number | "dir">, from: string, to: string): void {
  const node = tree.get(from);
  if (node === undefined) return;
  for (const key of [...tree.keys()]) {
    if (key === to || key.startsWith(to + "/")) tree.delete(key);
  }
  for (const [key, value] of [...tree]) {
    if (key === from || key.startsWith(from + "/")) {
      tree.delete(key);
      tree.set(to + key.slice(from.length), value);
    }
  }
}

function applyName(tree: Map<string, number | "dir">, n: NameOp): void {
  switch (n.kind) {
    case "create":
      tree.set(n.path, n.inode);
      break;
    case "mkdir":
      tree.set(n.path, "dir");
      break;
    case "rename":
      renameIn(tree, n.path, n.to);
      break;
    case "unlink":
    case "rmdir":
      tree.delete(n.path);
      break;
  }
}
