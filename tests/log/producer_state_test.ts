/** Idempotent-producer state: Kafka's sequence/epoch rules, two-phase appends, snapshots, expiry, log start. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type BatchHeader, buildBatch, readBatchHeader } from "../../src/log/record_batch.ts";
import {
  ProducerStateManager,
  type ProducerStateManager as PSM,
  type ProducerVerdict,
} from "../../src/log/producer_state.ts";
import { INT32_MAX } from "../../src/log/producer_entry.ts";
import { listSnapshots, snapshotFileName } from "../../src/log/producer_snapshot.ts";
import type { Logger } from "../../src/util/logger.ts";

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const INVALID_PRODUCER_EPOCH = 47;
const T0 = 1_700_000_000_000n;
const DAY = 86_400_000;

/** A client batch's header: `count` records from sequence `seq`. */
function hdr(pid: bigint, epoch: number, seq: number, count = 1, ts = T0, isTransactional = false): BatchHeader {
  const records = Array.from({ length: count }, () => ({ key: null, value: null }));
  return readBatchHeader(
    buildBatch(records, {
      producerId: pid,
      producerEpoch: epoch,
      baseSequence: seq,
      baseTimestamp: ts,
      isTransactional,
    }),
  );
}

const plain = (count = 1) =>
  readBatchHeader(buildBatch(Array.from({ length: count }, () => ({ key: null, value: null }))));

function quietLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => warnings.push(m), info() {}, debug() {}, error() {} } as unknown as
    & Logger
    & { warnings: string[] };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-psm-"));
}

function withManager(fn: (psm: PSM, dir: string) => void, now = () => Number(T0)): void {
  const dir = tempDir();
  try {
    fn(new ProducerStateManager(dir, { logger: quietLogger(), now }), dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Prepares and commits at `base`, as the log does after a successful write; returns the verdict. */
function append(psm: PSM, headers: BatchHeader | BatchHeader[], base: bigint): ProducerVerdict {
  const v = psm.prepare(headers);
  if (v.kind === "append") psm.commit(v.pending, base);
  return v;
}

function assertError(v: ProducerVerdict, code: number, message: RegExp): void {
  assert.equal(v.kind, "error", `expected error ${code}, got ${JSON.stringify(v, (_, x) => String(x))}`);
  if (v.kind === "error") {
    assert.equal(v.code, code);
    assert.match(v.message, message);
  }
}

describe("sequence checks", () => {
  test("a new producer starts at 0 and each batch must follow the last sequence", () =>
    withManager((psm) => {
      assert.equal(append(psm, hdr(7n, 0, 0, 3), 0n).kind, "append");
      assert.equal(psm.lastSequence(7n), 2);
      assert.equal(psm.epochOf(7n), 0);
      assert.equal(append(psm, hdr(7n, 0, 3, 2), 3n).kind, "append");
      assert.equal(psm.lastSequence(7n), 4);
      assertError(psm.prepare(hdr(7n, 0, 6)), OUT_OF_ORDER_SEQUENCE_NUMBER, /sequence 6 does not follow 4/);
      // Overlapping but not an exact retry: out of order, not a duplicate.
      assertError(psm.prepare(hdr(7n, 0, 4, 2)), OUT_OF_ORDER_SEQUENCE_NUMBER, /sequence 4 does not follow 4/);
      assert.equal(psm.lastSequence(7n), 4);
    }));

  test("an unknown producer is accepted at any sequence (Kafka 3.9: its state may have been lost)", () =>
    withManager((psm) => {
      assert.equal(append(psm, hdr(8n, 3, 1234, 2), 0n).kind, "append");
      assert.equal(psm.lastSequence(8n), 1235);
      assert.equal(psm.epochOf(8n), 3);
      assertError(psm.prepare(hdr(8n, 3, 1237)), OUT_OF_ORDER_SEQUENCE_NUMBER, /does not follow 1235/);
    }));

  test("sequences wrap from Int32 max to 0, within a batch and between batches", () =>
    withManager((psm) => {
      append(psm, hdr(1n, 0, INT32_MAX - 1, 3), 0n); // INT32_MAX-1, INT32_MAX, 0
      assert.equal(psm.lastSequence(1n), 0);
      assert.equal(append(psm, hdr(1n, 0, 1), 3n).kind, "append");
      withManager((p2) => {
        append(p2, hdr(2n, 0, INT32_MAX - 1, 2), 0n);
        assert.equal(p2.lastSequence(2n), INT32_MAX);
        assertError(p2.prepare(hdr(2n, 0, INT32_MAX)), OUT_OF_ORDER_SEQUENCE_NUMBER, /does not follow/);
        assert.equal(append(p2, hdr(2n, 0, 0), 2n).kind, "append");
      });
      // The retry of the wrapping batch is still recognised.
      const dup = psm.prepare(hdr(1n, 0, INT32_MAX - 1, 3));
      assert.deepEqual(dup, { kind: "duplicate", firstOffset: 0n, lastOffset: 2n, timestamp: T0 });
    }));

  test("batches without a producer id bypass every check", () =>
    withManager((psm) => {
      const v = append(psm, [plain(2), plain(1)], 0n);
      assert.equal(v.kind, "append");
      assert.equal(psm.producerCount, 0);
    }));
});

describe("epochs", () => {
  test("a new epoch must start at sequence 0 and forgets the old epoch's batches", () =>
    withManager((psm) => {
      append(psm, hdr(5n, 0, 0, 10), 0n);
      assertError(psm.prepare(hdr(5n, 1, 10)), OUT_OF_ORDER_SEQUENCE_NUMBER, /new epoch 1 must start at sequence 0/);
      assert.equal(append(psm, hdr(5n, 1, 0, 2), 10n).kind, "append");
      assert.equal(psm.epochOf(5n), 1);
      assert.equal(psm.lastSequence(5n), 1);
    }));

  test("a lower epoch is fenced with INVALID_PRODUCER_EPOCH, even for a retry of an old batch", () =>
    withManager((psm) => {
      append(psm, hdr(5n, 0, 0), 0n);
      append(psm, hdr(5n, 2, 0), 1n);
      assertError(psm.prepare(hdr(5n, 1, 1)), INVALID_PRODUCER_EPOCH, /epoch 1 is older than the current epoch 2/);
      assertError(psm.prepare(hdr(5n, 0, 0)), INVALID_PRODUCER_EPOCH, /epoch 0 is older/);
      assert.equal(psm.epochOf(5n), 2);
    }));
});

describe("duplicates", () => {
  test("a retry of any of the last 5 batches answers its original offsets; the 6th-oldest is out of order", () =>
    withManager((psm) => {
      let base = 100n;
      for (let i = 0; i < 6; i++) {
        append(psm, hdr(9n, 0, i * 2, 2, T0 + BigInt(i)), base);
        base += 2n;
      }
      for (let i = 1; i < 6; i++) {
        const first = 100n + BigInt(i * 2);
        assert.deepEqual(psm.prepare(hdr(9n, 0, i * 2, 2)), {
          kind: "duplicate",
          firstOffset: first,
          lastOffset: first + 1n,
          timestamp: T0 + BigInt(i),
        });
      }
      assertError(psm.prepare(hdr(9n, 0, 0, 2)), OUT_OF_ORDER_SEQUENCE_NUMBER, /sequence 0 does not follow 11/);
    }));

  test("the same sequences under another epoch are not a duplicate", () =>
    withManager((psm) => {
      append(psm, hdr(9n, 0, 0), 0n);
      assert.equal(psm.prepare(hdr(9n, 1, 0)).kind, "append");
    }));
});

describe("two-phase appends", () => {
  test("several batches of one request are checked against each other and get contiguous offsets", () =>
    withManager((psm) => {
      const v = append(psm, [hdr(1n, 0, 0, 3), plain(4), hdr(2n, 0, 0, 1), hdr(1n, 0, 3, 2)], 50n);
      assert.equal(v.kind, "append");
      assert.equal(psm.lastSequence(1n), 4);
      assert.equal(psm.lastSequence(2n), 0);
      // Offsets: p1 50..52, plain 53..56, p2 57, p1 58..59.
      assert.deepEqual(psm.prepare(hdr(1n, 0, 3, 2)), {
        kind: "duplicate",
        firstOffset: 58n,
        lastOffset: 59n,
        timestamp: T0,
      });
      assert.deepEqual(psm.prepare(hdr(2n, 0, 0)), {
        kind: "duplicate",
        firstOffset: 57n,
        lastOffset: 57n,
        timestamp: T0,
      });
      assert.deepEqual(psm.prepare(hdr(1n, 0, 0, 3)), {
        kind: "duplicate",
        firstOffset: 50n,
        lastOffset: 52n,
        timestamp: T0,
      });
    }));

  test("a gap between batches of the same request is out of order, and nothing is kept", () =>
    withManager((psm) => {
      append(psm, hdr(1n, 0, 0), 0n);
      assertError(psm.prepare([hdr(1n, 0, 1), hdr(1n, 0, 3)]), OUT_OF_ORDER_SEQUENCE_NUMBER, /3 does not follow 1/);
      assertError(psm.prepare([hdr(1n, 1, 0), hdr(1n, 0, 1)]), INVALID_PRODUCER_EPOCH, /epoch 0 is older than .* 1/);
      assert.equal(psm.lastSequence(1n), 0);
      assert.equal(psm.epochOf(1n), 0);
    }));

  test("a duplicate anywhere in the request makes the whole request a duplicate", () =>
    withManager((psm) => {
      append(psm, hdr(1n, 0, 0), 7n);
      assert.deepEqual(psm.prepare([hdr(2n, 0, 0), hdr(1n, 0, 0)]), {
        kind: "duplicate",
        firstOffset: 7n,
        lastOffset: 7n,
        timestamp: T0,
      });
    }));

  test("a failed append (no commit) leaves the state unchanged; a stale prepare cannot be committed", () =>
    withManager((psm) => {
      append(psm, hdr(1n, 0, 0), 0n);
      const failed = psm.prepare(hdr(1n, 0, 1));
      assert.equal(failed.kind, "append");
      assert.equal(psm.lastSequence(1n), 0);
      // The client retries the same batch: still the next in sequence, not a duplicate.
      const retry = psm.prepare(hdr(1n, 0, 1));
      assert.equal(retry.kind, "append");
      if (retry.kind === "append") psm.commit(retry.pending, 1n);
      assert.equal(psm.lastSequence(1n), 1);
      if (failed.kind === "append") assert.throws(() => psm.commit(failed.pending, 2n), /changed between prepare/);
      assert.equal(psm.lastSequence(1n), 1);
    }));

  test("commit takes LogAppendTime as the batches' timestamp", () =>
    withManager((psm) => {
      const v = psm.prepare(hdr(1n, 0, 0, 1, 5n));
      if (v.kind === "append") psm.commit(v.pending, 0n, 42n);
      assert.equal(psm.activeProducers()[0].lastTimestamp, 42n);
      const w = psm.prepare(hdr(1n, 0, 1, 1, 6n));
      if (w.kind === "append") psm.commit(w.pending, 1n, -1n); // -1n: CreateTime, keep the batch's
      assert.equal(psm.activeProducers()[0].lastTimestamp, 6n);
    }));
});

describe("snapshots", () => {
  test("round trip: state, retained batches and duplicates survive a restart", () =>
    withManager((psm, dir) => {
      for (let i = 0; i < 7; i++) append(psm, hdr(3n, 1, i), BigInt(i));
      append(psm, hdr(4n, 0, 0, 1, T0, true), 7n);
      psm.takeSnapshot(8n);
      assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith(".snapshot")), ["00000000000000000008.snapshot"]);
      const again = new ProducerStateManager(dir, { logger: quietLogger(), now: () => Number(T0) });
      again.load(8n);
      assert.equal(again.replayFrom(), 8n);
      assert.deepEqual(again.activeProducers(), psm.activeProducers());
      assert.deepEqual(again.activeProducers().find((p) => p.producerId === 4n)?.currentTxnStartOffset, 7n);
      assert.deepEqual(again.prepare(hdr(3n, 1, 2)), {
        kind: "duplicate",
        firstOffset: 2n,
        lastOffset: 2n,
        timestamp: T0,
      });
      assert.equal(again.prepare(hdr(3n, 1, 1)).kind, "error"); // 6th-oldest, as before the restart
      assert.equal(again.prepare(hdr(3n, 1, 7)).kind, "append");
    }));

  test("only the newest 2 snapshots are kept, and an unchanged state is not rewritten", () =>
    withManager((psm, dir) => {
      for (let i = 0; i < 4; i++) {
        append(psm, hdr(1n, 0, i), BigInt(i));
        psm.takeSnapshot(BigInt(i + 1));
      }
      assert.deepEqual(listSnapshots(dir).map((s) => s.offset), [3n, 4n]);
      const file = path.join(dir, snapshotFileName(4n));
      fs.utimesSync(file, 0, 0);
      psm.takeSnapshot(4n);
      assert.equal(fs.statSync(file).mtimeMs, 0);
    }));

  test("a corrupt snapshot is ignored with a warning, deleted, and the older one used", () => {
    const dir = tempDir();
    try {
      const psm = new ProducerStateManager(dir, { logger: quietLogger(), now: () => Number(T0) });
      append(psm, hdr(1n, 0, 0), 0n);
      psm.takeSnapshot(1n);
      append(psm, hdr(1n, 0, 1), 1n);
      psm.takeSnapshot(2n);
      const newest = path.join(dir, snapshotFileName(2n));
      const bytes = fs.readFileSync(newest);
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(newest, bytes);
      const logger = quietLogger();
      const again = new ProducerStateManager(dir, { logger, now: () => Number(T0) });
      again.load(2n);
      assert.equal(again.replayFrom(), 1n);
      assert.equal(again.lastSequence(1n), 0);
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0], /00000000000000000002\.snapshot.*crc mismatch/);
      assert.equal(fs.existsSync(newest), false);
      // The log then replays what followed the snapshot.
      again.onRecoveredBatch(hdr(1n, 0, 0), 0n); // already covered: skipped
      again.onRecoveredBatch(hdr(1n, 0, 1), 1n);
      assert.equal(again.lastSequence(1n), 1);
      assert.deepEqual(again.prepare(hdr(1n, 0, 0)), {
        kind: "duplicate",
        firstOffset: 0n,
        lastOffset: 0n,
        timestamp: T0,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("truncated or unknown-version snapshots are corrupt too; with none left, state comes from the log", () =>
    withManager((psm, dir) => {
      append(psm, hdr(1n, 0, 0), 0n);
      psm.takeSnapshot(1n);
      const file = path.join(dir, snapshotFileName(1n));
      fs.writeFileSync(path.join(dir, snapshotFileName(0n)), new Uint8Array([0, 9, 0, 0, 0, 0, 0, 0, 0, 0]));
      fs.truncateSync(file, 12);
      const logger = quietLogger();
      const again = new ProducerStateManager(dir, { logger });
      again.load(10n);
      assert.equal(again.replayFrom(), 0n);
      assert.equal(again.producerCount, 0);
      assert.equal(logger.warnings.length, 2);
      assert.match(logger.warnings[1], /unknown snapshot version 9/);
      assert.deepEqual(listSnapshots(dir), []);
    }));

  test("snapshots above the recovered log end offset are deleted at load", () =>
    withManager((psm, dir) => {
      append(psm, hdr(1n, 0, 0), 0n);
      psm.takeSnapshot(1n);
      append(psm, hdr(1n, 0, 1), 1n);
      psm.takeSnapshot(2n);
      const again = new ProducerStateManager(dir, { logger: quietLogger(), now: () => Number(T0) });
      again.load(1n); // the tail past offset 1 was torn off
      assert.equal(again.replayFrom(), 1n);
      assert.equal(again.lastSequence(1n), 0);
      assert.deepEqual(listSnapshots(dir).map((s) => s.offset), [1n]);
    }));

  test("onLogStartOffset drops snapshots and producers wholly below the new log start", () =>
    withManager((psm, dir) => {
      append(psm, hdr(1n, 0, 0, 5), 0n); // offsets 0..4
      psm.takeSnapshot(5n);
      append(psm, hdr(2n, 0, 0, 5), 5n); // offsets 5..9
      psm.takeSnapshot(10n);
      psm.onLogStartOffset(5n);
      assert.equal(psm.epochOf(1n), undefined);
      assert.equal(psm.lastSequence(2n), 4);
      assert.deepEqual(listSnapshots(dir).map((s) => s.offset), [5n, 10n]);
      psm.onLogStartOffset(9n);
      assert.equal(psm.lastSequence(2n), 4);
      assert.deepEqual(listSnapshots(dir).map((s) => s.offset), [10n]);
      psm.onLogStartOffset(10n);
      assert.equal(psm.producerCount, 0);
      // Its state gone, the producer is accepted at its next sequence.
      assert.equal(append(psm, hdr(2n, 0, 5), 10n).kind, "append");
    }));
});

describe("expiry", () => {
  test("producers idle for producer.id.expiration.ms are removed, at run time and at load", () => {
    let now = Number(T0);
    withManager((psm, dir) => {
      append(psm, hdr(1n, 0, 0, 1, T0), 0n);
      append(psm, hdr(2n, 0, 0, 1, T0 + 1000n), 1n);
      now = Number(T0) + DAY - 1;
      assert.equal(psm.removeExpired(), 0);
      psm.takeSnapshot(2n);
      assert.equal(psm.removeExpired(Number(T0) + DAY), 1);
      assert.equal(psm.epochOf(1n), undefined);
      assert.equal(psm.epochOf(2n), 0);
      now = Number(T0) + DAY + 1000;
      const again = new ProducerStateManager(dir, { logger: quietLogger(), now: () => now });
      again.load(2n);
      assert.equal(again.producerCount, 0);
      const short = new ProducerStateManager(dir, { logger: quietLogger(), expirationMs: 10, now: () => Number(T0) });
      short.load(2n);
      assert.deepEqual(short.activeProducers().map((p) => p.producerId), [1n, 2n]);
      assert.equal(short.removeExpired(Number(T0) + 10), 1);
    }, () => now);
  });
});

describe("recovery replay", () => {
  test("onRecoveredBatch rebuilds state without sequence checks and activeProducers describes it", () =>
    withManager((psm) => {
      psm.load(0n);
      assert.equal(psm.replayFrom(), 0n);
      psm.onRecoveredBatch(plain(), 0n);
      psm.onRecoveredBatch(hdr(11n, 2, 40, 3, T0 + 5n), 1n);
      psm.onRecoveredBatch(hdr(11n, 2, 43, 1, T0 + 6n), 4n);
      assert.deepEqual(psm.activeProducers(), [{
        producerId: 11n,
        epoch: 2,
        lastSequence: 43,
        lastTimestamp: T0 + 6n,
        coordinatorEpoch: -1,
        currentTxnStartOffset: -1n,
      }]);
      assert.equal(append(psm, hdr(11n, 2, 44), 5n).kind, "append");
    }));
});
