/**
 * The console's login sessions: a random id (the cookie's value) for each
 * user logged in, owning that user's Admin client, forgotten after an idle
 * time (and its client closed) or at logout. Expired sessions are swept on
 * every lookup rather than by a timer, so an idle console holds no timer; the
 * broker closes the idle connections of a forgotten-but-unswept client itself
 * (connections.max.idle.ms). At most `maxSessions` live at once: the least
 * recently used one goes first, so logins cannot grow memory without bound.
 */

/** What a session owns: closed when the session ends. */
export interface Closeable {
  close(): Promise<void>;
}

interface Entry<T> {
  value: T;
  user: string;
  lastUsed: number;
}

export const SESSION_COOKIE = "tsbroker_console_session";

export class SessionStore<T extends Closeable> {
  /** Insertion order is use order: a lookup moves its entry to the end. */
  private readonly sessions = new Map<string, Entry<T>>();

  constructor(
    private readonly idleMs: number,
    private readonly maxSessions = 64,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Stores `value` for `user` and returns the new session's id (256 random bits, base64url). */
  create(user: string, value: T): string {
    this.sweep();
    while (this.sessions.size >= this.maxSessions) this.end(this.sessions.keys().next().value!);
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    this.sessions.set(id, { value, user, lastUsed: this.now() });
    return id;
  }

  /** The live session of `id` (its idle clock restarted), or null when unknown or expired. */
  get(id: string | null): { user: string; value: T } | null {
    this.sweep();
    const entry = id === null ? undefined : this.sessions.get(id);
    if (!entry) return null;
    this.sessions.delete(id!);
    entry.lastUsed = this.now();
    this.sessions.set(id!, entry);
    return { user: entry.user, value: entry.value };
  }

  /** Ends one session (logout); its value is closed. */
  async end(id: string): Promise<void> {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    await entry.value.close().catch(() => {});
  }

  /** Ends every session (the console closes). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id)));
  }

  private sweep(): void {
    const cutoff = this.now() - this.idleMs;
    // Oldest first: stop at the first one still fresh.
    for (const [id, entry] of this.sessions) {
      if (entry.lastUsed > cutoff) break;
      void this.end(id);
    }
  }
}

/** The session id in a Cookie header, or null. */
export function sessionIdOf(cookieHeader: string | null): string | null {
  for (const part of (cookieHeader ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) return part.slice(at + 1).trim() || null;
  }
  return null;
}

/** Set-Cookie for a new session: not readable by scripts, not sent by other sites, only to the console. */
export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/console; HttpOnly; SameSite=Strict`;
}

/** Set-Cookie that removes the session cookie (logout). */
export function clearedCookie(): string {
  return `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0`;
}
