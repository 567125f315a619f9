/**
 * `tsbroker produce`, `consume` and `group` against a broker process, run as a user runs them: the round
 * trip (a 3-partition topic, lines with keys and headers, read back with a format string, a group at lag 0
 * after reading), starting points (-o), group commits of exactly what was printed, offsets reset with and
 * without --dry-run, refusals while a consumer is in the group, Ctrl-C, and bad input.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { DENO_ONLY, expectCode, toolCommand, tsbroker } from "./_tools.ts";

interface Line {
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: string;
  timestamp: number;
}

const FORMAT = "%p|%o|%k|%s|%h|%T\\n";

function parseLines(stdout: string): Line[] {
  return stdout.split("\n").filter(Boolean).map((l) => {
    const [p, o, key, value, headers, ts] = l.split("|");
    return { partition: Number(p), offset: Number(o), key, value, headers, timestamp: Number(ts) };
  });
}

async function totalLag(b: string[], group: string): Promise<number> {
  const run = await tsbroker(["group", "describe", group, "--format", "json", ...b]);
  expectCode(run, 0, "group describe");
  return JSON.parse(run.stdout).totalLag;
}

describe("tsbroker produce, consume and group", DENO_ONLY, () => {
  let broker: BrokerProcess;
  const b = () => ["-b", broker.bootstrap];

  before(async () => {
    broker = await startBroker("deno", {
      overrides: { "auto.create.topics.enable": false, "group.initial.rebalance.delay.ms": 0 },
    });
    expectCode(await tsbroker(["topic", "create", "rt", "-p", "3", ...b()]), 0, "create");
  });
  after(async () => {
    await broker?.stop();
  });

  test("round trip: keys and headers in, the format string out, the group at lag 0", async () => {
    const input = "user1:clicked\nuser2:paid\nuser3:left\nuser1:came back\n\nuser2:paid:twice\n";
    let run = await tsbroker(["produce", "rt", "-k", ":", "-H", "src=cli", "-H", "trace=7", ...b()], { input });
    expectCode(run, 0, "produce");
    assert.match(run.stdout, /Produced 5 records to topic 'rt'/);

    run = await tsbroker(["consume", "rt", "-e", "-f", FORMAT, ...b()]);
    expectCode(run, 0, "consume -e");
    const lines = parseLines(run.stdout);
    assert.equal(lines.length, 5);
    const byKey = (k: string) => lines.filter((l) => l.key === k);
    assert.deepEqual(byKey("user1").map((l) => l.value), ["clicked", "came back"]);
    assert.deepEqual(byKey("user2").map((l) => l.value), ["paid", "paid:twice"], "split at the first separator");
    assert.equal(new Set(byKey("user1").map((l) => l.partition)).size, 1, "one key, one partition");
    for (const l of lines) assert.equal(l.headers, "src=cli,trace=7");
    for (const l of lines) assert.ok(Math.abs(l.timestamp - Date.now()) < 120_000, `timestamp ${l.timestamp}`);
    const perPartition = new Map<number, number[]>();
    for (const l of lines) perPartition.set(l.partition, [...(perPartition.get(l.partition) ?? []), l.offset]);
    for (const offsets of perPartition.values()) assert.deepEqual(offsets, offsets.map((_, i) => i));

    run = await tsbroker(["consume", "rt", "-g", "readers", "-e", ...b()]);
    expectCode(run, 0, "consume -g -e");
    assert.deepEqual(run.stdout.split("\n").filter(Boolean).sort(), lines.map((l) => l.value).sort());

    run = await tsbroker(["group", "describe", "readers", ...b()]);
    expectCode(run, 0, "group describe");
    assert.match(run.stdout, /^total lag: 0$/m);
    assert.match(run.stdout, /^TOPIC\s+PARTITION\s+COMMITTED\s+END\s+LAG/m);
    for (const [p, offsets] of perPartition) {
      assert.match(run.stdout, new RegExp(`^rt\\s+${p}\\s+${offsets.length}\\s+${offsets.length}\\s+0\\b`, "m"));
    }
    run = await tsbroker(["group", "list", ...b()]);
    assert.match(run.stdout, /^readers\s+Empty\s+classic$/m);
  });

  test("-o: an offset, N before the end, a timestamp, the end; -n; --format json", async () => {
    let run = await tsbroker(["consume", "rt", "-e", "-f", FORMAT, ...b()]);
    const all = parseLines(run.stdout);
    const busiest = [...new Set(all.map((l) => l.partition))]
      .sort((x, y) => all.filter((l) => l.partition === y).length - all.filter((l) => l.partition === x).length)[0];
    const mine = all.filter((l) => l.partition === busiest);

    run = await tsbroker(["consume", "rt", "-p", String(busiest), "-o", "1", "-e", "-f", "%s\\n", ...b()]);
    expectCode(run, 0, "-o 1");
    assert.deepEqual(run.stdout.split("\n").filter(Boolean), mine.slice(1).map((l) => l.value));

    run = await tsbroker(["consume", "rt", "-p", String(busiest), "-o", "-1", "-e", ...b()]);
    expectCode(run, 0, "-o -1");
    assert.equal(run.stdout, `${mine.at(-1)!.value}\n`);

    const latest = Math.max(...all.map((l) => l.timestamp));
    run = await tsbroker(["consume", "rt", "-o", `@${latest}`, "-e", "-f", "%s\\n", ...b()]);
    expectCode(run, 0, "-o @ts");
    assert.deepEqual(
      run.stdout.split("\n").filter(Boolean).sort(),
      all.filter((l) => l.timestamp >= latest).map((l) => l.value).sort(),
    );

    run = await tsbroker(["consume", "rt", "-o", "end", "-e", ...b()]);
    expectCode(run, 0, "-o end");
    assert.equal(run.stdout, "");

    run = await tsbroker(["consume", "rt", "-n", "2", "--format", "json", ...b()]);
    expectCode(run, 0, "-n 2 json");
    const records = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(records.length, 2);
    assert.equal(records[0].topic, "rt");
    assert.deepEqual(records[0].headers, [["src", "cli"], ["trace", "7"]]);
    assert.equal(typeof records[0].offset, "number");
  });

  test("a group commits exactly what it printed; seek resets offsets, previewed with --dry-run", async () => {
    const before = await totalLag(b(), "readers");
    expectCode(await tsbroker(["produce", "rt", ...b()], { input: "x1\nx2\n" }), 0, "produce 2");
    assert.equal(await totalLag(b(), "readers"), before + 2);

    let run = await tsbroker(["group", "seek", "readers", "--topic", "rt", "--to", "earliest", "--dry-run", ...b()]);
    expectCode(run, 0, "seek --dry-run");
    assert.match(run.stdout, /^TOPIC\s+PARTITION\s+CURRENT\s+NEW$/m);
    assert.match(run.stdout, /Dry run: nothing changed/);
    assert.equal(await totalLag(b(), "readers"), before + 2, "a dry run changes nothing");

    run = await tsbroker(["group", "seek", "readers", "--topic", "rt", "--to", "earliest", ...b()]);
    expectCode(run, 0, "seek");
    assert.equal(await totalLag(b(), "readers"), 7);

    run = await tsbroker(["consume", "rt", "-g", "readers", "-n", "3", ...b()]);
    expectCode(run, 0, "consume -n 3");
    assert.equal(run.stdout.split("\n").filter(Boolean).length, 3);
    assert.equal(await totalLag(b(), "readers"), 4);

    run = await tsbroker(["group", "seek", "readers", "--topic", "rt:0,1,2", "--to", "999", ...b()]);
    expectCode(run, 0, "seek past the end");
    assert.equal(await totalLag(b(), "readers"), 0, "an offset past the end is clamped to it");
  });

  test("a consumer in the group: seek and delete are refused; Ctrl-C stops it cleanly", async () => {
    // Deno.Command rather than node:child_process, whose exit status for a child that handled the signal
    // and exited 0 reads as killed by it (see startBroker).
    const [command, base] = toolCommand("deno");
    const child = new Deno.Command(command, {
      args: [...base, "consume", "rt", "-g", "live", ...b()],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const exited = child.status.then((s) => (s.signal ? null : s.code));
    try {
      let members = 0;
      for (let i = 0; i < 60 && members === 0; i++) {
        const run = await tsbroker(["group", "describe", "live", "--format", "json", ...b()]);
        if (run.code === 0) members = JSON.parse(run.stdout).members.length;
        if (members === 0) await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(members, 1, "the consumer joined");
      let run = await tsbroker(["group", "seek", "live", "--topic", "rt", "--to", "earliest", ...b()]);
      expectCode(run, 1, "seek while active");
      assert.match(run.stderr, /group 'live' has 1 active member .*stop them and try again/);
      run = await tsbroker(["group", "delete", "live", ...b()]);
      expectCode(run, 1, "delete while active");
      assert.match(run.stderr, /NON_EMPTY_GROUP/);
    } finally {
      child.kill("SIGINT");
    }
    assert.equal(await exited, 0, "Ctrl-C ends the consumer with status 0");
    const run = await tsbroker(["group", "delete", "live", ...b()]);
    expectCode(run, 0, "delete after the consumer left");
    assert.match(run.stdout, /Deleted group 'live'/);
  });

  test("a reader that goes away (| head) ends consume quietly with status 0", async () => {
    expectCode(await tsbroker(["topic", "create", "many", ...b()]), 0, "create");
    const lines = Array.from({ length: 30_000 }, (_, i) => `record ${i}`).join("\n");
    expectCode(await tsbroker(["produce", "many", ...b()], { input: lines }), 0, "produce");
    const [command, base] = toolCommand("deno");
    const child = new Deno.Command(command, {
      args: [...base, "consume", "many", "-e", ...b()],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /^record 0\n/);
    await reader.cancel(); // closes the pipe, as head does after its lines
    const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
    assert.equal(status.code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Uncaught/);
  });

  test("bad input: missing topic or partition (1), malformed key syntax and bad flags (2)", async () => {
    let run = await tsbroker(["produce", "missing", ...b()], { input: "a\n" });
    expectCode(run, 1, "produce to a missing topic");
    assert.match(run.stderr, /topic 'missing' does not exist \(UNKNOWN_TOPIC_OR_PARTITION\); create it with/);
    run = await tsbroker(["consume", "missing", ...b()]);
    expectCode(run, 1, "consume a missing topic");
    assert.match(run.stderr, /topic 'missing' does not exist/);
    run = await tsbroker(["produce", "rt", "-p", "9", ...b()], { input: "a\n" });
    expectCode(run, 1, "a missing partition");
    assert.match(run.stderr, /partition 9 does not exist/);
    run = await tsbroker(["group", "describe", "nobody", ...b()]);
    expectCode(run, 1, "a missing group");
    assert.match(run.stderr, /group 'nobody' does not exist \(GROUP_ID_NOT_FOUND\)/);

    run = await tsbroker(["produce", "rt", "-k", ":", ...b()], { input: "k:v\nno separator here\nk:w\n" });
    expectCode(run, 2, "malformed key syntax");
    assert.match(run.stderr, /line 2 has no key separator ":".*1 records before it were sent/);
    const cases: [string[], RegExp][] = [
      [["produce", "rt", "-H", "novalue"], /-H takes key=value/],
      [["produce", "rt", "--acks", "2"], /--acks takes 0, 1 or all/],
      [["produce", "rt", "--compression", "brotli"], /--compression takes none, gzip/],
      [["consume", "rt", "-o", "soon"], /-o takes beginning, end/],
      [["consume", "rt", "-f", "%x"], /unknown directive "%x"/],
      [["consume", "rt", "-g", "g", "-o", "5"], /with -g, -o takes only beginning or end/],
      [["consume", "rt", "-n", "0"], /-n\/--count must be at least 1/],
      [["group", "seek", "g", "--topic", "rt"], /--to is required/],
      [["group", "seek", "g", "--topic", "rt", "--to", "yesterday"], /--to takes earliest, latest/],
      [["consume", "rt", "--from-beginning"], /unknown flag --from-beginning/],
    ];
    for (const [args, message] of cases) {
      run = await tsbroker([...args, ...b()], { input: "" });
      expectCode(run, 2, args.join(" "));
      assert.match(run.stderr, message);
    }
  });
});
