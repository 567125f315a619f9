/**
 * Kafka's `partition.metadata` in a partition directory: `version: 0` and
 * `topic_id: <id>`. It says which topic the directory's data belongs to, so
 * a directory left by an earlier topic of the same name is not served as
 * the new topic's data. Being bookkeeping, it is checked before it is
 * trusted: a file that does not have the exact format, or whose id differs
 * from the expected one in a single bit, is damaged (a bit flip, a torn
 * write) and can be rebuilt from the topic registry; only a well-formed file
 * naming a clearly different id means "another topic's data".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic_file.ts";
import type { Logger } from "../util/logger.ts";

export const PARTITION_METADATA_FILE = "partition.metadata";
const FORMAT = /^version: 0\ntopic_id: ([A-Za-z0-9_-]{22})\n?$/;

export type MetadataCheck =
  | { kind: "ok" }
  | { kind: "missing" }
  | { kind: "damaged"; why: string }
  | { kind: "other"; topicId: string };

export function partitionMetadataPath(dir: string): string {
  return path.join(dir, PARTITION_METADATA_FILE);
}

/** What the directory's partition.metadata says about `topicId`. */
export function checkPartitionMetadata(dir: string, topicId: string): MetadataCheck {
  let text: string;
  try {
    text = fs.readFileSync(partitionMetadataPath(dir), "latin1");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return { kind: "missing" };
    throw e;
  }
  const m = FORMAT.exec(text);
  if (!m) return { kind: "damaged", why: `not in the format 'version: 0 / topic_id: <22 characters>'` };
  if (m[1] === topicId) return { kind: "ok" };
  if (bitsApart(m[1], topicId) === 1) {
    return { kind: "damaged", why: `its topic id ${m[1]} is one bit away from ${topicId}` };
  }
  return { kind: "other", topicId: m[1] };
}

/** The topic id of a well-formed partition.metadata in `dir`, or null. */
export function readPartitionTopicId(dir: string): string | null {
  try {
    return FORMAT.exec(fs.readFileSync(partitionMetadataPath(dir), "latin1"))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Writes the file for `topicId` (atomically) unless it already says exactly that. */
export function writePartitionMetadata(dir: string, topicId: string): void {
  const content = `version: 0\ntopic_id: ${topicId}\n`;
  try {
    if (fs.readFileSync(partitionMetadataPath(dir), "utf8") === content) return;
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  writeFileAtomic(partitionMetadataPath(dir), content);
}

/** Differing bits between two ids as the file stores them (ASCII): a bit flip on disk changes one. */
function bitsApart(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i) ^ b.charCodeAt(i);
    while (x !== 0) {
      bits += x & 1;
      x >>>= 1;
    }
  }
  return bits;
}

/**
 * Kafka's partition.metadata. A different topic id in a well-formed file means the directory belongs to
 * another topic (the caller decides what to do before opening; here it refuses); a damaged file is
 * rewritten with the id the caller took from the topic registry.
 */
export function ensurePartitionMetadata(dir: string, topicId: string, logger: Logger, name: string): void {
  const check = checkPartitionMetadata(dir, topicId);
  if (check.kind === "other") {
    throw new Error(`${partitionMetadataPath(dir)} belongs to topic id ${check.topicId}, not ${topicId}`);
  }
  if (check.kind === "damaged") {
    logger.warn(
      `${name}: ${partitionMetadataPath(dir)} is damaged (${check.why}); rewriting it with topic id ${topicId}`,
    );
  }
  writePartitionMetadata(dir, topicId);
}
