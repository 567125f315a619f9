/**
 * The console's logins without a broker: the session store on a fake clock
 * (idle expiry, the least recently used session ended at the bound, each
 * ended session's client closed), the session cookie, which listener and
 * authorizer combinations need a login and over what, and the login, session
 * and logout endpoints over a fake client whose DescribeCluster accepts or
 * refuses the password.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import type { Admin } from "../../src/client/admin.ts";
import { KafkaClientError } from "../../src/client/errors.ts";
import type { ClientOptions } from "../../src/client/network_client.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import type { HttpRequestInfo } from "../../src/runtime/types.ts";
import { type ListenerFacts, planAccess } from "../../src/supervisor/console/access.ts";
import { HttpError } from "../../src/supervisor/console/http_error.ts";
import { type BrokerClient, ConsoleAuth, MAX_SESSIONS, SESSION_IDLE_MS } from "../../src/supervisor/console/login.ts";
import {
  clearedCookie,
  SESSION_COOKIE,
  sessionCookie,
  sessionIdOf,
  SessionStore,
} from "../../src/supervisor/console/sessions.ts";

class Value {
  closed = 0;
  close(): Promise<void> {
    this.closed++;
    return Promise.resolve();
  }
}

test("sessions expire after the idle time, counted from their last use", () => {
  let now = 1_000_000;
  const store = new SessionStore<Value>(1000, 64, () => now);
  const [a, b] = [new Value(), new Value()];
  const idA = store.create("alice", a);
  const idB = store.create("bob", b);
  assert.match(idA, /^[A-Za-z0-9_-]{43}$/, "256 random bits, base64url");
  assert.notEqual(idA, idB);
  now += 600;
  assert.equal(store.get(idA)?.user, "alice"); // restarts alice's clock
  now += 600; // bob idle 1200 ms, alice 600 ms
  assert.equal(store.get(idB), null);
  assert.equal(b.closed, 1, "the expired session's client is closed");
  assert.equal(store.get(idA)?.value, a);
  now += 1000;
  assert.equal(store.get(idA), null);
  assert.equal(a.closed, 1);
  assert.equal(store.size, 0);
  assert.equal(store.get(null), null);
  assert.equal(store.get("unknown"), null);
});

test("at the bound the least recently used session ends; end and closeAll close each value once", async () => {
  let now = 0;
  const store = new SessionStore<Value>(60_000, 3, () => now);
  const values = [new Value(), new Value(), new Value(), new Value()];
  const ids = values.slice(0, 3).map((v, i) => {
    now++;
    return store.create(`u${i}`, v);
  });
  now++;
  store.get(ids[0]); // u0 used last: u1 is now the least recently used
  const id3 = store.create("u3", values[3]);
  assert.equal(store.size, 3);
  assert.equal(values[1].closed, 1);
  assert.equal(store.get(ids[1]), null);
  assert.deepEqual([values[0].closed, values[2].closed, values[3].closed], [0, 0, 0]);
  await store.end(id3);
  await store.end(id3); // unknown now: nothing closed twice
  assert.equal(values[3].closed, 1);
  await store.closeAll();
  assert.deepEqual(values.map((v) => v.closed), [1, 1, 1, 1]);
  assert.equal(store.size, 0);
});

test("the session cookie: parsed among others, HttpOnly, SameSite=Strict, only for /console", () => {
  assert.equal(sessionIdOf(`a=1; ${SESSION_COOKIE}=abc_-1; b=2`), "abc_-1");
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=xyz`), "xyz");
  assert.equal(sessionIdOf(`x${SESSION_COOKIE}=nope; other=1`), null);
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=`), null);
  assert.equal(sessionIdOf(null), null);
  assert.equal(sessionIdOf(""), null);
  const set = sessionCookie("abc").split("; ");
  assert.equal(set[0], `${SESSION_COOKIE}=abc`);
  for (const attribute of ["HttpOnly", "SameSite=Strict", "Path=/console"]) assert.ok(set.includes(attribute));
  const cleared = clearedCookie().split("; ");
  assert.equal(cleared[0], `${SESSION_COOKIE}=`);
  assert.ok(cleared.includes("Max-Age=0") && cleared.includes("Path=/console"));
});

const STANDARD = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
const PLAIN_L: ListenerFacts = { name: "PLAINTEXT", securityProtocol: "PLAINTEXT", host: "127.0.0.1", port: 9092 };
const SASL_L: ListenerFacts = {
  name: "SASL",
  securityProtocol: "SASL_PLAINTEXT",
  host: "0.0.0.0",
  port: 9094,
  mechanisms: ["OAUTHBEARER", "PLAIN", "SCRAM-SHA-512"],
};
const SSL_L: ListenerFacts = {
  name: "SECURE",
  securityProtocol: "SASL_SSL",
  host: "broker.example",
  port: 9095,
  mechanisms: ["SCRAM-SHA-256"],
  caPem: "-----BEGIN CERTIFICATE-----\n...",
};

test("login is needed with an authorizer or without a PLAINTEXT listener, over SASL_PLAINTEXT first", () => {
  assert.deepEqual(planAccess("", [PLAIN_L, SASL_L]), {
    kind: "open",
    client: { bootstrapServers: ["127.0.0.1:9092"] },
  });
  assert.deepEqual(planAccess(STANDARD, [PLAIN_L, SSL_L, SASL_L]), {
    kind: "login",
    client: { bootstrapServers: ["127.0.0.1:9094"] },
    listener: "SASL",
    mechanisms: ["PLAIN", "SCRAM-SHA-512"], // OAUTHBEARER needs a token, not a password
  });
  // No PLAINTEXT listener, no authorizer: still a login (nothing else can connect). SASL_SSL trusts the
  // broker's own certificates and connects to the advertised host its certificate names.
  assert.deepEqual(planAccess("", [SSL_L]), {
    kind: "login",
    client: { bootstrapServers: ["broker.example:9095"], tls: { ca: SSL_L.caPem } },
    listener: "SECURE",
    mechanisms: ["SCRAM-SHA-256"],
  });
  // A SASL listener enabling only OAUTHBEARER is passed over for one with a password mechanism.
  const oauthOnly = { ...SASL_L, mechanisms: ["OAUTHBEARER"] };
  assert.equal((planAccess(STANDARD, [oauthOnly, SSL_L]) as { listener: string }).listener, "SECURE");
});

test("login needed but impossible: the reason names what to configure", () => {
  const onlyPlain = planAccess(STANDARD, [PLAIN_L]);
  assert.equal(onlyPlain.kind, "unavailable");
  const reason = (onlyPlain as { reason: string }).reason;
  assert.match(reason, /authorizer\.class\.name=.*StandardAuthorizer/);
  assert.match(reason, /needs a SASL listener \(SASL_PLAINTEXT or SASL_SSL\)/);
  assert.match(reason, /only PLAINTEXT \(PLAINTEXT\)/);
  assert.match(reason, /sasl\.enabled\.mechanisms/);
  const onlySsl = planAccess("", [{ name: "TLS", securityProtocol: "SSL", host: "h", port: 1 }]);
  assert.match((onlySsl as { reason: string }).reason, /no PLAINTEXT listener.*needs a SASL listener.*TLS \(SSL\)/);
  const oauth = planAccess(STANDARD, [{ ...SASL_L, mechanisms: ["OAUTHBEARER"] }]);
  assert.match((oauth as { reason: string }).reason, /no SASL listener enables PLAIN or SCRAM \(SASL: OAUTHBEARER\)/);
});

/** A fake client factory: DescribeCluster succeeds when the password matches, else fails as the broker does. */
function fakeBroker(passwords: Record<string, string>) {
  const made: { options: ClientOptions; closed: boolean }[] = [];
  let hold: Promise<void> | null = null;
  const connect = (options: ClientOptions): BrokerClient => {
    const record = { options, closed: false };
    made.push(record);
    const admin = {
      describeCluster: async () => {
        if (hold) await hold;
        if (options.sasl && passwords[options.sasl.username!] !== options.sasl.password) {
          throw new KafkaClientError(ErrorCode.SASL_AUTHENTICATION_FAILED, "Invalid username or password", false);
        }
        return { clusterId: "c" };
      },
    } as unknown as Admin;
    return {
      admin,
      options,
      close: () => {
        record.closed = true;
        return Promise.resolve();
      },
    };
  };
  return { made, connect, holdProbes: (p: Promise<void> | null) => (hold = p) };
}

function request(method: string, body?: unknown, cookie?: string, contentType = "application/json"): HttpRequestInfo {
  const headers = new Headers(cookie ? { cookie } : {});
  return {
    method,
    query: "",
    body: body === undefined ? "" : JSON.stringify(body),
    contentType: body === undefined ? "" : contentType,
    headers,
  };
}

const LOGIN_PLAN = planAccess(STANDARD, [SASL_L]);

test("login: a refused password keeps nothing; an accepted one gets a cookie naming a session", async () => {
  const broker = fakeBroker({ alice: "pw" });
  const auth = new ConsoleAuth(LOGIN_PLAN, broker.connect);
  let answer = await auth.route(["session"], request("GET"))!;
  assert.deepEqual(JSON.parse(answer.body), {
    loginRequired: true,
    mechanisms: ["PLAIN", "SCRAM-SHA-512"],
    listener: "SASL",
    user: null,
  });
  assert.throws(() => auth.client(request("GET")), (e) => e instanceof HttpError && e.status === 401);

  const wrong = auth.route(["login"], request("POST", { username: "alice", password: "nope", mechanism: "PLAIN" }))!;
  await assert.rejects(wrong, (e) => e instanceof HttpError && e.status === 401 && /Invalid username/.test(e.message));
  assert.equal(broker.made.length, 1);
  assert.equal(broker.made[0].closed, true, "the refused login's client is closed");

  answer = await auth.route(["login"], request("POST", { username: "alice", password: "pw" }))!;
  assert.equal(answer.status, 200);
  assert.deepEqual(JSON.parse(answer.body), { user: "alice", mechanism: "PLAIN" }, "the first mechanism by default");
  assert.deepEqual(broker.made[1].options.sasl, { mechanism: "PLAIN", username: "alice", password: "pw" });
  assert.deepEqual(broker.made[1].options.bootstrapServers, ["127.0.0.1:9094"]);
  const cookie = answer.headers!["set-cookie"].split(";")[0];
  assert.equal(auth.client(request("GET", undefined, cookie)).options, broker.made[1].options);
  answer = await auth.route(["session"], request("GET", undefined, cookie))!;
  assert.equal(JSON.parse(answer.body).user, "alice");

  answer = await auth.route(["logout"], request("POST", undefined, cookie))!;
  assert.match(answer.headers!["set-cookie"], /Max-Age=0/);
  assert.equal(broker.made[1].closed, true);
  assert.throws(
    () => auth.client(request("GET", undefined, cookie)),
    (e) => e instanceof HttpError && e.status === 401,
  );
  await auth.close();
});

test("login input is checked before the broker is asked; concurrent probes are bounded", async () => {
  const broker = fakeBroker({ alice: "pw" });
  const auth = new ConsoleAuth(LOGIN_PLAN, broker.connect);
  const refusal = async (req: HttpRequestInfo, status: number, pattern: RegExp) => {
    await assert.rejects(
      auth.route(["login"], req)!,
      (e) => e instanceof HttpError && e.status === status && pattern.test(e.message),
    );
  };
  await refusal(request("POST", { username: "alice", password: "pw" }, undefined, "text/plain"), 415, /JSON/);
  await refusal(request("POST", { username: "", password: "pw" }), 400, /username/);
  await refusal(request("POST", { username: "alice" }), 400, /password/);
  await refusal(
    request("POST", { username: "alice", password: "pw", mechanism: "OAUTHBEARER" }),
    400,
    /PLAIN, SCRAM-SHA-512/,
  );
  assert.equal((await auth.route(["login"], request("GET"))!).status, 405);
  assert.equal(broker.made.length, 0);

  let release = () => {};
  broker.holdProbes(new Promise((resolve) => (release = resolve)));
  const pending = Array.from(
    { length: 8 },
    () => auth.route(["login"], request("POST", { username: "alice", password: "x" }))!,
  );
  await refusal(request("POST", { username: "alice", password: "pw" }), 429, /too many logins/);
  release();
  for (const p of pending) await assert.rejects(p, (e) => e instanceof HttpError && e.status === 401);
  assert.ok(broker.made.every((m) => m.closed));
  await auth.close();
});

test("sessions are bounded and expire: the oldest user's client is closed", async () => {
  let now = 0;
  const broker = fakeBroker({ u: "pw" });
  const auth = new ConsoleAuth(LOGIN_PLAN, broker.connect, () => now);
  const cookies: string[] = [];
  for (let i = 0; i <= MAX_SESSIONS; i++) {
    now++;
    const answer = await auth.route(["login"], request("POST", { username: "u", password: "pw" }))!;
    cookies.push(answer.headers!["set-cookie"].split(";")[0]);
  }
  assert.equal(broker.made[0].closed, true, "the 65th login ended the least recently used session");
  assert.equal(broker.made.filter((m) => m.closed).length, 1);
  assert.throws(() => auth.client(request("GET", undefined, cookies[0])));
  auth.client(request("GET", undefined, cookies[1]));
  now += SESSION_IDLE_MS + 1;
  assert.throws(() => auth.client(request("GET", undefined, cookies[1])));
  assert.ok(broker.made.every((m) => m.closed), "every idle session's client closed");
  await auth.close();
});

test("without security one shared client and no login; login needed but impossible answers 503", async () => {
  const broker = fakeBroker({});
  const open = new ConsoleAuth(planAccess("", [PLAIN_L]), broker.connect);
  const answer = await open.route(["session"], request("GET"))!;
  assert.deepEqual(JSON.parse(answer.body), { loginRequired: false, mechanisms: [], user: null });
  assert.equal(open.client(request("GET")), open.client(request("GET")));
  assert.equal(broker.made.length, 1);
  assert.equal(broker.made[0].options.sasl, undefined);
  await open.close();
  assert.equal(broker.made[0].closed, true);

  const none = new ConsoleAuth(planAccess(STANDARD, [PLAIN_L]), broker.connect);
  assert.throws(() => none.client(request("GET")), (e) => e instanceof HttpError && e.status === 503);
  await assert.rejects(
    none.route(["login"], request("POST", { username: "a", password: "b" }))!,
    (e) => e instanceof HttpError && e.status === 503,
  );
  assert.match(JSON.parse((await none.route(["session"], request("GET"))!).body).unavailable, /SASL listener/);
  assert.equal(none.route(["topics"], request("GET")), null);
});
