/**
 * The supervisor's record of topics: names, ids, partition counts and
 * per-topic configs, kept in `<log dir>/__tsbroker_topics.msgpack` (msgpackr)
 * and replaced atomically on every change, so topic ids survive restarts.
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
  private readonly file: string;

  constructor(logDir: string) {
    this.file = path.join(logDir, FILE);
    if (fs.existsSync(this.file)) {
      const stored = unpack(fs.readFileSync(this.file)) as { version: number; topics: TopicImage[] };
      if (stored.version !== FORMAT_VERSION) {
        throw new Error(`${this.file} has format version ${stored.version}; this tsbroker reads ${FORMAT_VERSION}`);
      }
      for (const topic of stored.topics) this.topics.set(topic.name, topic);
    }
  }

  list(): TopicImage[] {
    return [...this.topics.values()];
  }

  get(name: string): TopicImage | undefined {
    return this.topics.get(name);
  }

  /** Create a topic (the name must be valid and free); persisted before returning. */
  create(name: string, partitions: number, configs: Record<string, string> = {}): TopicImage {
    if (this.topics.has(name)) throw new Error(`topic ${name} already exists`);
    const ids = new Set([...this.topics.values()].map((t) => t.topicId));
    let topicId = randomUuid();
    while (ids.has(topicId)) topicId = randomUuid();
    const topic: TopicImage = { name, topicId, partitions, internal: INTERNAL_TOPICS.has(name), configs };
    this.topics.set(name, topic);
    this.save();
    return topic;
  }

  private save(): void {
    writeFileAtomic(this.file, pack({ version: FORMAT_VERSION, topics: this.list() }));
  }
}
