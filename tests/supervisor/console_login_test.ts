/**
 * The web console's login against broker processes with security (issue 16):
 * a SASL_PLAINTEXT listener only, PLAIN (JAAS users) and SCRAM-SHA-256 (a user
 * created through AlterUserScramCredentials), the StandardAuthorizer with a
 * super user and a user allowed READ and DESCRIBE on topics prefixed `a-`.
 * Without a session every API call is 401; a wrong password is 401 and sets
 * no cookie; each user sees what the broker's ACLs let them see and is
 * refused (403, the broker's message) what they may not do; two sessions are
 * independent; logout expires the cookie. A broker with an authorizer but no
 * SASL listener answers 503 naming what to configure; one with only a
 * SASL_SSL listener is logged in to over TLS, trusting the broker's own
 * certificates. The console without
 * security (no login) is console_test.ts's.
 */
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { securedBroker, STANDARD_AUTHORIZER } from "../integration/_console_secured.ts";
import { makeTestCerts } from "../network/tls/_certs.ts";
import { type RawAnswer, rawRequest } from "./_console_http.ts";

/** Brokers start through Deno.Command; scripts/test.ts also runs tests/supervisor under `bun test`, which skips these. */
const DENO_ONLY = {
  skip: typeof (globalThis as { Deno?: unknown }).Deno === "undefined" ? "starts brokers through Deno" : false,
};

const STANDARD = STANDARD_AUTHORIZER;

/** One API call as the console's page makes it: its session cookie, and an Origin on changes. */
function api(broker: BrokerProcess, method: string, path: string, cookie?: string, body?: unknown): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (method !== "GET") headers.origin = `http://127.0.0.1:${broker.metricsPort}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return rawRequest(
    broker.metricsPort,
    method,
    `/console/api/${path}`,
    headers,
    body === undefined ? "" : JSON.stringify(body),
  );
}

/** Logs in and returns the cookie to send ("name=value"). */
async function login(broker: BrokerProcess, username: string, password: string, mechanism: string): Promise<string> {
  const r = await api(broker, "POST", "login", undefined, { username, password, mechanism });
  assert.equal(r.status, 200, `login as ${username}: ${r.body}`);
  assert.deepEqual(r.json, { user: username, mechanism });
  const cookie = r.headers.get("set-cookie") ?? "";
  const attributes = cookie.split(/;\s*/);
  assert.match(attributes[0], /^tsbroker_console_session=[A-Za-z0-9_-]{43}$/);
  for (const a of ["HttpOnly", "SameSite=Strict", "Path=/console"]) assert.ok(attributes.includes(a), cookie);
  return attributes[0];
}

async function topicNames(broker: BrokerProcess, cookie: string): Promise<string[]> {
  const r = await api(broker, "GET", "topics", cookie);
  assert.equal(r.status, 200, r.body);
  return (r.json as { name: string; internal: boolean }[]).filter((t) => !t.internal).map((t) => t.name);
}

describe("console login: SASL_PLAINTEXT, StandardAuthorizer, a super user and a limited user", DENO_ONLY, () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await securedBroker("deno");
  });
  after(async () => await broker?.stop());

  test("without a session: the page loads, the session says login, every other call is 401", async () => {
    const page = await rawRequest(broker.metricsPort, "GET", "/console/");
    assert.equal(page.status, 200);
    const session = await api(broker, "GET", "session");
    assert.deepEqual(session.json, {
      loginRequired: true,
      mechanisms: ["PLAIN", "SCRAM-SHA-256"],
      listener: "SASL_PLAINTEXT",
      user: null,
    });
    for (const path of ["overview", "topics", "topics/a-one", "groups", "config"]) {
      const r = await api(broker, "GET", path);
      assert.deepEqual([r.status, r.json], [401, { error: "login required" }], path);
    }
    const create = await api(broker, "POST", "topics", undefined, { name: "sneaky" });
    assert.deepEqual([create.status, create.json], [401, { error: "login required" }]);
    const forged = await api(broker, "GET", "topics", "tsbroker_console_session=made-up");
    assert.equal(forged.status, 401);
  });

  test("a wrong password is 401 with the broker's message and sets no cookie; login needs an Origin", async () => {
    for (
      const [username, mechanism] of [["limited", "SCRAM-SHA-256"], ["admin", "PLAIN"], ["nobody", "SCRAM-SHA-256"]]
    ) {
      const r = await api(broker, "POST", "login", undefined, { username, password: "wrong", mechanism });
      assert.equal(r.status, 401, `${username}: ${r.body}`);
      assert.match(r.json.error, /SASL_AUTHENTICATION_FAILED/);
      assert.ok(!r.body.includes("wrong"), "the password is not echoed");
      assert.equal(r.headers.get("set-cookie"), undefined);
    }
    const noOrigin = await rawRequest(broker.metricsPort, "POST", "/console/api/login", {
      "content-type": "application/json",
    }, JSON.stringify({ username: "admin", password: "admin-secret", mechanism: "PLAIN" }));
    assert.equal(noOrigin.status, 403);
    assert.equal(noOrigin.headers.get("set-cookie"), undefined);
    const oauth = await api(broker, "POST", "login", undefined, {
      username: "a",
      password: "b",
      mechanism: "OAUTHBEARER",
    });
    assert.equal(oauth.status, 400);
  });

  test("each user sees what the ACLs allow; refusals are 403; sessions are independent; logout ends one", async () => {
    const adminCookie = await login(broker, "admin", "admin-secret", "PLAIN");
    assert.deepEqual(await topicNames(broker, adminCookie), ["a-one", "a-two", "b-secret"]);
    assert.equal((await api(broker, "GET", "session", adminCookie)).json.user, "admin");
    assert.equal((await api(broker, "GET", "config", adminCookie)).status, 200);

    const limitedCookie = await login(broker, "limited", "limited-pw", "SCRAM-SHA-256");
    assert.deepEqual(await topicNames(broker, limitedCookie), ["a-one", "a-two"]);
    assert.equal((await api(broker, "GET", "session", limitedCookie)).json.user, "limited");
    const records = await api(broker, "GET", "topics/a-one/records?partition=0&limit=5", limitedCookie);
    assert.equal(records.status, 200, records.body);
    assert.deepEqual(records.json.records.map((r: { value: string }) => r.value), ["hello from a-one"]);
    assert.equal((await api(broker, "GET", "topics/b-secret", limitedCookie)).status, 404);

    const create = await api(broker, "POST", "topics", limitedCookie, { name: "a-new", partitions: 1 });
    assert.equal(create.status, 403, create.body);
    assert.match(create.json.error, /AUTHORIZATION_FAILED/);
    const config = await api(broker, "GET", "config", limitedCookie);
    assert.equal(config.status, 403, config.body);
    assert.match(config.json.error, /CLUSTER_AUTHORIZATION_FAILED/);

    // The other session is untouched by the limited user's: the admin still sees and may do everything.
    assert.deepEqual(await topicNames(broker, adminCookie), ["a-one", "a-two", "b-secret"]);
    const made = await api(broker, "POST", "topics", adminCookie, { name: "a-new", partitions: 1 });
    assert.equal(made.status, 200, made.body);
    assert.deepEqual(await topicNames(broker, limitedCookie), ["a-new", "a-one", "a-two"]);

    const out = await api(broker, "POST", "logout", limitedCookie);
    assert.equal(out.status, 200);
    assert.match(out.headers.get("set-cookie") ?? "", /^tsbroker_console_session=;.*Max-Age=0/);
    assert.equal((await api(broker, "GET", "topics", limitedCookie)).status, 401);
    assert.equal((await api(broker, "GET", "session", limitedCookie)).json.user, null);
    assert.deepEqual(await topicNames(broker, adminCookie), ["a-new", "a-one", "a-two", "b-secret"]);
    assert.equal((await api(broker, "POST", "logout", adminCookie)).status, 200);
    assert.equal((await api(broker, "GET", "overview", adminCookie)).status, 401);
  });
});

test("console login: an authorizer without a SASL listener answers 503 naming what to add", DENO_ONLY, async () => {
  const broker = await startBroker("deno", {
    overrides: { "authorizer.class.name": STANDARD, "super.users": "User:ANONYMOUS" },
  });
  try {
    const overview = await api(broker, "GET", "overview");
    assert.equal(overview.status, 503);
    assert.match(overview.json.error, /authorizer\.class\.name.*needs a SASL listener \(SASL_PLAINTEXT or SASL_SSL\)/);
    const login = await api(broker, "POST", "login", undefined, { username: "a", password: "b" });
    assert.equal(login.status, 503);
    const session = await api(broker, "GET", "session");
    assert.equal(session.status, 200);
    assert.equal(session.json.loginRequired, true);
    assert.match(session.json.unavailable, /SASL listener/);
  } finally {
    await broker.stop();
  }
});

test(
  "console login over SASL_SSL, the only listener: the console trusts the broker's certificates",
  DENO_ONLY,
  async () => {
    const certs = makeTestCerts();
    const broker = await startBroker("deno", {
      overrides: {
        listeners: "SASL_SSL://127.0.0.1:0",
        "sasl.enabled.mechanisms": "PLAIN",
        "listener.name.sasl_ssl.plain.sasl.jaas.config":
          'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";',
        "ssl.keystore.location": certs.serverStore,
        "ssl.truststore.location": certs.caPem,
      },
    });
    try {
      const session = await api(broker, "GET", "session");
      assert.deepEqual(session.json, { loginRequired: true, mechanisms: ["PLAIN"], listener: "SASL_SSL", user: null });
      assert.equal((await api(broker, "GET", "topics")).status, 401);
      const wrong = await api(broker, "POST", "login", undefined, {
        username: "admin",
        password: "x",
        mechanism: "PLAIN",
      });
      assert.equal(wrong.status, 401, wrong.body);
      const cookie = await login(broker, "admin", "admin-secret", "PLAIN");
      assert.equal((await api(broker, "POST", "topics", cookie, { name: "over-tls" })).status, 403, "read-only");
      assert.deepEqual(await topicNames(broker, cookie), []);
    } finally {
      await broker.stop();
      certs.remove();
    }
  },
);

test("console login under Bun: the session cookie round-trips and the user's ACLs apply", DENO_ONLY, async () => {
  const broker = await securedBroker("bun");
  try {
    assert.equal((await api(broker, "GET", "topics")).status, 401);
    const cookie = await login(broker, "limited", "limited-pw", "SCRAM-SHA-256");
    assert.deepEqual(await topicNames(broker, cookie), ["a-one", "a-two"]);
    const out = await api(broker, "POST", "logout", cookie);
    assert.match(out.headers.get("set-cookie") ?? "", /Max-Age=0/);
    assert.equal((await api(broker, "GET", "topics", cookie)).status, 401);
  } finally {
    await broker.stop();
  }
});
