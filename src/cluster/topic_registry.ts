/**
 * The supervisor's record of topics: names, ids, partition counts and
 * per-topic configs, kept in `<log dir>/__tsbroker_topics.msgpack` (msgpackr)
 * and replaced atomically on every change, so topic ids survive restarts.
 * Changes replace a topic's TopicImage instead of mutating it, because images
 * already handed out (published metadata) must stay as they were.
 * Checks that need the request's context (name rules, collisions, configs)
 * belong to the caller; this class only refuses what would corrupt the record.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pack, unpack } from "msgpackr";
import { randomUuid } from "../protocol/io/uuid.ts";
import { writeFileAtomic } from "../util/atomic_file.ts";
import type { TopicImage } from "./metadata_image.ts";

const FILE = "__tsbroker_topics.msgpack";
/** Kafka's internal topics (Metadata marks them IsInternal); other "__" names are ordinary. */
const INTERNAL_TOPICS = new Set(["__consumer_offsets", "__transaction_state"]);
const FORMAT_VERSION = 1;

export class TopicRegistry {
  private readonly topics = new Map<string, TopicImage>();
  private readonly ids = new Map<string, TopicImage>();
  private readonly file: string;

  constructor(logDir: string) {
    this.file = path.join(logDir, FILE);
    if (fs.existsSync(this.file)) {
      const stored = unpack(fs.readFileSync(this.file)) as { version: number; topics: TopicImage[] };
      if (stored.version !== FORMAT_VERSION) {
        throw new Error(`${this.file} has format version ${stored.version}; this tsbroker reads ${FORMAT_VERSION}`);
      }
      for (const topic of stored.topics) this.put(topic);
    }
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
