/**
 * Which requests the console answers at all. A page on another site can make
 * the browser send requests here in two ways, and each check stops one:
 * - DNS rebinding: the attacker's name resolves to 127.0.0.1 after the page
 *   loaded, so its script reads our answers as same-origin. Its requests
 *   carry the attacker's name in Host, so only Hosts naming this console are
 *   answered (its own address, loopback names, tsbroker.console.allowed.hosts).
 * - Cross-site requests (CSRF): a form or fetch from another origin reaches us
 *   with the browser's cookies. Browsers name the sending page in Origin (or
 *   Referer) on every POST/DELETE/PUT, so changing requests must come from a
 *   page of an allowed host. GET changes nothing and its answer stays unreadable
 *   to other origins (no CORS headers), so it needs no Origin.
 */
import type { HttpRequestInfo, HttpResponseInit } from "../../runtime/types.ts";

const KEY = "tsbroker.console.allowed.hosts";
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A host name (IPv6 in brackets, lower case) and its port (null when the header names none). */
interface HostPort {
  name: string;
  port: number | null;
}

/** "example.com:8080", "[::1]:9464", "localhost" → name and port; null for what no browser sends. */
export function splitHost(text: string): HostPort | null {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/[\]@]+)(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

export class HostGuard {
  private readonly own: string[];
  private readonly anyHost: boolean;
  private readonly extra: HostPort[];

  /**
   * `listenerHost` is tsbroker.metrics.listener's host (a wildcard adds nothing: the names it is reached by
   * are unknown, so they go in `allowed`); `port` the bound port, set later with `bound` when it was 0.
   */
  constructor(listenerHost: string, allowed: readonly string[], private port: number) {
    const host = listenerHost.includes(":") && !listenerHost.startsWith("[") ? `[${listenerHost}]` : listenerHost;
    const wildcard = host === "" || host === "0.0.0.0" || host === "[::]";
    this.own = wildcard ? LOOPBACK : [...LOOPBACK, host.toLowerCase()];
    this.anyHost = allowed.includes("*");
    this.extra = allowed.filter((a) => a !== "*").map((a) => splitHost(a)).filter((a): a is HostPort => a !== null);
  }

  /** The port the metrics server bound (known only after it listens when configured as 0). */
  bound(port: number): void {
    this.port = port;
  }

  /** Whether a Host (or an Origin's host) names this console; `defaultPort` is the scheme's when none is given. */
  allows(text: string, defaultPort = 80): boolean {
    if (this.anyHost) return true;
    const h = splitHost(text);
    if (!h) return false;
    const port = h.port ?? defaultPort;
    if (this.own.includes(h.name) && port === this.port) return true;
    return this.extra.some((a) => a.name === h.name && (a.port === null || a.port === port));
  }

  /** null when the request may proceed, else the 403 to answer. */
  check(request: HttpRequestInfo): HttpResponseInit | null {
    const header = (name: string) => request.headers?.get(name) ?? null;
    const host = header("host");
    if (host === null || !this.allows(host)) {
      return refuse(
        `the console does not answer requests for host '${host ?? "(none)"}': ` +
          `add it to ${KEY} (e.g. ${KEY}=${splitHost(host ?? "")?.name ?? "console.example.com"})`,
      );
    }
    if (SAFE_METHODS.has(request.method)) return null;
    const source = header("origin") ?? header("referer");
    const origin = source === null ? null : originHost(source);
    if (origin === null || !this.allows(origin.host, origin.defaultPort)) {
      return refuse(
        `changes need an Origin or Referer of a page of this console, not '${source ?? "(none)"}': ` +
          `add the console's host to ${KEY} if it is reached by another name`,
      );
    }
    return null;
  }
}

/** The host part of an Origin or Referer URL and its scheme's default port; null for "null" and non-URLs. */
function originHost(url: string): { host: string; defaultPort: number } | null {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return { host: u.host, defaultPort: u.protocol === "https:" ? 443 : 80 };
  } catch {
    return null;
  }
}

function refuse(message: string): HttpResponseInit {
  return {
    status: 403,
    contentType: "application/json; charset=utf-8",
    body: JSON.stringify({ error: message }),
  };
}
