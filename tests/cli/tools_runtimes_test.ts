/**
 * The tools under Bun and as the compiled executable (dist/tsbroker, built by `deno task compile:bun`),
 * against a broker process: a round trip through each, and the unreachable-broker status. The executable
 * is tested when it exists and knows the tools (an older build from before them is reported and skipped).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { type BrokerProcess, EXECUTABLE, type Flavour, startBroker } from "../integration/_broker.ts";
import { DENO_ONLY, expectCode, tsbroker } from "./_tools.ts";

async function executableHasTools(): Promise<boolean> {
  if (!fs.existsSync(EXECUTABLE)) return false;
  const run = await tsbroker(["topic", "--help"], { flavour: "exe" });
  if (run.code !== 0) console.log(`${EXECUTABLE} predates the tools (rebuild with deno task compile:bun); skipped`);
  return run.code === 0;
}

describe("the tools under Bun and as the executable", DENO_ONLY, () => {
  let broker: BrokerProcess;
  const b = () => ["-b", broker.bootstrap];

  before(async () => {
    broker = await startBroker("deno", { overrides: { "group.initial.rebalance.delay.ms": 0 } });
  });
  after(async () => {
    await broker?.stop();
  });

  for (const flavour of ["bun", "exe"] as Flavour[]) {
    test(`${flavour}: create, produce, consume with a format, the group at lag 0, unreachable exits 3`, async (t) => {
      if (flavour === "exe" && !(await executableHasTools())) return t.skip("no executable with the tools");
      const topic = `rt-${flavour}`;
      expectCode(await tsbroker(["topic", "create", topic, "-p", "3", ...b()], { flavour }), 0, "create");
      let run = await tsbroker(["produce", topic, "-k", "=", "-H", "via=" + flavour, ...b()], {
        flavour,
        input: "a=1\nb=2\nc=3\n",
      });
      expectCode(run, 0, "produce");
      run = await tsbroker(["consume", topic, "-g", "g", "-e", "-f", "%k:%s:%h\\n", ...b()], { flavour });
      expectCode(run, 0, "consume");
      assert.deepEqual(run.stdout.split("\n").filter(Boolean).sort(), [
        `a:1:via=${flavour}`,
        `b:2:via=${flavour}`,
        `c:3:via=${flavour}`,
      ]);
      run = await tsbroker(["group", "describe", "g", "--format", "json", ...b()], { flavour });
      expectCode(run, 0, "group describe");
      const group = JSON.parse(run.stdout);
      assert.equal(group.totalLag, 0);
      assert.equal(group.offsets.filter((o: { topic: string }) => o.topic === topic).length, 3);
      expectCode(await tsbroker(["group", "delete", "g", ...b()], { flavour }), 0, "group delete");

      run = await tsbroker(["cluster", "info", "-b", "127.0.0.1:1"], { flavour });
      expectCode(run, 3, "unreachable");
      assert.match(
        run.stderr,
        /cannot reach a broker \(127\.0\.0\.1:1: .*\)\. Is it running\? Give its address with -b/,
      );
    });
  }
});
