/**
 * Minimal leveled logger. Every thread logs with its own name so a line says
 * which Worker wrote it; output goes to stdout (info/debug) and stderr
 * (warn/error) through `console`, which both runtimes forward from Workers.
 *
 * Lines that a client can trigger at will (a malformed frame, a refused
 * connection) go through `limited`: per key, at most `lines` per
 * `intervalMs` are written, and the rest are counted and reported in one
 * "suppressed" line, so 100,000 bad frames cost a few lines instead of
 * tens of megabytes of log.
 */
export type LogLevel = "error" | "warn" | "info" | "debug";

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
let threshold = RANK.info;

export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level];
}

/** Default budget of `limited`: lines per key per interval. */
export const LOG_RATE_LIMIT = { lines: 10, intervalMs: 10_000 };
/** Keys tracked at once; past it, keys whose window ended are forgotten (after reporting). */
const MAX_KEYS = 1024;

interface Window {
  level: LogLevel;
  start: number;
  written: number;
  suppressed: number;
}

export class Logger {
  private readonly windows = new Map<string, Window>();

  constructor(readonly name: string, private readonly now: () => number = () => performance.now()) {}

  error(message: string): void {
    if (threshold >= RANK.error) console.error(this.line("ERROR", message));
  }
  warn(message: string): void {
    if (threshold >= RANK.warn) console.error(this.line("WARN", message));
  }
  info(message: string): void {
    if (threshold >= RANK.info) console.log(this.line("INFO", message));
  }
  debug(message: string): void {
    if (threshold >= RANK.debug) console.log(this.line("DEBUG", message));
  }
  get debugEnabled(): boolean {
    return threshold >= RANK.debug;
  }

  /**
   * Log `message` at `level` unless `key` (a kind of message, not one
   * client: keys should be few) already wrote `LOG_RATE_LIMIT.lines` lines
   * in the current interval; suppressed lines are counted and reported when
   * the interval ends (at the key's next line or at `flushSuppressed`).
   */
  limited(level: LogLevel, key: string, message: string): void {
    if (threshold < RANK[level]) return;
    const now = this.now();
    let w = this.windows.get(key);
    if (w && now - w.start >= LOG_RATE_LIMIT.intervalMs) {
      this.report(key, w);
      w = undefined;
    }
    if (!w) {
      if (this.windows.size >= MAX_KEYS) this.flushSuppressed();
      w = { level, start: now, written: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    if (w.written < LOG_RATE_LIMIT.lines) {
      w.written++;
      this.emit(level, message);
    } else {
      w.suppressed++;
    }
  }

  /** Report and forget every key whose interval has ended; call from a periodic timer. */
  flushSuppressed(): void {
    const now = this.now();
    for (const [key, w] of this.windows) {
      if (now - w.start >= LOG_RATE_LIMIT.intervalMs) this.report(key, w);
    }
  }

  private report(key: string, w: Window): void {
    this.windows.delete(key);
    if (w.suppressed === 0) return;
    const seconds = Math.round((this.now() - w.start) / 1000);
    this.emit(w.level, `Suppressed ${w.suppressed} similar lines (${key}) in the last ${seconds} s`);
  }

  private emit(level: LogLevel, message: string): void {
    if (level === "error") this.error(message);
    else if (level === "warn") this.warn(message);
    else if (level === "info") this.info(message);
    else this.debug(message);
  }

  private line(level: string, message: string): string {
    return `${new Date().toISOString()} ${level} [${this.name}] ${message}`;
  }
}
