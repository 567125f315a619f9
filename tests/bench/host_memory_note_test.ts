/**
 * The bench's note on VMs that hand freed memory back to their host (free
 * page reporting): hostReportedKiB() reads the kernel's counter and gives
 * null where there is none, and the header line appears only on a VM that
 * has handed memory back, with how much since boot and during the run.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hostReportedKiB } from "../../scripts/bench/_procs.ts";
import { hostMemoryNote } from "../../scripts/bench/_report.ts";

Deno.test("hostReportedKiB reads the counter, and is null without one or with garbage", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-reported-"));
  try {
    const file = path.join(dir, "reported_kib");
    fs.writeFileSync(file, "24689244\n");
    assert.equal(hostReportedKiB(file), 24689244);
    fs.writeFileSync(file, "n/a\n");
    assert.equal(hostReportedKiB(file), null);
    assert.equal(hostReportedKiB(path.join(dir, "absent")), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("hostMemoryNote names the memory handed back, and says nothing on a VM that hands none back", () => {
  const note = hostMemoryNote({ sinceBootMB: 24110.6, duringRunMB: 20.2 });
  assert.ok(note !== null);
  assert.match(note, /has handed 23\.5 GB of freed memory back to its host since boot \(20 MB during the run\)/);
  assert.match(note, /host fault per page/);
  assert.match(hostMemoryNote({ sinceBootMB: 512, duringRunMB: NaN }) ?? "", /0\.5 GB .*\(0 MB during the run\)/);
  assert.equal(hostMemoryNote({ sinceBootMB: 0, duringRunMB: 0 }), null);
  assert.equal(hostMemoryNote(undefined), null);
});
