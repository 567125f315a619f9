/**
 * Copies bytes [from, to) of an open file into a new file and fsyncs it:
 * how damaged tails are moved aside in recovery and how the segments of a
 * partition directory removed at run time are salvaged from their still
 * open descriptors. Returns the bytes copied (less than asked at EOF).
 */
import * as fs from "node:fs";

export function copyRangeToNewFile(fd: number, from: number, to: number, target: string): number {
  const out = fs.openSync(target, "w");
  let pos = from;
  try {
    const buf = new Uint8Array(Math.min(1 << 20, Math.max(1, to - from)));
    while (pos < to) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, to - pos), pos);
      if (n === 0) break;
      let written = 0;
      while (written < n) written += fs.writeSync(out, buf, written, n - written);
      pos += n;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
  return pos - from;
}
