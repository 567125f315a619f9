/** The aborted-transaction index (`.txnindex`): Kafka's 34-byte entries, search, truncation, replay rewrites. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type AbortedTxn,
  collectAbortedTransactions,
  decodeAbortedTxns,
  encodeAbortedTxn,
  TXN_ENTRY_BYTES,
  TxnIndex,
} from "../../src/log/txn_index.ts";
import { removeDir, tempDir } from "./log_helpers.ts";

const txn = (producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset: bigint): AbortedTxn => ({
  producerId,
  firstOffset,
  lastOffset,
  lastStableOffset,
});

async function withIndex(fn: (index: TxnIndex, file: string) => void | Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    const file = path.join(dir, "00000000000000000000.txnindex");
    await fn(new TxnIndex(file), file);
  } finally {
    removeDir(dir);
  }
}

describe("txn index", () => {
  test("an entry is Kafka's 34 bytes: version 0, producer id, first, last and last stable offsets, big-endian", () => {
    const bytes = encodeAbortedTxn(txn(0x0102030405060708n, 10n, 20n, 21n));
    assert.equal(bytes.length, TXN_ENTRY_BYTES);
    assert.equal(TXN_ENTRY_BYTES, 34);
    assert.deepEqual(
      [...bytes],
      [
        0,
        0,
        ...[1, 2, 3, 4, 5, 6, 7, 8],
        ...[0, 0, 0, 0, 0, 0, 0, 10],
        ...[0, 0, 0, 0, 0, 0, 0, 20],
        ...[0, 0, 0, 0, 0, 0, 0, 21],
      ],
    );
    assert.deepEqual(decodeAbortedTxns(bytes), [txn(0x0102030405060708n, 10n, 20n, 21n)]);
  });

  test("no file until the first entry; entries append to the file and read back after reopening", () =>
    withIndex((index, file) => {
      assert.deepEqual(index.entries, []);
      assert.equal(fs.existsSync(file), false);
      index.append(txn(1n, 0n, 5n, 6n));
      index.append(txn(2n, 3n, 9n, 10n));
      assert.equal(fs.statSync(file).size, 2 * TXN_ENTRY_BYTES);
      assert.equal(index.needsSync, true);
      assert.deepEqual(new TxnIndex(file).entries, [txn(1n, 0n, 5n, 6n), txn(2n, 3n, 9n, 10n)]);
    }));

  test("an entry must end after the previous one", () =>
    withIndex((index) => {
      index.append(txn(1n, 0n, 5n, 6n));
      assert.throws(() => index.append(txn(2n, 1n, 5n, 6n)), /does not follow/);
    }));

  test("a torn last entry (crash mid-write) is dropped and cut from the file", () =>
    withIndex((index, file) => {
      index.append(txn(1n, 0n, 5n, 6n));
      fs.appendFileSync(file, new Uint8Array(10));
      const reopened = new TxnIndex(file);
      assert.deepEqual(reopened.entries, [txn(1n, 0n, 5n, 6n)]);
      assert.equal(fs.statSync(file).size, TXN_ENTRY_BYTES);
      reopened.append(txn(2n, 7n, 8n, 9n));
      assert.deepEqual(new TxnIndex(file).entries, [txn(1n, 0n, 5n, 6n), txn(2n, 7n, 8n, 9n)]);
    }));

  test("collectAbortedTxns: entries overlapping [fetch, upper), complete once an entry's LSO reaches upper", () =>
    withIndex((index) => {
      index.append(txn(1n, 0n, 4n, 2n)); // LSO 2: producer 2's transaction from 2 was still open
      index.append(txn(2n, 2n, 8n, 9n));
      index.append(txn(3n, 10n, 12n, 13n));
      // Fetch [5, 9): the first ended before 5; the second overlaps and its LSO 9 ends the search.
      assert.deepEqual(index.collectAbortedTxns(5n, 9n), { aborted: [txn(2n, 2n, 8n, 9n)], complete: true });
      // Fetch [0, 3): both first entries overlap; no LSO reaches 3 before the second (9).
      assert.deepEqual(index.collectAbortedTxns(0n, 3n), {
        aborted: [txn(1n, 0n, 4n, 2n), txn(2n, 2n, 8n, 9n)],
        complete: true,
      });
      // Fetch [13, 20): nothing here, and later segments may hold more.
      assert.deepEqual(index.collectAbortedTxns(13n, 20n), { aborted: [], complete: false });
    }));

  test("collectAbortedTransactions walks later segments' indexes until one is complete", () => {
    const dir = tempDir();
    try {
      const a = new TxnIndex(path.join(dir, "a.txnindex"));
      const b = new TxnIndex(path.join(dir, "b.txnindex"));
      const c = new TxnIndex(path.join(dir, "c.txnindex"));
      a.append(txn(1n, 0n, 3n, 1n)); // producer 2 still open from 1
      b.append(txn(2n, 1n, 6n, 7n)); // complete for any upper bound ≤ 7
      c.append(txn(3n, 7n, 9n, 10n));
      assert.deepEqual(collectAbortedTransactions([a, b, c], 0n, 5n), [txn(1n, 0n, 3n, 1n), txn(2n, 1n, 6n, 7n)]);
      assert.deepEqual(collectAbortedTransactions([a, b, c], 0n, 10n), [
        txn(1n, 0n, 3n, 1n),
        txn(2n, 1n, 6n, 7n),
        txn(3n, 7n, 9n, 10n),
      ]);
    } finally {
      removeDir(dir);
    }
  });

  test("truncateTo drops entries whose marker is at or past the offset; none left removes the file", () =>
    withIndex((index, file) => {
      index.append(txn(1n, 0n, 5n, 6n));
      index.append(txn(2n, 3n, 9n, 10n));
      index.truncateTo(9n);
      assert.deepEqual(new TxnIndex(file).entries, [txn(1n, 0n, 5n, 6n)]);
      index.truncateTo(0n);
      assert.equal(fs.existsSync(file), false);
    }));

  test("replaceFrom rewrites only when the rebuilt entries differ", () =>
    withIndex((index, file) => {
      index.append(txn(1n, 0n, 5n, 6n));
      index.append(txn(2n, 3n, 9n, 10n));
      const before = fs.statSync(file).mtimeMs;
      fs.utimesSync(file, new Date(0), new Date(0));
      index.replaceFrom(6n, [txn(2n, 3n, 9n, 10n)]);
      assert.equal(fs.statSync(file).mtimeMs, 0, "an identical tail leaves the file alone");
      index.replaceFrom(6n, [txn(2n, 3n, 9n, 10n), txn(4n, 11n, 12n, 13n)]);
      assert.notEqual(fs.statSync(file).mtimeMs, 0);
      assert.ok(before > 0);
      assert.deepEqual(new TxnIndex(file).entries, [txn(1n, 0n, 5n, 6n), txn(2n, 3n, 9n, 10n), txn(4n, 11n, 12n, 13n)]);
      index.replaceFrom(6n, []);
      assert.deepEqual(new TxnIndex(file).entries, [txn(1n, 0n, 5n, 6n)]);
    }));

  test("sync fdatasyncs once after an append", () =>
    withIndex(async (index) => {
      index.append(txn(1n, 0n, 5n, 6n));
      await index.sync();
      assert.equal(index.needsSync, false);
      await index.sync();
    }));
});
