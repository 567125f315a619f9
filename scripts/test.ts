/**
 * `deno task test`: everything CI checks, in order, ending with one plain
 * "N passed, N failed" line.
 *  1. the generated protocol codecs match their schema tables;
 *  2. the whole project type-checks (both runtime adapters included);
 *  3. the single executable builds with `bun build --compile`;
 *  4. the suite runs under Deno (unit + real-client integration tests, which
 *     start brokers under Deno, Bun and the executable);
 *  5. the runtime-agnostic unit suites run under Bun as well;
 *  6. `deno lint`, `deno fmt --check` and `deno doc --lint mod.ts` are clean.
 * Extra arguments are passed to `deno test` (e.g. a file filter).
 */
const root = new URL("..", import.meta.url).pathname;
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const unitDirs = [
  "tests/protocol",
  "tests/config",
  "tests/cli",
  "tests/network",
  "tests/handler",
  "tests/log",
  "tests/cluster",
  "tests/supervisor",
  "tests/replica",
  "tests/group",
  "tests/util",
  "tests/txn",
  "tests/metrics",
  // The client library's unit tests (the rest of tests/client starts brokers through Deno).
  "tests/client/accumulator_test.ts",
  "tests/client/partitioner_test.ts",
  "tests/client/records_test.ts",
  "tests/client/admin_security_test.ts",
];

async function step(title: string, command: string, args: string[], capture = false): Promise<string> {
  console.log(`\n=== ${title}: ${command.replace(root, "")} ${args.join(" ")}`);
  const child = new Deno.Command(command, {
    args,
    cwd: root,
    stdout: capture ? "piped" : "inherit",
    stderr: capture ? "piped" : "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  if (capture) {
    const decoder = new TextDecoder();
    const pump = async (stream: ReadableStream<Uint8Array>, out: { write(b: Uint8Array): unknown }) => {
      for await (const chunk of stream) {
        text += decoder.decode(chunk, { stream: true });
        out.write(chunk);
      }
    };
    await Promise.all([pump(child.stdout, Deno.stdout), pump(child.stderr, Deno.stderr)]);
  }
  const status = await child.status;
  if (!status.success && !capture) {
    console.log(`\n${title} failed\n0 passed, 1 failed`);
    Deno.exit(1);
  }
  return text + (status.success ? "" : "\n__FAILED__");
}

/** Deno's "name => file:line" lines after its FAILURES header, and Bun's "(fail) name" lines. */
function failedTestNames(denoText: string, bunText: string): string[] {
  const names: string[] = [];
  const lines = denoText.split("\n");
  const header = lines.findLastIndex((line) => line.trim() === "FAILURES");
  if (header >= 0) {
    for (const line of lines.slice(header + 2)) {
      if (/ => \S+:\d+:\d+$/.test(line)) names.push(`deno: ${line.trim()}${errorHead(lines, line.trim())}`);
      else if (line.trim() === "" && names.length) break;
    }
  }
  for (const match of bunText.matchAll(/^\(fail\) (.+)$/gm)) names.push(`bun: ${match[1]}`);
  // Bun prints each failure twice: inline and again in its summary.
  return [...new Set(names)];
}

/**
 * The first lines of a Deno test's error, from its ERRORS section (the "name => file:line" line, then the
 * message up to the source excerpt): CI shows only the tail of the output, where a flaky test's cause is
 * otherwise lost.
 */
function errorHead(lines: string[], nameLine: string, maxLines = 24): string {
  const errorsAt = lines.findLastIndex((line) => line.trim() === "ERRORS");
  const start = errorsAt < 0 ? -1 : lines.findIndex((line, i) => i > errorsAt && line.trim() === nameLine);
  if (start < 0) return "";
  const head: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s+at /.test(line) || / => \S+:\d+:\d+$/.test(line) || line.trim() === "FAILURES") break;
    head.push(line);
  }
  const cut = head.length > maxLines ? [...head.slice(0, maxLines), `… ${head.length - maxLines} more lines`] : head;
  return cut.length ? `\n${cut.map((line) => `      ${line}`).join("\n")}` : "";
}

const extra = Deno.args;
await step("generated code is current", Deno.execPath(), ["run", "-A", "scripts/protocol/generate.ts", "--check"]);
await step("type check", Deno.execPath(), ["check", "mod.ts", "src/", "tests/", "scripts/"]);
await step("single executable (bun build --compile)", Deno.execPath(), ["task", "compile:bun"]);
await step("lint", Deno.execPath(), ["lint"]);
await step("formatting", Deno.execPath(), ["fmt", "--check"]);
await step("documentation of mod.ts", Deno.execPath(), ["doc", "--lint", "mod.ts"]);
const denoOut = await step("suite under Deno", Deno.execPath(), [
  "test",
  "-A",
  "--parallel",
  ...(extra.length ? extra : ["tests/"]),
], true);
const bunOut = extra.length
  ? ""
  // bun's default of 5 s per test is a timing target; some of these write hundreds of segments.
  : await step(
    "unit suites under Bun",
    bin("bun"),
    ["test", "--timeout", "120000", ...unitDirs.map((d) => `./${d}`)],
    true,
  );

let passed = 0;
let failed = 0;
let skipped = 0;
// Deno: "ok | 12 passed (40 steps) | 0 failed (3 steps) | 1 ignored"; counts tests and their steps.
const deno =
  /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored(?: \((\d+) steps?\))?)?/
    .exec(denoOut);
if (deno) {
  passed += Number(deno[1]) + Number(deno[2] ?? 0);
  failed += Number(deno[3]) + Number(deno[4] ?? 0);
  skipped += Number(deno[5] ?? 0) + Number(deno[6] ?? 0);
} else failed++;
if (denoOut.includes("__FAILED__") && failed === 0) failed++;
if (!extra.length) {
  const bunPass = /^\s*(\d+) pass$/m.exec(bunOut);
  const bunFail = /^\s*(\d+) fail$/m.exec(bunOut);
  const bunSkip = /^\s*(\d+) skip$/m.exec(bunOut);
  if (bunPass) passed += Number(bunPass[1]);
  if (bunFail) failed += Number(bunFail[1]);
  if (bunSkip) skipped += Number(bunSkip[1]);
  if (!bunPass || (bunOut.includes("__FAILED__") && !bunFail)) failed++;
}
const failures = failedTestNames(denoOut, bunOut);
if (failures.length) {
  // CI shows only the tail of this output: name the failed tests where it is seen.
  console.log(`\nFailed tests:\n${failures.map((name) => `  ${name}`).join("\n")}`);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
Deno.exit(failed === 0 ? 0 : 1);
