#!/usr/bin/env node
// The README's commands run through here, so that a fresh clone on a machine
// with only Node.js and npm works: install the npm packages (Deno and Bun
// come as npm packages) when they are missing, then run the Deno task.
//   node scripts/bootstrap.mjs start [broker args...]  -> deno task start
//   node scripts/bootstrap.mjs test                   -> test dependencies + deno task test
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [task = "start", ...rest] = process.argv.slice(2);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const deno = join(root, "node_modules", ".bin", "deno");
const bun = join(root, "node_modules", ".bin", "bun");
if (!existsSync(deno) || !existsSync(bun)) {
  console.error("[bootstrap] installing npm packages (deno, bun, msgpackr, ...)");
  const status = run("npm", ["install", "--no-audit", "--no-fund"]);
  if (status !== 0) process.exit(status);
}

if (task === "test") {
  const status = run("bash", [join(root, "scripts", "install-test-deps.sh")]);
  if (status !== 0) process.exit(status);
}

// Forward SIGINT/SIGTERM to the task (the broker) so it can shut down
// gracefully, and exit with its status.
const child = spawn(deno, ["task", task, ...rest], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
