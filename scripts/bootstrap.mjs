#!/usr/bin/env node
// The README's commands run through here, so that a fresh clone on a machine
// with only Node.js and npm works: install the npm packages (Deno and Bun
// come as npm packages) with `npm ci` when they are missing, then run.
//   node scripts/bootstrap.mjs start [broker args...]  -> the broker under Deno
//   node scripts/bootstrap.mjs test [deno test args...] -> test dependencies + deno task test
//
// package.json runs this with `exec`, so npm's child is this process: npm
// reports our exit status instead of dying of the terminal's SIGINT through an
// intermediate shell (Ctrl-C on `npm start` used to exit 130).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [task = "start", ...rest] = process.argv.slice(2);
// npm runs scripts in the package root and says where the user was in
// INIT_CWD: relative paths the user typed (--config, log.dirs) mean that place.
const callerDir = process.env.INIT_CWD || process.cwd();

const deno = join(root, "node_modules", ".bin", "deno");
const bun = join(root, "node_modules", ".bin", "bun");

/** Bytes under a directory, for the install progress line; best effort. */
function sizeOf(dir) {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop();
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) {
        try {
          total += statSync(full).size;
        } catch { /* removed meanwhile */ }
      }
    }
  }
  return total;
}

/** `npm ci` (never rewrites package-lock.json), with a progress line every few seconds. */
function install() {
  console.error("[bootstrap] first run: installing Deno, Bun and the npm packages with `npm ci` (~250 MB, 10-30 s)");
  const started = Date.now();
  const child = spawn("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const mb = Math.round(sizeOf(join(root, "node_modules")) / 1e6);
    console.error(`[bootstrap] still installing: ${seconds} s, ${mb} MB in node_modules`);
  }, 4000);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      clearInterval(ticker);
      if (code === 0) console.error(`[bootstrap] installed in ${Math.round((Date.now() - started) / 1000)} s`);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (!existsSync(deno) || !existsSync(bun)) {
  const status = await install();
  if (status !== 0) process.exit(status);
}

let command;
let args;
let cwd;
if (task === "test") {
  const status = spawnSync("bash", [join(root, "scripts", "install-test-deps.sh")], { cwd: root, stdio: "inherit" });
  if (status.error) throw status.error;
  if (status.status !== 0) process.exit(status.status ?? 1);
  [command, args, cwd] = [deno, ["task", "--config", join(root, "deno.json"), "test", ...rest], root];
} else if (task === "start") {
  // The broker itself, not `deno task start`: one process fewer between the
  // terminal and the broker, and each signal reaches the broker once.
  const main = join(root, "src", "runtime", "deno", "main.ts");
  [command, args, cwd] = [deno, ["run", "-A", "--config", join(root, "deno.json"), main, ...rest], callerDir];
} else {
  console.error(`[bootstrap] unknown task "${task}" (expected start or test)`);
  process.exit(2);
}

// Forward SIGINT/SIGTERM sent to this process alone (kill <pid>); a Ctrl-C
// reaches the child too, through the terminal's process group, and the
// broker treats a repeated signal as the same request to stop.
const child = spawn(command, args, { cwd, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
// A child that died of a signal it did not handle exits as a shell would report it (128 + signal number).
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
