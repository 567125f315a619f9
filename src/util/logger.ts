/**
 * Minimal leveled logger. Every thread logs with its own name so a line says
 * which Worker wrote it; output goes to stdout (info/debug) and stderr
 * (warn/error) through `console`, which both runtimes forward from Workers.
 */
export type LogLevel = "error" | "warn" | "info" | "debug";

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
let threshold = RANK.info;

export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level];
}

export class Logger {
  constructor(readonly name: string) {}

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

  private line(level: string, message: string): string {
    return `${new Date().toISOString()} ${level} [${this.name}] ${message}`;
  }
}
