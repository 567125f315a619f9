/**
 * One page of DescribeTopicPartitions (KIP-966), cut the way Kafka's broker
 * cuts it, as plain logic over the metadata image:
 *
 * - the topics asked for (each once), or every topic for an empty list, are
 *   taken in name order from the cursor's topic on (names before it are
 *   skipped); the cursor's topic starts at the cursor's partition, every
 *   other at 0 (a cursor past a topic's end lists it with no partitions);
 * - partitions are listed until `limit` of them are; a topic cut short makes
 *   the next cursor point at its first partition left out, and a page that
 *   ends exactly at a topic's end points the cursor at the next topic's
 *   partition 0 (whether or not that topic exists), so the last page is the
 *   one without a cursor;
 * - topics asked for by name that do not exist are listed in their place
 *   with UNKNOWN_TOPIC_OR_PARTITION, or INVALID_TOPIC_EXCEPTION for a name
 *   Kafka refuses; they use up none of the limit.
 *
 * Refused as a whole (the request's error answer): a cursor whose topic is
 * not among the names asked for, or whose partition is negative
 * (INVALID_REQUEST); asked for every topic, a negative cursor partition gets
 * an empty page instead, as Kafka answers. An empty topic name fails Kafka
 * 4.4's whole request with UNKNOWN_SERVER_ERROR (where "." gets
 * INVALID_TOPIC_EXCEPTION in place); tsbroker answers the same, so a client
 * sees one behaviour.
 */
import { ErrorCode } from "../protocol/errors.ts";
import type { MetadataView, TopicImage } from "./metadata_image.ts";
import { topicNameProblem } from "./topic_name.ts";
import { distinctYielding, Pacer } from "../util/yielding.ts";
import { sortYielding } from "../util/sort_yielding.ts";

export interface PageCursor {
  topicName: string;
  partitionIndex: number;
}

export type PageEntry =
  /** Partitions [from, to) of an existing topic. */
  | { kind: "topic"; topic: TopicImage; from: number; to: number }
  | { kind: "missing"; name: string; errorCode: number };

export type Page =
  | { kind: "page"; entries: PageEntry[]; nextCursor: PageCursor | null }
  | { kind: "refused"; errorCode: number };

/**
 * The page for `names` (null: every topic) from `cursor` (null: the start), at most `limit` partitions (≥ 1;
 * the caller clamps the client's limit to the broker's). Yields while it works through long lists: a request
 * may name a million topics (each listed, if missing), and the Worker serves others meanwhile.
 */
export async function topicPartitionsPage(
  view: MetadataView,
  names: readonly string[] | null,
  cursor: PageCursor | null,
  limit: number,
): Promise<Page> {
  if (names !== null && names.includes("")) return { kind: "refused", errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
  if (cursor !== null) {
    if (names !== null && !names.includes(cursor.topicName)) {
      return { kind: "refused", errorCode: ErrorCode.INVALID_REQUEST };
    }
    if (cursor.partitionIndex < 0) {
      return names === null
        ? { kind: "page", entries: [], nextCursor: null }
        : { kind: "refused", errorCode: ErrorCode.INVALID_REQUEST };
    }
  }
  const from = cursor?.topicName ?? "";
  const all = names === null ? view.image.topics.map((t) => t.name) : await distinctYielding(names);
  const candidates = await sortYielding(all.filter((name) => name >= from), (a, b) => a < b ? -1 : a > b ? 1 : 0);
  const entries: PageEntry[] = [];
  const pacer = new Pacer();
  let remaining = limit;
  for (const name of candidates) {
    const pause = pacer.tick();
    if (pause) await pause;
    if (remaining === 0) return { kind: "page", entries, nextCursor: { topicName: name, partitionIndex: 0 } };
    const topic = view.byName.get(name);
    if (!topic) {
      const errorCode = topicNameProblem(name) === null
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : ErrorCode.INVALID_TOPIC_EXCEPTION;
      entries.push({ kind: "missing", name, errorCode });
      continue;
    }
    const start = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0;
    const end = Math.min(topic.partitions, start + remaining);
    entries.push({ kind: "topic", topic, from: start, to: Math.max(start, end) });
    if (end < topic.partitions) {
      return { kind: "page", entries, nextCursor: { topicName: name, partitionIndex: end } };
    }
    remaining -= Math.max(0, end - start);
  }
  return { kind: "page", entries, nextCursor: null };
}
