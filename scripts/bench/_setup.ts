/**
 * What the benchmark needs before it runs (scripts/bench/bench.ts): the
 * system packages, the C load generator built against librdkafka, and the
 * single executable built from the current source; plus small helpers to
 * pick a port and read a tool's version.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXECUTABLE, ROOT } from "../../tests/integration/_broker.ts";
import { CACHE, DENO, log } from "./_plan.ts";
import { capture } from "./_procs.ts";

export async function installDeps(): Promise<void> {
  if (!await installScript("install-bench-deps.sh", "inherit")) {
    log("WARNING: scripts/install-bench-deps.sh failed; systems whose tools are missing will fail");
  }
}

/** Runs scripts/`name` (its errors to ours); whether it succeeded. */
async function installScript(name: string, stdout: "inherit" | "null"): Promise<boolean> {
  const { code } = await new Deno.Command("bash", {
    args: [path.join(ROOT, "scripts", name)],
    stdout,
    stderr: "inherit",
  }).output();
  return code === 0;
}

/**
 * The current librdkafka: the one the confluent-kafka wheel bundles, in the project's venv
 * (`.cache/venv`, which the Python client tests use too; made by scripts/install-client-deps.sh when
 * `install`). Debian 12's librdkafka is 2.0.2, whose transactional producers poll their clock and hold the
 * load generator's core (docs/benchmarks.md, "W8 and TLS-W1 with the current librdkafka"). Null, with the
 * reason logged, when there is none: the system's librdkafka is used then.
 */
export async function currentLibrdkafka(
  install: boolean,
  venv = path.join(ROOT, ".cache", "venv"),
): Promise<string | null> {
  if (install && !await installScript("install-client-deps.sh", "null")) {
    log("WARNING: scripts/install-client-deps.sh failed");
  }
  const found = wheelLibrdkafka(venv);
  if (!found) log(`WARNING: no confluent-kafka wheel in ${venv}: the system's librdkafka is used`);
  return found;
}

/** `venv`'s confluent_kafka.libs/librdkafka-*.so.1, or null. */
export function wheelLibrdkafka(venv: string): string | null {
  let lib: string | null = null;
  try {
    for (const py of fs.readdirSync(path.join(venv, "lib"))) {
      const dir = path.join(venv, "lib", py, "site-packages", "confluent_kafka.libs");
      const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^librdkafka-.*\.so\.1$/.test(f)) : undefined;
      if (name) lib = path.join(dir, name);
    }
  } catch { /* no venv */ }
  return lib;
}

/**
 * Makes every librdkafka client the bench starts (the load generator, kcat)
 * load `file` instead of the system's librdkafka, through LD_LIBRARY_PATH: a
 * cache directory holding it as librdkafka.so.1, the name they link to. The
 * load generator is built against the system's headers; librdkafka keeps its
 * ABI, so a newer build (e.g. the one in the confluent-kafka wheel,
 * confluent_kafka.libs/librdkafka-*.so.1) runs it unchanged. The version it
 * reports (`loadgen version`) goes into the results.
 */
export function useLibrdkafka(file: string): void {
  const real = fs.realpathSync(file);
  const dir = path.join(CACHE, `librdkafka-${createHash("sha256").update(real).digest("hex").slice(0, 12)}`);
  fs.mkdirSync(dir, { recursive: true });
  const link = path.join(dir, "librdkafka.so.1");
  fs.rmSync(link, { force: true });
  fs.symlinkSync(real, link);
  const before = Deno.env.get("LD_LIBRARY_PATH");
  Deno.env.set("LD_LIBRARY_PATH", before ? `${dir}:${before}` : dir);
  log(`librdkafka clients load ${real} (LD_LIBRARY_PATH=${dir})`);
}

/** Builds scripts/bench/loadgen.c into the cache (once per source version); returns the binary's path. */
export async function buildLoadgen(): Promise<string> {
  const dir = path.join(ROOT, "scripts", "bench");
  const source = path.join(dir, "loadgen.c");
  const flags = ["-O2", "-Wall", "-pthread"];
  // loadgen.c #includes the other loadgen*.c files (one translation unit): all of them make the version
  const sources = fs.readdirSync(dir).filter((name) => name.startsWith("loadgen") && name.endsWith(".c")).sort();
  const digest = createHash("sha256");
  for (const name of sources) digest.update(name).update(fs.readFileSync(path.join(dir, name)));
  const hash = digest.update(flags.join(" ")).digest("hex").slice(0, 16);
  const binary = path.join(CACHE, `loadgen-${hash}`);
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(CACHE, { recursive: true });
  log(`building ${path.relative(ROOT, binary)} (gcc ${flags.join(" ")} -lrdkafka)`);
  const tmp = `${binary}.${Deno.pid}.tmp`;
  await capture("gcc", [...flags, "-o", tmp, source, "-lrdkafka", "-lpthread"]);
  fs.renameSync(tmp, binary);
  for (const old of fs.readdirSync(CACHE)) {
    if (old.startsWith("loadgen-") && old !== path.basename(binary)) fs.rmSync(path.join(CACHE, old), { force: true });
  }
  return binary;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(file));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/**
 * The single executable: dist/tsbroker, built with `deno task compile:bun`
 * when missing. When it is older than src/, the same build goes to the cache
 * instead (dist/ may be in use by a test run), so the numbers are of the
 * current code.
 */
export async function ensureExecutable(): Promise<string> {
  if (!fs.existsSync(EXECUTABLE)) {
    log("building dist/tsbroker (deno task compile:bun)");
    await capture(DENO, ["task", "compile:bun"]);
    return EXECUTABLE;
  }
  if (fs.statSync(EXECUTABLE).mtimeMs >= newestMtime(path.join(ROOT, "src"))) return EXECUTABLE;
  const task = JSON.parse(fs.readFileSync(path.join(ROOT, "deno.json"), "utf8")).tasks["compile:bun"] as string;
  const out = path.join(CACHE, "tsbroker");
  const partial = `${out}.${Deno.pid}.partial`;
  // The task builds into a partial file and renames it (`… --outfile X && mv X dist/tsbroker`):
  // run its build command alone, pointed at the cache, and rename here.
  const [command, ...args] = task.split("&&")[0].trim().split(/\s+/);
  const outfile = args.indexOf("--outfile");
  if (outfile < 0) throw new Error(`compile:bun has no --outfile: ${task}`);
  args[outfile + 1] = partial;
  log(`dist/tsbroker is older than src/: building the same executable into ${path.relative(ROOT, out)}`);
  fs.mkdirSync(CACHE, { recursive: true });
  await capture(path.resolve(ROOT, command), args);
  fs.renameSync(partial, out);
  return out;
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    return (await capture(command, args)).split("\n")[0].trim();
  } catch {
    return "missing";
  }
}
