/**
 * Who the console talks to the broker as. Without security, one shared client
 * for everybody. With it (see access.ts), each user logs in: POST login makes
 * a client with the user's SASL credentials and asks the broker something
 * (DescribeCluster, which needs no ACL) so a wrong password fails here, with
 * the broker's message, rather than on the first page. A login that works
 * gets a session (sessions.ts) owning that client, named by an HttpOnly
 * cookie; every later call runs on it, so the broker's ACLs decide what each
 * user sees. A failed login keeps nothing: its client is closed at once.
 * Passwords live only in the session's client options (the client needs them
 * for every new connection and for re-authentication) and are never logged.
 */
import { Admin } from "../../client/admin.ts";
import { KafkaClientError } from "../../client/errors.ts";
import type { ClientOptions } from "../../client/network_client.ts";
import type { SaslMechanismName } from "../../client/sasl.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { HttpRequestInfo, HttpResponseInit } from "../../runtime/types.ts";
import type { AccessPlan } from "./access.ts";
import { HttpError, json } from "./http_error.ts";
import { clearedCookie, sessionCookie, sessionIdOf, SessionStore } from "./sessions.ts";

/** A client of the console: its Admin, and the options the record browser's short-lived consumers copy. */
export interface BrokerClient {
  admin: Admin;
  options: ClientOptions;
  close(): Promise<void>;
}

/** Sessions unused this long are ended (Kafka UIs use similar; long enough for a page left open over lunch). */
export const SESSION_IDLE_MS = 30 * 60_000;
/** Sessions at once; a new one beyond ends the least recently used (each holds broker connections). */
export const MAX_SESSIONS = 64;
/** Logins probing the broker at once: each holds a client until it answers, so more are refused, not queued. */
const MAX_PENDING_LOGINS = 8;

/** Errors that mean the credentials (or the mechanism) were refused, not that the broker failed. */
const AUTHENTICATION_ERRORS = new Set<number>([
  ErrorCode.SASL_AUTHENTICATION_FAILED,
  ErrorCode.UNSUPPORTED_SASL_MECHANISM,
  ErrorCode.ILLEGAL_SASL_STATE,
]);

export function isAuthenticationError(e: unknown): e is KafkaClientError {
  return e instanceof KafkaClientError && AUTHENTICATION_ERRORS.has(e.code);
}

/** A real client for `options`. */
export function openClient(options: ClientOptions): BrokerClient {
  const full: ClientOptions = { clientId: "tsbroker-console", requestTimeoutMs: 10_000, ...options };
  const admin = new Admin(full);
  return { admin, options: full, close: () => admin.close() };
}

export class ConsoleAuth {
  private readonly sessions: SessionStore<BrokerClient>;
  private shared: BrokerClient | null = null;
  private pendingLogins = 0;

  constructor(
    private readonly plan: AccessPlan,
    private readonly connect: (options: ClientOptions) => BrokerClient = openClient,
    now: () => number = Date.now,
  ) {
    this.sessions = new SessionStore(SESSION_IDLE_MS, MAX_SESSIONS, now);
  }

  /** Answers GET session, POST login and POST logout; null for every other path. */
  route(parts: string[], request: HttpRequestInfo): Promise<HttpResponseInit> | null {
    const [section] = parts;
    if (parts.length !== 1 || !["session", "login", "logout"].includes(section)) return null;
    const method = section === "session" ? "GET" : "POST";
    if (request.method !== method) {
      return Promise.resolve(json(405, { error: `no endpoint ${request.method} /console/api/${section}` }));
    }
    if (section === "session") return Promise.resolve(json(200, this.describe(request)));
    return section === "login" ? this.login(request) : this.logout(request);
  }

  /** The client a data request runs on: the shared one, or the logged-in user's; else 401 or 503. */
  client(request: HttpRequestInfo): BrokerClient {
    if (this.plan.kind === "open") return this.shared ??= this.connect(this.plan.client);
    if (this.plan.kind === "unavailable") throw new HttpError(503, this.plan.reason);
    const session = this.sessions.get(sessionIdOf(cookieOf(request)));
    if (!session) throw new HttpError(401, "login required");
    return session.value;
  }

  /** Ends the session of `request`: the broker stopped accepting its credentials, so the user logs in again. */
  async forget(request: HttpRequestInfo): Promise<void> {
    const id = sessionIdOf(cookieOf(request));
    if (id !== null) await this.sessions.end(id);
  }

  async close(): Promise<void> {
    await this.shared?.close();
    this.shared = null;
    await this.sessions.closeAll();
  }

  /** GET session: whether a login is needed, with which mechanisms, and who is logged in. */
  private describe(request: HttpRequestInfo): unknown {
    const plan = this.plan;
    if (plan.kind === "open") return { loginRequired: false, mechanisms: [], user: null };
    if (plan.kind === "unavailable") {
      return { loginRequired: true, mechanisms: [], user: null, unavailable: plan.reason };
    }
    const session = this.sessions.get(sessionIdOf(cookieOf(request)));
    return { loginRequired: true, mechanisms: plan.mechanisms, listener: plan.listener, user: session?.user ?? null };
  }

  private async login(request: HttpRequestInfo): Promise<HttpResponseInit> {
    const plan = this.plan;
    if (plan.kind === "open") throw new HttpError(400, "this console needs no login: the broker has no security");
    if (plan.kind === "unavailable") throw new HttpError(503, plan.reason);
    const { username, password, mechanism } = parseLogin(request, plan.mechanisms);
    if (this.pendingLogins >= MAX_PENDING_LOGINS) throw new HttpError(429, "too many logins at once: try again");
    this.pendingLogins++;
    const client = this.connect({ ...plan.client, sasl: { mechanism, username, password } });
    try {
      await client.admin.describeCluster();
    } catch (e) {
      await client.close().catch(() => {});
      if (isAuthenticationError(e)) throw new HttpError(401, e.message);
      throw e;
    } finally {
      this.pendingLogins--;
    }
    // A login from a browser already holding a session replaces it rather than leaving it to expire.
    const previous = sessionIdOf(cookieOf(request));
    if (previous !== null) await this.sessions.end(previous);
    const id = this.sessions.create(username, client);
    return json(200, { user: username, mechanism }, { "set-cookie": sessionCookie(id) });
  }

  private async logout(request: HttpRequestInfo): Promise<HttpResponseInit> {
    await this.forget(request);
    return json(200, { user: null }, { "set-cookie": clearedCookie() });
  }
}

function cookieOf(request: HttpRequestInfo): string | null {
  return request.headers?.get("cookie") ?? null;
}

/** The body of POST login: `{ username, password, mechanism? }` as JSON (a cross-site form cannot send JSON). */
export function parseLogin(
  request: HttpRequestInfo,
  offered: readonly SaslMechanismName[],
): { username: string; password: string; mechanism: SaslMechanismName } {
  if (!/^application\/json\b/i.test(request.contentType)) {
    throw new HttpError(415, "send the login as JSON with content-type: application/json");
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(request.body);
  } catch {
    throw new HttpError(400, 'the body must be JSON: { "username": ..., "password": ..., "mechanism": ... }');
  }
  if (typeof body !== "object" || body === null) throw new HttpError(400, "the body must be a JSON object");
  const { username, password, mechanism = offered[0] } = body;
  if (typeof username !== "string" || username === "") throw new HttpError(400, "username must be a non-empty string");
  if (typeof password !== "string") throw new HttpError(400, "password must be a string");
  if (typeof mechanism !== "string" || !(offered as readonly string[]).includes(mechanism)) {
    throw new HttpError(400, `mechanism must be one of ${offered.join(", ")}, not '${String(mechanism)}'`);
  }
  return { username, password, mechanism: mechanism as SaslMechanismName };
}
