/**
 * Issue 17 cases 6, 9 and 10 at the owner of the partitions: a damaged partition.metadata is rebuilt, one
 * naming another topic quarantines the partition (never deleted), a partition that cannot be opened or
 * whose directory is removed at run time goes offline (KAFKA_STORAGE_ERROR) while the others serve, and
 * offline partitions come back once the cause is gone.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { MetadataImage, TopicImage } from "../../src/cluster/metadata_image.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { ReplicaManager } from "../../src/replica/replica_manager.ts";
import { Logger } from "../../src/util/logger.ts";

let dir: string;
const TOPIC: TopicImage = { name: "t", topicId: "AAAAAAAAAAAAAAAAAAAAAQ", partitions: 3, internal: false, configs: {} };
const image: MetadataImage = { clusterId: "c", nodeId: 1, listeners: [], topics: [TOPIC] };

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = new Logger("test");
  log.warn = (m) => void lines.push(`WARN ${m}`);
  log.error = (m) => void lines.push(`ERROR ${m}`);
  log.info = () => {};
  log.debug = () => {};
  return { log, lines };
}

async function start(
  log: Logger,
  opts: { clean?: boolean; rp?: Map<string, bigint>; lso?: Map<string, bigint> } = {},
): Promise<ReplicaManager> {
  const rm = new ReplicaManager({
    handlerIndex: 0,
    handlerCount: 1,
    logDir: dir,
    config: loadConfig({ overrides: [`log.dirs=${dir}`] }),
    log,
    cleanShutdown: opts.clean ?? true,
    recoveryPoints: opts.rp ?? new Map(),
    logStartOffsets: opts.lso ?? new Map(),
    healthCheckIntervalMs: 0,
  });
  await rm.applyImage(image);
  return rm;
}

async function produce(rm: ReplicaManager, partition: number, n = 1): Promise<number[]> {
  const codes = [];
  for (let i = 0; i < n; i++) {
    const records = buildBatch([{ key: null, value: new TextEncoder().encode(`p${partition}-${i}`) }]);
    const [out] = await rm.execute({
      op: "produce",
      acks: 1,
      items: [{ topicId: TOPIC.topicId, partition, topic: "t", records }],
    });
    codes.push(out.errorCode);
  }
  return codes;
}

async function readCode(rm: ReplicaManager, partition: number): Promise<{ code: number; bytes: number }> {
  const [out] = await rm.execute({
    op: "read",
    items: [{ topicId: TOPIC.topicId, partition, fetchOffset: 0n, maxBytes: 1 << 20 }],
  });
  return { code: out.errorCode, bytes: out.records?.byteLength ?? -1 };
}

/** Writes 5 records to each partition and closes cleanly (the marker's meaning for the next start). */
async function seed(): Promise<void> {
  const rm = await start(capture().log);
  for (const p of [0, 1, 2]) assert.deepEqual(await produce(rm, p, 5), [0, 0, 0, 0, 0]);
  await rm.close();
}

const metadata = (p: number) => path.join(dir, `t-${p}`, "partition.metadata");

describe("ReplicaManager storage faults", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-rm-faults-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a bit flip in partition.metadata is repaired from the registry (WARN); the data stays", async () => {
    await seed();
    const bytes = fs.readFileSync(metadata(1));
    bytes[bytes.length - 2] ^= 0x01; // the last character of the topic id: Q -> P
    fs.writeFileSync(metadata(1), bytes);
    const { log, lines } = capture();
    const rm = await start(log);
    assert.deepEqual(rm.offlinePartitions(), []);
    assert.ok((await readCode(rm, 1)).bytes > 0);
    assert.match(lines.join("\n"), /WARN t-1: .*partition\.metadata is damaged \(its topic id .* one bit away/);
    assert.equal(fs.readFileSync(metadata(1), "utf8"), `version: 0\ntopic_id: ${TOPIC.topicId}\n`);
    await rm.close();
  });

  test("partition.metadata naming another topic quarantines the partition, untouched, until it is fixed", async () => {
    await seed();
    const before = fs.readdirSync(path.join(dir, "t-2")).sort();
    const logBytes = fs.readFileSync(path.join(dir, "t-2", "00000000000000000000.log"));
    fs.writeFileSync(metadata(2), "version: 0\ntopic_id: ZZZZZZZZZZZZZZZZZZZZZQ\n");
    const { log, lines } = capture();
    const rm = await start(log);
    assert.deepEqual(await produce(rm, 2), [ErrorCode.KAFKA_STORAGE_ERROR]);
    assert.equal((await readCode(rm, 2)).code, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.deepEqual(await produce(rm, 0), [0]);
    assert.match(lines.join("\n"), /ERROR .*names topic id ZZZZZZZZZZZZZZZZZZZZZQ, but topic t has id .* quarantined/);
    assert.deepEqual(fs.readdirSync(path.join(dir, "t-2")).sort(), before);
    assert.deepEqual(fs.readFileSync(path.join(dir, "t-2", "00000000000000000000.log")), logBytes);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith("-delete")), []);
    assert.equal(rm.checkpoints().offline.length, 1);
    // The operator corrects the file: the next health check brings the partition back with its data.
    fs.writeFileSync(metadata(2), `version: 0\ntopic_id: ${TOPIC.topicId}\n`);
    rm.healthCheck();
    assert.deepEqual(rm.offlinePartitions(), []);
    assert.ok((await readCode(rm, 2)).bytes >= logBytes.byteLength);
    assert.match(lines.at(-1)!, /WARN Partition t-2 is back online/);
    await rm.close();
  });

  test("a partition that cannot be opened goes offline; the others start and serve", async () => {
    await seed();
    // A directory where the segment file should be: EISDIR, also for root (chmod 000 is not).
    const seg = path.join(dir, "t-1", "00000000000000000000.log");
    fs.renameSync(seg, `${seg}.moved`);
    fs.mkdirSync(seg);
    const { log, lines } = capture();
    const rm = await start(log);
    assert.equal(rm.offlinePartitions().length, 1);
    assert.match(lines.join("\n"), /ERROR Partition t-1 cannot be opened/);
    assert.deepEqual(await produce(rm, 0), [0]);
    assert.deepEqual(await produce(rm, 1), [ErrorCode.KAFKA_STORAGE_ERROR]);
    fs.rmdirSync(seg);
    fs.renameSync(`${seg}.moved`, seg);
    rm.healthCheck();
    assert.deepEqual(rm.offlinePartitions(), []);
    assert.deepEqual(await produce(rm, 1), [0]);
    await rm.close();
  });

  test("a partition directory removed at run time: offline at once, data salvaged, shutdown not clean", async () => {
    const { log, lines } = capture();
    const rm = await start(log);
    assert.deepEqual(await produce(rm, 0, 4), [0, 0, 0, 0]);
    assert.deepEqual(await produce(rm, 1, 3), [0, 0, 0]);
    fs.rmSync(path.join(dir, "t-1"), { recursive: true });
    rm.healthCheck();
    assert.deepEqual(await produce(rm, 1), [ErrorCode.KAFKA_STORAGE_ERROR]);
    assert.equal((await readCode(rm, 1)).code, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.deepEqual(await produce(rm, 0), [0]);
    const error = lines.find((l) => l.startsWith("ERROR Partition t-1 is offline"));
    assert.match(error ?? "", /was removed while the broker ran .*log end 3.*Copied \d+ bytes \(offsets 0\.\.2\)/);
    const checkpoints = rm.checkpoints();
    assert.equal(checkpoints.offline.length, 1);
    await rm.close();
    // The restart (unclean) finds the salvaged segment: all 3 records are back.
    const again = await start(capture().log, { clean: false });
    const [out] = await again.execute({
      op: "listOffsets",
      items: [{ topicId: TOPIC.topicId, partition: 1, timestamp: -1n }],
    });
    assert.equal(out.offset, 3n);
    await again.close();
  });

  test("a partition directory missing at start although checkpointed: ERROR, and offsets continue", async () => {
    await seed();
    fs.rmSync(path.join(dir, "t-0"), { recursive: true });
    const { log, lines } = capture();
    const rm = await start(log, { rp: new Map([["t\u00000", 5n]]), lso: new Map([["t\u00000", 0n]]) });
    assert.match(
      lines.join("\n"),
      /ERROR Partition t-0: directory .* is missing although the checkpoints record offsets up to 5/,
    );
    const [out] = await rm.execute({
      op: "produce",
      acks: 1,
      items: [{ topicId: TOPIC.topicId, partition: 0, topic: "t", records: buildBatch([{ key: null, value: null }]) }],
    });
    assert.equal(out.baseOffset, 5n);
    await rm.close();
  });
});
