/**
 * The web console in headless Chromium (Debian's chromium driven by
 * playwright-core), against a broker process that allows changes: every page
 * loads, a topic is created from the Topics page (confirming the dialog),
 * records produced by the CLI (`tsbroker produce`) appear in the record
 * browser, a group's lag rises when records arrive and falls to zero once
 * `tsbroker consume -g` has read them, and the topic is deleted from the page.
 * Screenshots go to a temporary directory whose paths are printed.
 *
 * Skipped with its reason when no chromium is found (CHROMIUM_PATH, or
 * chromium / chromium-browser on PATH), except in CI (CI=true), where
 * scripts/install-test-deps.sh installs it and a missing browser fails.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { chromiumFor } from "./_chromium.ts";
import { type BrokerProcess, ROOT, runCommand, startBroker } from "./_broker.ts";

const { executablePath, skip } = chromiumFor("console_browser_test.ts");

const DENO = path.join(ROOT, "node_modules", ".bin", "deno");

/** Runs the CLI in the same executable's Deno entry point against the broker. */
async function cli(broker: BrokerProcess, args: string[], input?: string): Promise<string> {
  const r = await runCommand(
    DENO,
    ["run", "-A", path.join(ROOT, "src/runtime/deno/main.ts"), ...args, "-b", broker.bootstrap],
    { input },
  );
  assert.equal(r.code, 0, `tsbroker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Opens a console route and waits until its data is on the page. */
async function open(page: Page, base: string, route: string, name: string): Promise<void> {
  const url = `${base}#/${route}`;
  // The same URL again is no navigation at all (not even hashchange): reload to see fresh data.
  if (page.url() === url) await page.reload();
  else await page.goto(url);
  await page.waitForSelector(`body[data-page="${name}"][data-loaded="true"]`, { timeout: 15_000 });
  const error = await page.$(".error");
  assert.equal(error ? await error.textContent() : null, null, `#/${route} shows an error`);
}

Deno.test({
  name: "console in headless Chromium: pages, create topic, CLI records seen, lag falls to zero, delete topic",
  ignore: skip !== null,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const shots = fs.mkdtempSync(path.join(Deno.env.get("TMPDIR") ?? "/tmp", "tsbroker-console-shots-"));
  const broker = await startBroker("deno", { overrides: { "tsbroker.console.allow.changes": true } });
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: executablePath!, headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.accept();
    });
    const base = `http://127.0.0.1:${broker.metricsPort}/console/`;
    const shot = async (name: string) => {
      const file = path.join(shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`screenshot: ${file}`);
    };

    await open(page, base, "", "overview");
    assert.match(await page.textContent("main") ?? "", /tsbroker \d+\.\d+\.\d+ on deno/);
    assert.ok(await page.$("svg.chart polyline.in"), "the throughput chart is drawn");

    await open(page, base, "topics", "topics");
    await page.fill("#create-topic input[name=name]", "clicks");
    await page.fill("#create-topic input[name=partitions]", "2");
    await page.click("#create-topic button");
    await page.waitForSelector("#topics a[href='#/topic/clicks']", { timeout: 15_000 });
    assert.deepEqual(dialogs, ["Create topic 'clicks' with 2 partition(s)?"]);
    await shot("topics");

    await cli(broker, ["produce", "clicks", "-p", "0"], 'hello from the cli\n{"user":"ada","n":1}\n');
    await open(page, base, "topic/clicks", "topic");
    const partitions = await page.textContent("#partitions") ?? "";
    assert.match(partitions, /Browse/);
    assert.match(partitions, /\d+ B/, "partition sizes are shown");
    await open(page, base, "records?topic=clicks&partition=0&format=text", "records");
    const records = await page.textContent("#records") ?? "";
    assert.match(records, /hello from the cli/);
    assert.match(records, /\{"user":"ada","n":1\}/);
    await page.selectOption("#records-form select[name=format]", "json");
    await page.click("#records-form button");
    await page.waitForFunction(() => location.hash.includes("format=json"));
    await page.waitForSelector('body[data-page="records"][data-loaded="true"]');
    assert.match(await page.textContent("#records") ?? "", /"user": "ada"/);
    await shot("records");

    await cli(broker, ["consume", "clicks", "-g", "readers", "-e"]);
    await cli(broker, ["produce", "clicks", "-p", "1"], "a\nb\nc\n");
    await open(page, base, "groups", "groups");
    assert.match(await page.textContent("#groups") ?? "", /readers/);
    await open(page, base, "group/readers", "group");
    assert.equal(await page.textContent("#total-lag"), "3");
    await shot("group-lag");
    await cli(broker, ["consume", "clicks", "-g", "readers", "-e"]);
    await open(page, base, "group/readers", "group");
    assert.equal(await page.textContent("#total-lag"), "0");
    await shot("group-caught-up");

    await open(page, base, "config", "config");
    assert.match(await page.textContent("#config") ?? "", /num\.partitions/);
    await shot("config");

    await open(page, base, "topics", "topics");
    await page.click("button[data-delete=clicks]");
    await page.waitForFunction(() => !document.querySelector("button[data-delete=clicks]"), null, { timeout: 15_000 });
    assert.match(dialogs[dialogs.length - 1], /^Delete topic 'clicks'/);
    await open(page, base, "", "overview");
    await shot("overview");
  } finally {
    await browser?.close();
    await broker.stop();
  }
});
