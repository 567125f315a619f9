/** Issue 17 cases 5 and 7: the log dir's checkpoint files are rebuilt when unreadable and never crash the broker when unwritable. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LogDirState } from "../../src/supervisor/log_dir_state.ts";
import { writeCleanShutdownMarker } from "../../src/log/clean_shutdown.ts";
import { Logger } from "../../src/util/logger.ts";

let dir: string;

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = new Logger("test");
  log.warn = (m) => void lines.push(`WARN ${m}`);
  log.error = (m) => void lines.push(`ERROR ${m}`);
  log.info = () => {};
  return { log, lines };
}

const entry = (offset: bigint) => ({
  recoveryPoints: [{ topic: "t", partition: 0, offset }],
  logStartOffsets: [{ topic: "t", partition: 0, offset: 0n }],
});

describe("LogDirState", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-logdir-"));
  });
  afterEach(() => {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a garbage recovery-point checkpoint is ignored with a WARN naming it (logs recover from their start)", () => {
    fs.writeFileSync(path.join(dir, "recovery-point-offset-checkpoint"), "0\n1\nt 0 zz\u0000\u00ff\n");
    fs.writeFileSync(path.join(dir, "log-start-offset-checkpoint"), "\u00ff\u00fe garbage");
    const { log, lines } = capture();
    const state = LogDirState.open(dir, log);
    assert.deepEqual(state.recoveryPointEntries(), []);
    assert.deepEqual(state.logStartOffsetEntries(), []);
    assert.equal(lines.length, 2);
    assert.match(
      lines[0],
      /WARN Ignoring checkpoint file .*recovery-point-offset-checkpoint: .*recovered from its first segment/,
    );
    assert.match(lines[1], /WARN Ignoring checkpoint file .*log-start-offset-checkpoint/);
  });

  test("*-delete directories are kept, with a WARN", () => {
    fs.mkdirSync(path.join(dir, "t-0.18c2f-delete"));
    fs.writeFileSync(path.join(dir, "t-0.18c2f-delete", "00000000000000000000.log"), "data");
    const { log, lines } = capture();
    LogDirState.open(dir, log);
    assert.ok(fs.existsSync(path.join(dir, "t-0.18c2f-delete", "00000000000000000000.log")));
    assert.match(lines[0], /WARN .*t-0\.18c2f-delete.*kept/);
  });

  test("a failed checkpoint write does not throw, leaves no .tmp, logs once, and recovers", () => {
    const { log, lines } = capture();
    const state = LogDirState.open(dir, log);
    assert.equal(state.record(0, entry(5n)), true);
    // A directory where the temporary file goes makes every write fail (EISDIR), also for root.
    const tmp = path.join(dir, "recovery-point-offset-checkpoint.tmp");
    fs.mkdirSync(tmp);
    assert.equal(state.record(0, entry(6n)), false);
    assert.equal(state.record(0, entry(7n)), false);
    assert.equal(lines.filter((l) => l.startsWith("ERROR")).length, 1);
    assert.match(lines[0], /ERROR Writing the checkpoint files in .* failed/);
    // The old file is intact.
    assert.match(fs.readFileSync(path.join(dir, "recovery-point-offset-checkpoint"), "utf8"), /t 0 5/);
    fs.rmdirSync(tmp);
    assert.equal(state.record(0, entry(8n)), true);
    assert.match(lines.at(-1)!, /WARN Checkpoint files .* written again/);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
  });

  test("offline partitions or unwritten checkpoints make the shutdown unclean", () => {
    const { log, lines } = capture();
    const state = LogDirState.open(dir, log);
    state.record(0, { ...entry(5n), offline: ["t-0: t-0 was removed while the broker ran"] });
    state.close(true);
    assert.ok(!fs.existsSync(path.join(dir, ".kafka_cleanshutdown")));
    assert.match(lines.at(-1)!, /ERROR Not marking the shutdown clean: 1 partition\(s\) were offline/);
    state.record(0, entry(5n));
    state.close(true);
    assert.ok(fs.existsSync(path.join(dir, ".kafka_cleanshutdown")));
    writeCleanShutdownMarker(dir);
  });
});
