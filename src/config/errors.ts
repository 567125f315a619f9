/**
 * The one error type configuration problems are reported with, so callers
 * (the CLI, tests) can tell a user mistake from a bug and print it without a
 * stack trace.
 */
export class ConfigError extends Error {
  /** Always "ConfigError", so the type survives structured cloning and logging. */
  override readonly name = "ConfigError";
  /** The configuration key at fault, when there is one (TOML syntax errors have none). */
  readonly key?: string;
  /** 1-based line in the config file, when it could be found. */
  readonly line?: number;
  /** 1-based column, known only for TOML syntax errors. */
  readonly column?: number;

  /** A message that names the key, value and source, and where in the file the problem is. */
  constructor(message: string, where: { key?: string; line?: number; column?: number } = {}) {
    super(message);
    this.key = where.key;
    this.line = where.line;
    this.column = where.column;
  }
}
