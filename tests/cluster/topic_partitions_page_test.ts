/**
 * topicPartitionsPage(): the DescribeTopicPartitions page cut as Kafka 4.4
 * cuts it (each expectation here was seen from the reference Kafka): name
 * order, the cursor, the limit (a topic cut short, a page ending at a
 * topic's end), topics that do not exist, and what refuses the request.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MetadataView, type TopicImage } from "../../src/cluster/metadata_image.ts";
import { type Page, topicPartitionsPage } from "../../src/cluster/topic_partitions_page.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";

const topic = (name: string, partitions: number): TopicImage => ({
  name,
  topicId: `id-${name}`,
  partitions,
  internal: false,
  configs: {},
});

const view = new MetadataView({
  clusterId: "c",
  nodeId: 1,
  listeners: [],
  topics: [topic("pb", 2), topic("pc", 1), topic("pa", 3)],
});

/** "name:from-to" per existing topic, "name!code" per missing one, then "→ topic/partition" or "→ end". */
function summary(page: Page): string {
  if (page.kind === "refused") return `refused ${page.errorCode}`;
  const parts = page.entries.map((e) =>
    e.kind === "topic" ? `${e.topic.name}:${e.from}-${e.to}` : `${e.name}!${e.errorCode}`
  );
  const next = page.nextCursor ? `${page.nextCursor.topicName}/${page.nextCursor.partitionIndex}` : "end";
  return `${parts.join(" ")} → ${next}`;
}

const page = async (names: string[] | null, limit: number, cursor: [string, number] | null = null) =>
  summary(
    await topicPartitionsPage(view, names, cursor && { topicName: cursor[0], partitionIndex: cursor[1] }, limit),
  );

describe("topicPartitionsPage", () => {
  test("every topic in name order; a topic cut short points the cursor at its next partition", async () => {
    assert.equal(await page(null, 2000), "pa:0-3 pb:0-2 pc:0-1 → end");
    assert.equal(await page(null, 2), "pa:0-2 → pa/2");
    assert.equal(await page(null, 1), "pa:0-1 → pa/1");
  });

  test("a page that ends at a topic's end points at the next topic's partition 0, even one that does not exist", async () => {
    assert.equal(await page(["pa", "pb", "pc"], 3), "pa:0-3 → pb/0");
    assert.equal(await page(["pa", "pb", "zz"], 5), "pa:0-3 pb:0-2 → zz/0");
    assert.equal(await page(["pa", "pb", "pc"], 6), "pa:0-3 pb:0-2 pc:0-1 → end");
  });

  test("the cursor starts its topic at its partition and skips names before it", async () => {
    assert.equal(await page(["pa", "pb", "pc"], 2, ["pa", 1]), "pa:1-3 → pb/0");
    assert.equal(await page(["pa", "pb", "pc"], 2, ["pb", 0]), "pb:0-2 → pc/0");
    assert.equal(await page(null, 3, ["pb", 1]), "pb:1-2 pc:0-1 → end");
    assert.equal(await page(null, 10, ["pbb", 0]), "pc:0-1 → end");
    assert.equal(await page(null, 10, ["zzz", 0]), " → end");
  });

  test("a cursor past its topic's end lists the topic without partitions and uses none of the limit", async () => {
    assert.equal(await page(["pa", "pb"], 1, ["pa", 3]), "pa:3-3 pb:0-1 → pb/1");
    assert.equal(await page(["pa", "pb", "pc"], 2, ["pb", 5]), "pb:5-5 pc:0-1 → end");
  });

  test("missing topics are listed in name order with their error and use none of the limit", async () => {
    assert.equal(await page(["zz", "pa", "a"], 10), `a!3 pa:0-3 zz!3 → end`);
    assert.equal(await page(["nope", "pa", "pb"], 2), "nope!3 pa:0-2 → pa/2");
    assert.equal(await page(["bad name!", ".", "pa"], 10), `.!17 bad name!!17 pa:0-3 → end`);
    assert.equal(await page(["pa", "pa"], 10), "pa:0-3 → end");
  });

  test("a cursor naming a topic not asked for, or a negative partition, refuses the request", async () => {
    assert.equal(await page(["pa", "pc"], 10, ["pb", 0]), `refused ${ErrorCode.INVALID_REQUEST}`);
    assert.equal(await page(["pa", "pb"], 10, ["pa", -1]), `refused ${ErrorCode.INVALID_REQUEST}`);
    assert.equal(await page(null, 10, ["pa", -1]), " → end", "asked for every topic: an empty page, as Kafka answers");
    assert.equal(await page(["nope", "pa"], 10, ["nope", 0]), "nope!3 pa:0-3 → end");
  });

  test("an empty name fails the whole request, as in Kafka 4.4", async () => {
    assert.equal(await page(["", "pa"], 10), `refused ${ErrorCode.UNKNOWN_SERVER_ERROR}`);
  });
});
