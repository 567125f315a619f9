/**
 * The web console's login in headless Chromium against a broker with
 * security (_console_secured.ts): the page opens on a login form offering the
 * listener's mechanisms; a wrong password shows the broker's refusal and stays
 * there; the limited user, logged in with SCRAM-SHA-256, sees only the topics
 * its ACLs allow, is shown the broker's refusal when creating one, and has its
 * name and a logout link in the header; the session cookie is HttpOnly; after
 * logout every page is the login form again.
 *
 * Skipped, as console_browser_test.ts, when no chromium is found (except in CI).
 */
import * as assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { chromiumFor } from "./_chromium.ts";
import { securedBroker } from "./_console_secured.ts";

const { executablePath, skip } = chromiumFor("console_login_browser_test.ts");

function loaded(page: Page, name: string): Promise<unknown> {
  return page.waitForSelector(`body[data-page="${name}"][data-loaded="true"]`, { timeout: 15_000 });
}

async function submitLogin(page: Page, user: string, password: string, mechanism: string): Promise<void> {
  await page.fill("#login input[name=username]", user);
  await page.fill("#login input[name=password]", password);
  await page.selectOption("#login select[name=mechanism]", mechanism);
  await page.click("#login button");
}

Deno.test({
  name: "console login in headless Chromium: form, refused password, a limited user's view, logout",
  ignore: skip !== null,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const broker = await securedBroker("deno");
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: executablePath!, headless: true, args: ["--no-sandbox"] });
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.accept();
    });
    const base = `http://127.0.0.1:${broker.metricsPort}/console/`;

    await page.goto(`${base}#/topics`);
    await loaded(page, "login");
    const offered = await page.$$eval("#login select[name=mechanism] option", (os) => os.map((o) => o.textContent));
    assert.deepEqual(offered, ["PLAIN", "SCRAM-SHA-256"]);
    assert.equal(await page.textContent("#who"), "");

    await submitLogin(page, "limited", "not-the-password", "SCRAM-SHA-256");
    await page.waitForSelector("#login-error.error", { timeout: 15_000 });
    assert.match(await page.textContent("#login-error") ?? "", /SASL_AUTHENTICATION_FAILED/);
    assert.equal(await page.inputValue("#login input[name=password]"), "", "the refused password is cleared");
    assert.deepEqual(await context.cookies(), []);

    await submitLogin(page, "limited", "limited-pw", "SCRAM-SHA-256");
    await loaded(page, "topics"); // back to the page asked for
    assert.equal(await page.textContent("#user"), "limited");
    const topics = await page.textContent("#topics") ?? "";
    assert.match(topics, /a-one/);
    assert.match(topics, /a-two/);
    assert.doesNotMatch(topics, /b-secret/);
    const [cookie] = await context.cookies();
    assert.equal(cookie.name, "tsbroker_console_session");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");
    assert.equal(await page.evaluate(() => document.cookie), "", "scripts cannot read the session");

    await page.fill("#create-topic input[name=name]", "a-mine");
    await page.click("#create-topic button");
    await page.waitForSelector("main .error", { timeout: 15_000 });
    assert.match(await page.textContent("main .error") ?? "", /AUTHORIZATION_FAILED/);
    assert.deepEqual(dialogs, ["Create topic 'a-mine' with 1 partition(s)?"]);

    await page.goto(`${base}#/records?topic=a-one&partition=0`);
    await loaded(page, "records");
    assert.match(await page.textContent("#records") ?? "", /hello from a-one/);

    await page.click("#logout");
    await loaded(page, "login");
    assert.equal(await page.textContent("#who"), "");
    assert.deepEqual(await context.cookies(), []);
    await page.goto(`${base}#/groups`);
    await loaded(page, "login");
  } finally {
    await browser?.close();
    await broker.stop();
  }
});
