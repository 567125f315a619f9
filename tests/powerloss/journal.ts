/**
 * Reads the journal written by shim.c: one record per file operation the
 * broker made under its data directory, in the order they happened.
 */

export const Op = {
  Open: 1,
  Write: 2,
  SyncStart: 3,
  SyncEnd: 4,
  Rename: 5,
  Unlink: 6,
  Mkdir: 7,
  Rmdir: 8,
  Truncate: 9,
  Close: 10,
  Unsupported: 11,
  Dup: 12,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export interface JournalEntry {
  seq: number;
  /** CLOCK_MONOTONIC, nanoseconds. */
  timeNs: bigint;
  op: Op;
  fd: number;
  /**
   * Open: flags; Write: file offset; SyncStart: 0 fsync, 1 fdatasync, 2 sync_file_range;
   * SyncEnd: seq of its SyncStart; Truncate: new length; Dup: the fd it copies (`fd` is the copy).
   */
  a: number;
  /** Open: 1 for a directory; Write: byte count; SyncEnd: the call's return value. */
  b: number;
  path: string;
  path2: string;
  data: Uint8Array | null;
}

const HEAD = 48;

export function parseJournal(bytes: Uint8Array): JournalEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const out: JournalEntry[] = [];
  let at = 0;
  while (at + HEAD <= bytes.length) {
    const op = view.getUint32(at + 16, true) as Op;
    const b = Number(view.getBigInt64(at + 32, true));
    const l1 = view.getUint32(at + 40, true);
    const l2 = view.getUint32(at + 44, true);
    const dataLen = op === Op.Write ? b : 0;
    const end = at + HEAD + l1 + l2 + dataLen;
    if (end > bytes.length) throw new Error(`journal record at byte ${at} is cut short`);
    const p1 = at + HEAD;
    out.push({
      seq: Number(view.getBigUint64(at, true)),
      timeNs: view.getBigUint64(at + 8, true),
      op,
      fd: view.getInt32(at + 20, true),
      a: Number(view.getBigInt64(at + 24, true)),
      b,
      path: text.decode(bytes.subarray(p1, p1 + l1)),
      path2: text.decode(bytes.subarray(p1 + l1, p1 + l1 + l2)),
      data: op === Op.Write ? bytes.subarray(p1 + l1 + l2, end) : null,
    });
    at = end;
  }
  if (at !== bytes.length) throw new Error(`journal has ${bytes.length - at} trailing bytes`);
  // Records are appended under one lock, so file order is sequence order; check it.
  out.forEach((e, i) => {
    if (e.seq !== i + 1) throw new Error(`journal record ${i} has sequence ${e.seq}`);
  });
  return out;
}
