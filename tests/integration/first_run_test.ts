/**
 * The first minutes of a new user, as the README tells them: `npm start`
 * from wherever they are, Ctrl-C, a port that is taken, a log dir they
 * cannot write, a failed `deno task compile` after `compile:bun`. Each test
 * here would fail if one of the issue-10 problems came back.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { commandFor, ROOT, runCommand, tempDir } from "./_broker.ts";

/** A child in its own process group, so a test can send it a terminal's Ctrl-C (SIGINT to the whole group). */
function spawnGroup(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = new Deno.Command("setsid", {
    args: [command, ...args],
    cwd,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const pump = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      output += chunk;
      for (const w of waiters.filter((w) => w.pattern.test(output))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  return {
    pid: child.pid,
    get output() {
      return output;
    },
    waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
      if (pattern.test(output)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    /** Ctrl-C as a terminal sends it: to every process of the group. */
    interruptGroup: () => runCommand("kill", ["-INT", "--", `-${child.pid}`]),
    killGroup: () => runCommand("kill", ["-KILL", "--", `-${child.pid}`]).catch(() => undefined),
    async status() {
      const status = await child.status;
      await pumped;
      return status;
    },
  };
}

/** Whether a user other than the owner may traverse to `dir` (every directory on the way has o+x). */
function othersCanReach(dir: string): boolean {
  for (let d = dir;; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

describe("npm start, as the README says", () => {
  test("from another directory: relative --config and log.dirs mean that directory; Ctrl-C exits 0, logged once", async () => {
    const caller = tempDir("tsbroker-caller-");
    fs.writeFileSync(
      path.join(caller, "my-broker.toml"),
      `listeners = ["PLAINTEXT://127.0.0.1:0"]\n"log.dirs" = ["./my-data"]\n"tsbroker.metrics.listener" = "127.0.0.1:0"\n`,
    );
    const npm = spawnGroup("npm", ["--prefix", ROOT, "start", "--", "--config", "my-broker.toml"], caller);
    try {
      await npm.waitFor(/Ready for Kafka clients at 127\.0\.0\.1:\d+: try `kcat -L -b 127\.0\.0\.1:\d+`/, 60_000);
      assert.match(npm.output, /tsbroker \d+\.\d+\.\d+ started on deno /);
      assert.ok(fs.existsSync(path.join(caller, "my-data", "meta.properties")), "data dir in the caller's directory");
      await npm.interruptGroup();
      const status = await npm.status();
      assert.equal(status.signal, null, `npm died of ${status.signal}:\n${npm.output}`);
      assert.equal(status.code, 0, npm.output);
      assert.equal(npm.output.match(/Received SIGINT/g)?.length, 1, npm.output);
      assert.match(npm.output, /Shut down cleanly/);
    } finally {
      await npm.killGroup();
      fs.rmSync(caller, { recursive: true, force: true });
    }
  });
});

describe("start-up errors name what to change", () => {
  const [command, base] = commandFor("deno");
  const run = (overrides: Record<string, string>, env: Record<string, string> = {}) =>
    runCommand(command, [...base, ...Object.entries(overrides).flatMap(([k, v]) => ["--override", `${k}=${v}`])], {
      timeoutMs: 60_000,
      env,
    });

  test("a taken metrics port or listener port names the port and the key", async () => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (taken.addr as Deno.NetAddr).port;
    const dataDir = tempDir();
    try {
      const metrics = await run({
        "log.dirs": dataDir,
        listeners: "PLAINTEXT://127.0.0.1:0",
        "tsbroker.metrics.listener": `127.0.0.1:${port}`,
      });
      assert.equal(metrics.code, 1, metrics.stdout + metrics.stderr);
      assert.match(
        metrics.stderr,
        new RegExp(
          `cannot listen on 127\\.0\\.0\\.1:${port} \\(tsbroker\\.metrics\\.listener\\): the port is already in use`,
        ),
      );
      assert.match(metrics.stderr, /--override tsbroker\.metrics\.listener=/);

      const listener = await run({
        "log.dirs": dataDir,
        listeners: `PLAINTEXT://127.0.0.1:${port}`,
        "tsbroker.metrics.listener": "127.0.0.1:0",
      });
      assert.equal(listener.code, 1, listener.stdout + listener.stderr);
      assert.match(
        listener.stderr,
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(listeners\\): the port is already in use`),
      );
      // The failed starts closed the logs: the next start is not a crash recovery.
      assert.doesNotMatch(listener.stdout, /unclean/);
    } finally {
      taken.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("a log dir the broker's user cannot write names the directory, the users and log.dirs", {
    skip: process.getuid?.() !== 0
      ? "needs root to run the broker as another user"
      : !othersCanReach(ROOT)
      ? `another user cannot reach the clone at ${ROOT} (a directory above it is not world-searchable)`
      : false,
  }, async () => {
    const parent = tempDir();
    fs.chmodSync(parent, 0o755);
    // Under Bun, which needs no writable compile cache for the other user.
    const [bun, bunBase] = commandFor("bun");
    try {
      const result = await runCommand("setpriv", [
        "--reuid=65532",
        "--regid=65532",
        "--clear-groups",
        bun,
        ...bunBase,
        "-o",
        `log.dirs=${parent}/data`,
        "-o",
        "listeners=PLAINTEXT://127.0.0.1:0",
        "-o",
        "tsbroker.metrics.listener=",
      ], { timeoutMs: 60_000 });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `log\\.dirs: cannot write to ${parent}/data: the broker runs as uid 65532, and ${parent} belongs to uid 0`,
        ),
      );
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("single executable builds", () => {
  test("a failed `deno task compile` leaves the executable built before in place", async () => {
    // A scratch project sharing src/ and node_modules/, so the real dist/ is never touched.
    const project = tempDir("tsbroker-compile-");
    try {
      fs.copyFileSync(path.join(ROOT, "deno.json"), path.join(project, "deno.json"));
      for (const entry of ["src", "node_modules"]) fs.symlinkSync(path.join(ROOT, entry), path.join(project, entry));
      fs.mkdirSync(path.join(project, "dist"));
      const previous = path.join(project, "dist", "tsbroker");
      fs.copyFileSync("/bin/true", previous);
      const before = fs.readFileSync(previous);
      // DENORT_BIN pointing nowhere makes `deno compile` fail the same way on every machine.
      const result = await runCommand(path.join(ROOT, "node_modules", ".bin", "deno"), [
        "task",
        "--config",
        path.join(project, "deno.json"),
        "compile",
      ], {
        timeoutMs: 120_000,
        env: { DENORT_BIN: path.join(project, "no-such-denort"), NO_COLOR: "1" },
      });
      assert.notEqual(result.code, 0, "compile was expected to fail");
      assert.ok(fs.existsSync(previous), "dist/tsbroker was deleted");
      assert.deepEqual(fs.readFileSync(previous), before);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
