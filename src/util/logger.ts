/**
 * Minimal leveled logger. Every thread logs with its own name so a line says
 * which Worker wrote it; output goes to stdout (info/debug) and stderr
 * (warn/error) through `console`, which both runtimes forward from Workers.
 *
 * Levels work like Kafka's log4j loggers as BROKER_LOGGER configs show them:
 * "root" (tsbroker.log.level at start) and, per logger name (the thread
 * names: broker, handler-0, processor-PLAINTEXT-0...), an optional level of
 * its own; a logger without one follows root. IncrementalAlterConfigs
 * changes them while running (setLoggerLevels, in every thread). Kafka's
 * level names map onto tsbroker's four kinds of line: TRACE shows what DEBUG
 * shows (tsbroker writes no trace lines), FATAL shows nothing (it writes no
 * fatal lines either).
 *
 * Lines that a client can trigger at will (a malformed frame, a refused
 * connection) go through `limited`: per key, at most `lines` per
 * `intervalMs` are written, and the rest are counted and reported in one
 * "suppressed" line, so 100,000 bad frames cost a few lines instead of
 * tens of megabytes of log.
 */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** Kafka's log levels, as its BROKER_LOGGER configs name them (case matters), in Kafka's sorted order. */
export const KAFKA_LOG_LEVELS = ["DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN"] as const;
export type KafkaLogLevel = typeof KAFKA_LOG_LEVELS[number];
export const ROOT_LOGGER = "root";

/** Rank of each kind of line; a logger writes lines whose rank is at most its threshold. */
const RANK: Record<LogLevel, number> = { error: 1, warn: 2, info: 3, debug: 4 };
const KAFKA_RANK: Record<KafkaLogLevel, number> = { FATAL: 0, ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 };
let rootThreshold = RANK.info;
/** Loggers with a level of their own (name → threshold); the others follow root. */
let ownThresholds = new Map<string, number>();

/** Sets root's level (tsbroker.log.level at start); loggers with a level of their own keep it. */
export function setLogLevel(level: LogLevel): void {
  rootThreshold = RANK[level];
}

/** tsbroker.log.level in Kafka's spelling: root's level before any change. */
export function kafkaLevelOf(level: LogLevel): KafkaLogLevel {
  return level.toUpperCase() as KafkaLogLevel;
}

export function isKafkaLogLevel(text: string): text is KafkaLogLevel {
  return (KAFKA_LOG_LEVELS as readonly string[]).includes(text);
}

/**
 * Replaces every level at once: `levels.root` for root (unchanged when absent), and the loggers named in
 * `levels` get their own; every other logger follows root again.
 */
export function setLoggerLevels(levels: Readonly<Record<string, string>>): void {
  const next = new Map<string, number>();
  for (const [name, level] of Object.entries(levels)) {
    if (!isKafkaLogLevel(level)) continue;
    if (name === ROOT_LOGGER) rootThreshold = KAFKA_RANK[level];
    else next.set(name, KAFKA_RANK[level]);
  }
  ownThresholds = next;
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
    if (this.threshold() >= RANK.error) console.error(this.line("ERROR", message));
  }
  warn(message: string): void {
    if (this.threshold() >= RANK.warn) console.error(this.line("WARN", message));
  }
  info(message: string): void {
    if (this.threshold() >= RANK.info) console.log(this.line("INFO", message));
  }
  debug(message: string): void {
    if (this.threshold() >= RANK.debug) console.log(this.line("DEBUG", message));
  }
  get debugEnabled(): boolean {
    return this.threshold() >= RANK.debug;
  }

  /** This logger's own level if it has one, else root's. */
  private threshold(): number {
    return ownThresholds.get(this.name) ?? rootThreshold;
  }

  /**
   * Log `message` at `level` unless `key` (a kind of message, not one
   * client: keys should be few) already wrote `LOG_RATE_LIMIT.lines` lines
   * in the current interval; suppressed lines are counted and reported when
   * the interval ends (at the key's next line or at `flushSuppressed`).
   */
  limited(level: LogLevel, key: string, message: string): void {
    if (this.threshold() < RANK[level]) return;
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
