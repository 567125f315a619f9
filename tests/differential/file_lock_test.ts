/**
 * The cross-process lock that keeps parallel test files from running Maven
 * at once on a cold cache (scripts/kafka/file_lock.ts): holders do not
 * overlap, even across processes, and a lock left by a dead process is taken
 * over.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { withFileLock } from "../../scripts/kafka/file_lock.ts";
import { tempDir } from "../integration/_broker.ts";

const dir = tempDir("tsbroker-lock-");

test("holders in this process run one at a time", async () => {
  const lock = path.join(dir, "a.lock");
  let inside = 0;
  let most = 0;
  await Promise.all([1, 2, 3, 4].map(() =>
    withFileLock(lock, async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
    })
  ));
  assert.equal(most, 1);
  assert.ok(!fs.existsSync(lock), "released after the last holder");
});

test("another process waits for the lock, and appends after the holder", async () => {
  const lock = path.join(dir, "b.lock");
  const log = path.join(dir, "b.log");
  const child = `
    import * as fs from "node:fs";
    import { withFileLock } from ${JSON.stringify(new URL("../../scripts/kafka/file_lock.ts", import.meta.url).href)};
    await withFileLock(${JSON.stringify(lock)}, async () => fs.appendFileSync(${JSON.stringify(log)}, "child\\n"));
  `;
  let running: Promise<Deno.CommandOutput> | undefined;
  await withFileLock(lock, async () => {
    running = new Deno.Command(Deno.execPath(), { args: ["eval", child], stderr: "piped" }).output();
    await new Promise((r) => setTimeout(r, 1500));
    fs.appendFileSync(log, "parent\n");
  });
  const out = await running!;
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.equal(fs.readFileSync(log, "utf8"), "parent\nchild\n");
});

test("a lock whose holder has exited is taken over", async () => {
  const lock = path.join(dir, "c.lock");
  const dead = new Deno.Command(Deno.execPath(), { args: ["eval", "console.log(Deno.pid)"], stdout: "piped" });
  const pid = new TextDecoder().decode((await dead.output()).stdout).trim();
  fs.writeFileSync(lock, pid);
  let ran = false;
  await withFileLock(lock, () => Promise.resolve(ran = true), 2000);
  assert.ok(ran);
});
