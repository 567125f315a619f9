/**
 * The supervisor's record of topics: names, ids, partition counts and
 * per-topic configs, kept in `<log dir>/__tsbroker_topics.msgpack` (msgpackr)
 * and replaced atomically on every change, so topic ids survive restarts.
 * Changes replace a topic's TopicImage instead of mutating it, because images
 * already handed out (published metadata) must stay as they were.
 * Checks that need the request's context (name rules, collisions, configs)
 * belong to the caller; this class only refuses what would corrupt the record.
 *
 * The file is bookkeeping, and data is never lost because it looks wrong:
 * a file that is empty or does not decode is kept aside
 * (`<file>.corrupt-<time>`) and, like a missing file in a log dir that holds
 * partition directories, rebuilt from those directories and their
 * partition.metadata (topic ids and partition counts; per-topic configs
 * cannot be recovered and are reported), with a WARN naming the file.
 * Without this, a broker started with no topics and a later topic of the
 * same name would have taken the old directories for another topic's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pack, unpack } from "msgpackr";
import { randomUuid } from "../protocol/io/uuid.ts";
import { errorMessage, writeFileAtomic } from "../util/atomic_file.ts";
import { Logger } from "../util/logger.ts";
import { readPartitionTopicId } from "../log/partition_metadata.ts";
import type { TopicImage } from "./metadata_image.ts";

const FILE = "__tsbroker_topics.msgpack";
/** Kafka's internal topics (Metadata marks them IsInternal); other "__" names are ordinary. */
const INTERNAL_TOPICS = new Set(["__consumer_offsets", "__transaction_state"]);
const FORMAT_VERSION = 1;

export class TopicRegistry {
  private readonly topics = new Map<string, TopicImage>();
  private readonly ids = new Map<string, TopicImage>();
  private readonly file: string;

  constructor(private readonly logDir: string, private readonly log: Logger = new Logger("broker")) {
    this.file = path.join(logDir, FILE);
    let stored: TopicImage[] | string | null;
    try {
      stored = fs.existsSync(this.file) ? decode(fs.readFileSync(this.file), this.file) : null;
    } catch (e) {
      if (e instanceof NewerFormatError) throw e;
      stored = errorMessage(e);
    }
    if (Array.isArray(stored)) {
      for (const topic of stored) this.put(topic);
      return;
    }
    const found = rebuildFromDirectories(logDir);
    if (stored === null && found.length === 0) return; // a new log dir
    let why = "is missing";
    if (typeof stored === "string") {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      fs.renameSync(this.file, aside);
      why = `cannot be read (${stored}); it was kept as ${aside}`;
    }
    for (const topic of found) this.put(topic);
    this.save(found);
    this.log.warn(
      `Topic registry ${this.file} ${why}. Rebuilt it from the partition directories in ${logDir}: ` +
        (found.length === 0
          ? "none found"
          : found.map((t) => `${t.name} (id ${t.topicId}, ${t.partitions} partitions)`).join(", ")) +
        (found.length > 0
          ? ". Per-topic configs could not be recovered: the broker defaults apply until they are set again"
          : ""),
    );
  }

  list(): TopicImage[] {
    return [...this.topics.values()];
  }

  get(name: string): TopicImage | undefined {
    return this.topics.get(name);
  }

  /** The topic with this id (Kafka's base64 form), as Fetch v13+ and DeleteTopics v6 address topics. */
  byId(topicId: string): TopicImage | undefined {
    return this.ids.get(topicId);
  }

  /** Create a topic (the name must be valid and free); persisted before returning. */
  create(name: string, partitions: number, configs: Record<string, string> = {}): TopicImage {
    if (this.topics.has(name)) throw new Error(`topic ${name} already exists`);
    checkPartitionCount(partitions);
    let topicId = randomUuid();
    while (this.ids.has(topicId)) topicId = randomUuid();
    const topic: TopicImage = {
      name,
      topicId,
      partitions,
      internal: INTERNAL_TOPICS.has(name),
      configs: { ...configs },
    };
    this.save([...this.topics.values(), topic]);
    this.put(topic);
    return topic;
  }

  /** Remove a topic; persisted before returning. Returns the removed image (its id names the partition dirs to delete). */
  delete(name: string): TopicImage {
    const topic = this.require(name);
    this.save(this.list().filter((t) => t.name !== name));
    this.topics.delete(name);
    this.ids.delete(topic.topicId);
    return topic;
  }

  /** Raise a topic's partition count to `newTotal` (Kafka's CreatePartitions never shrinks); persisted before returning. */
  addPartitions(name: string, newTotal: number): TopicImage {
    const topic = this.require(name);
    checkPartitionCount(newTotal);
    if (newTotal <= topic.partitions) {
      throw new Error(`topic ${name} has ${topic.partitions} partitions; the new count ${newTotal} must be higher`);
    }
    const updated: TopicImage = { ...topic, partitions: newTotal };
    this.save(this.list().map((t) => t.name === name ? updated : t));
    this.put(updated);
    return updated;
  }

  /** Replace a topic's config overrides (validated by the caller); persisted before returning. */
  setConfigs(name: string, configs: Record<string, string>): TopicImage {
    const updated: TopicImage = { ...this.require(name), configs: { ...configs } };
    this.save(this.list().map((t) => t.name === name ? updated : t));
    this.put(updated);
    return updated;
  }

  private require(name: string): TopicImage {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist`);
    return topic;
  }

  private put(topic: TopicImage): void {
    this.topics.set(topic.name, topic);
    this.ids.set(topic.topicId, topic);
  }

  /** Writes the next state before the in-memory one changes, so a failed write leaves both as they were. */
  private save(topics: TopicImage[]): void {
    writeFileAtomic(this.file, pack({ version: FORMAT_VERSION, topics }));
  }
}

/** Kafka's partition ids are int32, and a topic has at least one partition. */
function checkPartitionCount(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 2147483647) {
    throw new Error(`invalid partition count ${partitions}`);
  }
}

class NewerFormatError extends Error {}

/** The stored topics, checked field by field; throws naming `file` and what is wrong. */
function decode(bytes: Uint8Array, file: string): TopicImage[] {
  if (bytes.length === 0) throw new Error("the file is empty");
  const stored = unpack(bytes) as { version?: unknown; topics?: unknown };
  if (typeof stored !== "object" || stored === null || !Array.isArray(stored.topics)) {
    throw new Error("no topic list in it");
  }
  if (stored.version !== FORMAT_VERSION) {
    throw new NewerFormatError(`${file} has format version ${stored.version}; this tsbroker reads ${FORMAT_VERSION}`);
  }
  for (const t of stored.topics as TopicImage[]) {
    const ok = typeof t === "object" && t !== null && typeof t.name === "string" && typeof t.topicId === "string" &&
      Number.isInteger(t.partitions) && t.partitions >= 1 && typeof t.configs === "object" && t.configs !== null;
    if (!ok) throw new Error(`a malformed topic entry: ${JSON.stringify(t)?.slice(0, 120)}`);
  }
  return stored.topics as TopicImage[];
}

/** Configs an internal topic cannot do without (the controller sets them at creation; see controller.ts). */
const REBUILT_CONFIGS: Record<string, Record<string, string>> = {
  __consumer_offsets: { "cleanup.policy": "compact", "retention.ms": "-1", "retention.bytes": "-1" },
};

/**
 * Topics as the partition directories `<topic>-<p>` show them: one per topic id named in their
 * partition.metadata, with as many partitions as the highest index seen. Directories whose metadata
 * cannot be read join the topic of their name (or a new id); where one name has several ids, the id
 * with the most directories wins, and the others are left to be quarantined when opened.
 */
export function rebuildFromDirectories(logDir: string): TopicImage[] {
  const byName = new Map<string, Map<string | null, number[]>>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(logDir);
  } catch { /* no log dir yet */ }
  for (const entry of names) {
    const m = /^([a-zA-Z0-9._-]+)-(\d+)$/.exec(entry);
    if (!m || Number(m[2]) > 2147483647) continue;
    const dir = path.join(logDir, entry);
    try {
      if (!fs.statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    const ids = byName.get(m[1]) ?? new Map<string | null, number[]>();
    byName.set(m[1], ids);
    const id = readPartitionTopicId(dir);
    ids.set(id, [...(ids.get(id) ?? []), Number(m[2])]);
  }
  const topics: TopicImage[] = [];
  for (const [name, ids] of byName) {
    const named = [...ids].filter(([id]) => id !== null).sort((a, b) => b[1].length - a[1].length);
    const topicId = named[0]?.[0] ?? randomUuid();
    const indexes = [...(named[0]?.[1] ?? []), ...(ids.get(null) ?? [])];
    topics.push({
      name,
      topicId,
      partitions: Math.max(...indexes) + 1,
      internal: INTERNAL_TOPICS.has(name),
      configs: { ...(REBUILT_CONFIGS[name] ?? {}) },
    });
  }
  return topics.sort((a, b) => (a.name < b.name ? -1 : 1));
}
