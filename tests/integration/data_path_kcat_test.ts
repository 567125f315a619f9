/**
 * Bulk data path with kcat (librdkafka 2.0): 1,000,000 records of varying
 * length to an 8-partition topic (broker under Deno; a 200,000-record run
 * under Bun), read back with kcat -C -e. Every record must come back
 * byte-identical, exactly once, at contiguous offsets from 0, and in the
 * order it was produced within its partition.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, type Flavour, runCommand, startBroker, tempDir } from "./_broker.ts";

const PARTITIONS = 8;

/** Record i: its zero-padded number, then 4–76 pseudo-random printable bytes (no space, tab or newline). */
function records(count: number): string[] {
  let seed = 0x2545f491;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const pool = Array.from({ length: 4096 }, () => String.fromCharCode(33 + (next() >>> 8) % 94)).join("");
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const length = 4 + (next() >>> 8) % 73;
    const at = (next() >>> 8) % (pool.length - length);
    out[i] = `${String(i).padStart(7, "0")}:${pool.slice(at, at + length)}`;
  }
  return out;
}

/** Checks kcat's "%p %o %s" lines against what was produced. */
function verify(output: string, produced: string[]): void {
  const seen = new Uint8Array(produced.length);
  const nextOffset = new Array<number>(PARTITIONS).fill(0);
  const lastIndex = new Array<number>(PARTITIONS).fill(-1);
  let lines = 0;
  for (const line of output.split("\n")) {
    if (line === "") continue;
    lines++;
    const first = line.indexOf(" ");
    const second = line.indexOf(" ", first + 1);
    const partition = Number(line.slice(0, first));
    const offset = Number(line.slice(first + 1, second));
    const value = line.slice(second + 1);
    const index = Number(value.slice(0, 7));
    assert.equal(value, produced[index], `record ${index} came back altered at ${partition}/${offset}`);
    assert.equal(seen[index], 0, `record ${index} came back twice (again at ${partition}/${offset})`);
    seen[index] = 1;
    assert.equal(
      offset,
      nextOffset[partition],
      `partition ${partition}: offset ${offset} after ${nextOffset[partition] - 1}`,
    );
    nextOffset[partition] = offset + 1;
    assert.ok(index > lastIndex[partition], `partition ${partition}: record ${index} after ${lastIndex[partition]}`);
    lastIndex[partition] = index;
  }
  assert.equal(lines, produced.length, `consumed ${lines} of ${produced.length} records`);
  assert.ok(nextOffset.every((n) => n > 0), `some partition got no records: ${nextOffset}`);
}

for (const [flavour, count] of [["deno", 1_000_000], ["bun", 200_000]] as Array<[Flavour, number]>) {
  describe(`kcat moves ${count} records through the broker under ${flavour}`, () => {
    let broker: BrokerProcess;
    const work = tempDir("tsbroker-kcat-");
    before(async () => {
      broker = await startBroker(flavour, { overrides: { "num.partitions": PARTITIONS } });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(broker.dataDir, { recursive: true, force: true }); // ~100 MB of segments
    });

    test("produced records come back byte-identical, once each, in order per partition", async () => {
      const produced = records(count);
      const file = path.join(work, "records.txt");
      fs.writeFileSync(file, produced.join("\n") + "\n");
      const put = await runCommand("kcat", [
        "-P",
        "-b",
        broker.bootstrap,
        "-t",
        "bulk",
        "-l",
        file,
        "-X",
        "sticky.partitioning.linger.ms=0",
        "-X",
        "acks=all",
      ], { timeoutMs: 120_000 });
      assert.equal(put.code, 0, `kcat -P failed: ${put.stderr}`);
      assert.doesNotMatch(put.stderr, /fail|error/i, put.stderr);

      const got = await runCommand("kcat", [
        "-C",
        "-b",
        broker.bootstrap,
        "-t",
        "bulk",
        "-e",
        "-q",
        "-o",
        "beginning",
        "-f",
        "%p %o %s\\n",
      ], { timeoutMs: 120_000 });
      assert.equal(got.code, 0, `kcat -C failed: ${got.stderr}`);
      verify(got.stdout, produced);
    });

    test("ListOffsets latest of every partition adds up to the count", async () => {
      // kcat -Q with timestamp -1 asks ListOffsets for the latest offset.
      const args = ["-Q", "-b", broker.bootstrap];
      for (let p = 0; p < PARTITIONS; p++) args.push("-t", `bulk:${p}:-1`);
      const { code, stdout, stderr } = await runCommand("kcat", args);
      assert.equal(code, 0, stderr);
      const ends = [...stdout.matchAll(/ \[(\d+)\] offset (-?\d+)/g)].map((m) => Number(m[2]));
      assert.equal(ends.length, PARTITIONS, stdout);
      assert.equal(ends.reduce((a, b) => a + b, 0), count);
    });
  });
}
