/**
 * A segment's aborted-transaction index, `<base offset>.txnindex`, in Kafka's layout: back-to-back 34-byte
 * big-endian entries of version int16 (0) · producerId int64 · firstOffset int64 · lastOffset int64 (the
 * ABORT marker's offset) · lastStableOffset int64 (the partition's LSO once that abort completed). An entry
 * goes to the segment holding the marker, so a transaction's data may lie in earlier segments.
 *
 * Aborts are rare, so the entries live in memory (read from the file on first use) and each append is one
 * small write to the file; the file is created with the first entry, as Kafka creates it lazily. Its
 * fdatasync rides on the segment's (Segment.sync). Read-committed fetches ask collectAbortedTxns() which
 * aborted transactions overlap what they return (Kafka's TransactionIndex.collectAbortedTxns).
 */
import * as fs from "node:fs";

export const TXN_INDEX_SUFFIX = ".txnindex";
export const TXN_ENTRY_BYTES = 34;
const ENTRY_VERSION = 0;

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: bigint;
  lastOffset: bigint;
  lastStableOffset: bigint;
}

/** Entries of one segment's index that overlap a fetch, and whether later segments can add none. */
export interface TxnSearchResult {
  aborted: AbortedTxn[];
  /** An entry's LSO reached the upper bound: no abort in a later segment began below it. */
  complete: boolean;
}

export function encodeAbortedTxn(e: AbortedTxn): Uint8Array {
  const buf = new Uint8Array(TXN_ENTRY_BYTES);
  const v = new DataView(buf.buffer);
  v.setInt16(0, ENTRY_VERSION);
  v.setBigInt64(2, e.producerId);
  v.setBigInt64(10, e.firstOffset);
  v.setBigInt64(18, e.lastOffset);
  v.setBigInt64(26, e.lastStableOffset);
  return buf;
}

/** Whole entries of `buf`; a torn last entry (a crash mid-write) is left out, an unknown version throws. */
export function decodeAbortedTxns(buf: Uint8Array): AbortedTxn[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: AbortedTxn[] = [];
  for (let p = 0; p + TXN_ENTRY_BYTES <= buf.length; p += TXN_ENTRY_BYTES) {
    const version = v.getInt16(p);
    if (version !== ENTRY_VERSION) throw new Error(`transaction index entry at byte ${p} has version ${version}`);
    out.push({
      producerId: v.getBigInt64(p + 2),
      firstOffset: v.getBigInt64(p + 10),
      lastOffset: v.getBigInt64(p + 18),
      lastStableOffset: v.getBigInt64(p + 26),
    });
  }
  return out;
}

export class TxnIndex {
  private loaded: AbortedTxn[] | null = null;
  private unsynced = false;

  constructor(
    /** The file's path (it moves with the segment's renames). */
    public path: string,
  ) {}

  /** The entries, oldest first (read from the file once; an unreadable file counts as empty and is rewritten). */
  get entries(): readonly AbortedTxn[] {
    return this.load();
  }

  get needsSync(): boolean {
    return this.unsynced;
  }

  private load(): AbortedTxn[] {
    if (this.loaded !== null) return this.loaded;
    let bytes: Uint8Array;
    try {
      bytes = fs.readFileSync(this.path);
    } catch (e) {
      if ((e as { code?: string }).code !== "ENOENT") throw e;
      return (this.loaded = []);
    }
    try {
      this.loaded = decodeAbortedTxns(bytes);
    } catch {
      this.loaded = [];
      this.rewrite();
      return this.loaded;
    }
    // A torn entry at the end is cut, so the next append lands on an entry boundary.
    if (bytes.length % TXN_ENTRY_BYTES !== 0) this.rewrite();
    return this.loaded;
  }

  /** Kafka refuses entries out of order: each abort completes after the previous one. */
  append(entry: AbortedTxn): void {
    const entries = this.load();
    const last = entries[entries.length - 1];
    if (last !== undefined && entry.lastOffset <= last.lastOffset) {
      throw new Error(
        `${this.path}: aborted transaction ending at ${entry.lastOffset} does not follow the last one at ${last.lastOffset}`,
      );
    }
    fs.appendFileSync(this.path, encodeAbortedTxn(entry));
    entries.push(entry);
    this.unsynced = true;
  }

  /**
   * Kafka's collectAbortedTxns: entries whose range overlaps [fetchOffset, upperBoundOffset), stopping at the
   * first whose lastStableOffset reaches the upper bound (every later abort began at or after it).
   */
  collectAbortedTxns(fetchOffset: bigint, upperBoundOffset: bigint): TxnSearchResult {
    const aborted: AbortedTxn[] = [];
    for (const e of this.load()) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) aborted.push(e);
      if (e.lastStableOffset >= upperBoundOffset) return { aborted, complete: true };
    }
    return { aborted, complete: false };
  }

  /** Drops entries whose marker is at or past `offset` (a log cut there, or a replay from there). */
  truncateTo(offset: bigint): void {
    const entries = this.load();
    const kept = entries.filter((e) => e.lastOffset < offset);
    if (kept.length === entries.length) return;
    this.loaded = kept;
    this.rewrite();
  }

  /**
   * Makes the entries from `offset` on exactly `rebuilt` (recovery's replay found them in the log); the file
   * is rewritten only when they differ, so a clean start writes nothing.
   */
  replaceFrom(offset: bigint, rebuilt: readonly AbortedTxn[]): void {
    const entries = this.load();
    const kept = entries.filter((e) => e.lastOffset < offset);
    const tail = entries.slice(kept.length);
    const same = tail.length === rebuilt.length && tail.every((e, i) => sameTxn(e, rebuilt[i]));
    if (same && kept.length + tail.length === entries.length) return;
    this.loaded = [...kept, ...rebuilt];
    this.rewrite();
  }

  /** fdatasyncs the file if an entry was appended since the last sync. */
  sync(): Promise<void> {
    if (!this.unsynced) return Promise.resolve();
    this.unsynced = false;
    return new Promise<void>((resolve, reject) => {
      fs.open(this.path, "r+", (err, fd) => {
        if (err) {
          this.unsynced = true;
          return reject(err);
        }
        fs.fdatasync(fd, (syncErr) => {
          fs.close(fd, () => {
            if (syncErr) {
              this.unsynced = true;
              reject(syncErr);
            } else resolve();
          });
        });
      });
    });
  }

  private rewrite(): void {
    const entries = this.loaded ?? [];
    if (entries.length === 0) {
      fs.rmSync(this.path, { force: true });
      this.unsynced = false;
      return;
    }
    const buf = new Uint8Array(entries.length * TXN_ENTRY_BYTES);
    entries.forEach((e, i) => buf.set(encodeAbortedTxn(e), i * TXN_ENTRY_BYTES));
    fs.writeFileSync(this.path, buf);
    this.unsynced = true;
  }
}

function sameTxn(a: AbortedTxn, b: AbortedTxn): boolean {
  return a.producerId === b.producerId && a.firstOffset === b.firstOffset && a.lastOffset === b.lastOffset &&
    a.lastStableOffset === b.lastStableOffset;
}

/**
 * Kafka's LocalLog.collectAbortedTransactions: from the segment holding `fetchOffset` on, each segment's
 * entries overlapping [fetchOffset, upperBoundOffset), until one index says no later abort can overlap.
 */
export function collectAbortedTransactions(
  indexes: Iterable<TxnIndex>,
  fetchOffset: bigint,
  upperBoundOffset: bigint,
): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (const index of indexes) {
    const found = index.collectAbortedTxns(fetchOffset, upperBoundOffset);
    out.push(...found.aborted);
    if (found.complete) break;
  }
  return out;
}
