/**
 * Kafka's offset checkpoint files in a log dir (`recovery-point-offset-checkpoint`,
 * `log-start-offset-checkpoint`), in Kafka's text format so the files read the
 * same as a Kafka broker's:
 *
 *   0                  version
 *   2                  number of entries
 *   orders 0 1200      topic partition offset, one per line
 *   orders 1 980
 *
 * Entries are keyed by checkpointKey(topic, partition) = `${topic}\u0000${partition}`:
 * a plain string works as a Map key, and NUL cannot occur in a topic name.
 * Reading follows Kafka's CheckpointFile: a missing file, an empty file or
 * one with only the version line reads as no entries; anything else that does
 * not parse throws an Error naming the file and line. Writes are atomic.
 */
import * as fs from "node:fs";
import { writeFileAtomic } from "../util/atomic_file.ts";

export const RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
export const LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
const VERSION = 0;
const SEP = "\u0000";
const TOPIC = /^[a-zA-Z0-9._-]+$/;
const INT = /^-?\d+$/;
const INT32_MAX = 0x7fffffff;

export function checkpointKey(topic: string, partition: number): string {
  return `${topic}${SEP}${partition}`;
}

export function parseCheckpointKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf(SEP);
  if (at < 0) throw new Error(`not a checkpoint key: ${JSON.stringify(key)}`);
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** Reads a checkpoint file; a missing file is an empty map. Later duplicates win, as in Kafka. */
export function readCheckpoint(file: string): Map<string, bigint> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return new Map();
    throw e;
  }
  const entries = new Map<string, bigint>();
  // Kafka reads lines with BufferedReader: a final newline does not make an extra (empty) line.
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const fail = (index: number, why: string): never => {
    throw new Error(`malformed checkpoint file ${file}, line ${index + 1} (${JSON.stringify(lines[index])}): ${why}`);
  };
  if (lines.length === 0) return entries;
  if (!INT.test(lines[0])) fail(0, "expected the version number");
  if (Number(lines[0]) !== VERSION) fail(0, `unsupported version ${lines[0]}, expected ${VERSION}`);
  if (lines.length === 1) return entries;
  if (!INT.test(lines[1]) || Number(lines[1]) < 0) fail(1, "expected the entry count");
  const expected = Number(lines[1]);
  for (let i = 2; i < lines.length; i++) {
    const parts = lines[i].split(/\s+/);
    if (parts.length !== 3) fail(i, "expected 'topic partition offset'");
    const [topic, partition, offset] = parts;
    if (!TOPIC.test(topic)) fail(i, `invalid topic name ${JSON.stringify(topic)}`);
    if (!/^\d+$/.test(partition) || Number(partition) > INT32_MAX) fail(i, `invalid partition ${partition}`);
    if (!INT.test(offset)) fail(i, `invalid offset ${offset}`);
    const value = BigInt(offset);
    if (value !== BigInt.asIntN(64, value)) fail(i, `offset ${offset} is out of range`);
    entries.set(checkpointKey(topic, Number(partition)), value);
  }
  const found = lines.length - 2;
  if (found !== expected) {
    throw new Error(`malformed checkpoint file ${file}: declares ${expected} entries but has ${found}`);
  }
  return entries;
}

/** One line of a checkpoint file. */
export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * Replaces the checkpoint file atomically with `entries` (a map as readCheckpoint
 * returns, or a list of entries), sorted by topic then partition for stable output.
 */
export function writeCheckpoint(file: string, entries: ReadonlyMap<string, bigint> | Iterable<CheckpointEntry>): void {
  const rows: CheckpointEntry[] = entries instanceof Map
    ? [...(entries as ReadonlyMap<string, bigint>)].map(([key, offset]) => ({ ...parseCheckpointKey(key), offset }))
    : [...(entries as Iterable<CheckpointEntry>)];
  rows.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  let text = `${VERSION}\n${rows.length}\n`;
  for (const { topic, partition, offset } of rows) {
    if (!TOPIC.test(topic)) throw new Error(`cannot checkpoint topic ${JSON.stringify(topic)}`);
    if (!Number.isInteger(partition) || partition < 0) throw new Error(`cannot checkpoint partition ${partition}`);
    text += `${topic} ${partition} ${offset}\n`;
  }
  writeFileAtomic(file, text);
}
