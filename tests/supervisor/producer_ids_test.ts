/** Issue 17 case 7: producer ids never repeat, even when the producer-id file is damaged or lost. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PRODUCER_ID_SAFETY_MARGIN, PRODUCER_IDS_FILE, ProducerIdStore } from "../../src/supervisor/producer_ids.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { Logger } from "../../src/util/logger.ts";

let dir: string;

function capture(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log = new Logger("test");
  log.warn = (m) => void warnings.push(m);
  return { log, warnings };
}

/** A partition directory whose newest segment holds one idempotent batch of `producerId`. */
function partitionWithProducer(producerId: bigint): void {
  const pdir = path.join(dir, "t-0");
  fs.mkdirSync(pdir, { recursive: true });
  const b = buildBatch([{ key: null, value: new Uint8Array(4) }], { producerId, producerEpoch: 0, baseSequence: 0 });
  fs.writeFileSync(path.join(pdir, "00000000000000000000.log"), b);
}

describe("ProducerIdStore", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-pids-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a new log dir starts at 0 quietly; persisted ends are read back", () => {
    const { log, warnings } = capture();
    const store = ProducerIdStore.open(dir, log, 1000);
    assert.equal(store.next, 0n);
    store.persist(3000n);
    assert.equal(ProducerIdStore.open(dir, log, 1000).next, 3000n);
    assert.deepEqual(warnings, []);
  });

  for (
    const [what, damage] of [
      ["deleted", (f: string) => fs.rmSync(f)],
      ["garbage", (f: string) => fs.writeFileSync(f, "\u0000\u0001zz")],
      ["empty", (f: string) => fs.writeFileSync(f, "")],
    ] as const
  ) {
    test(`a ${what} file falls back to its backup plus a margin, with a WARN naming the file`, () => {
      ProducerIdStore.open(dir, capture().log, 1000).persist(5000n);
      partitionWithProducer(4321n);
      damage(path.join(dir, PRODUCER_IDS_FILE));
      const { log, warnings } = capture();
      const store = ProducerIdStore.open(dir, log, 1000);
      assert.ok(store.next >= 5000n + PRODUCER_ID_SAFETY_MARGIN, `${store.next}`);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], new RegExp(PRODUCER_IDS_FILE));
      // The new floor was persisted: ids handed out later are above it after another restart.
      assert.equal(ProducerIdStore.open(dir, capture().log, 1000).next, store.next);
    });
  }

  test("both copies lost: the floor comes from the producer ids written in the partitions", () => {
    ProducerIdStore.open(dir, capture().log, 1000).persist(5000n);
    partitionWithProducer(4_999_999n);
    fs.rmSync(path.join(dir, PRODUCER_IDS_FILE));
    fs.rmSync(path.join(dir, `${PRODUCER_IDS_FILE}.backup`));
    const { log, warnings } = capture();
    const next = ProducerIdStore.open(dir, log, 1000).next;
    assert.ok(next > 4_999_999n + PRODUCER_ID_SAFETY_MARGIN - 1n, `${next}`);
    assert.match(warnings[0], /largest producer id in the partitions is 4999999/);
  });

  test("both copies lost, no producer data, but partitions exist: still skips the margin", () => {
    fs.mkdirSync(path.join(dir, "t-0"));
    const next = ProducerIdStore.open(dir, capture().log, 1000).next;
    assert.equal(next, PRODUCER_ID_SAFETY_MARGIN);
  });
});
