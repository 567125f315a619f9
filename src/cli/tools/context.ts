/**
 * What every tool shares: the common flags (-b, --format, --timeout, and the security settings of
 * --command-config and -X, client_config.ts), the client connections (made on first use and closed at the
 * end), and the failures with their exit statuses: 1 the broker refused or an operation failed (a failed login
 * or TLS handshake included), 2 bad usage, 3 no broker reachable at the given addresses.
 *
 * Reachability is checked once, up front, by connecting to each bootstrap address in turn: the client
 * library treats a refused connection as retriable and would retry it until the request timeout, which is
 * right for a producer riding out a restart but leaves a mistyped `-b` silent for 30 seconds.
 */
import { Admin } from "../../client/admin.ts";
import { Apis } from "../../client/apis.ts";
import { KafkaClientError } from "../../client/errors.ts";
import { type ClientOptions, NetworkClient } from "../../client/network_client.ts";
import { ErrorCode, errorName } from "../../protocol/errors.ts";
import { securityOptions } from "./client_config.ts";
import { Flags, type FlagSpec, UsageError } from "./flags.ts";
import type { Format, ToolIo } from "./output.ts";

/** An operation failed or the broker refused it: printed as is, exit status 1. */
export class ToolFailure extends Error {
  override readonly name = "ToolFailure";
}

/** No broker answered at any bootstrap address: exit status 3. */
export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}

export const DEFAULT_BROKERS = "127.0.0.1:9092";

/** The flags every tool takes. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  {
    name: "brokers",
    short: "b",
    type: "string",
    arg: "host:port,...",
    help: `Brokers to bootstrap from (${DEFAULT_BROKERS})`,
  },
  { name: "format", type: "string", arg: "table|json", help: "Output for people (table, default) or scripts (json)" },
  { name: "timeout", type: "string", arg: "MS", help: "Request timeout in ms (30000)" },
  {
    name: "command-config",
    type: "string",
    arg: "FILE",
    help: "Client properties: security.protocol, sasl.*, ssl.* (PEM), as Kafka's tools take them",
  },
  {
    name: "property",
    short: "X",
    type: "list",
    arg: "key=value",
    help: "One client property (overrides --command-config; librdkafka's names too, as kcat's -X)",
  },
  { name: "help", short: "h", type: "boolean", help: "Show this help" },
];

/** One run of one tool: its flags, output and client connections. */
export class ToolContext {
  readonly brokers: string[];
  readonly format: Format;
  readonly timeoutMs: number;
  /** TLS and SASL settings from --command-config and -X (none: PLAINTEXT). */
  readonly security: Pick<ClientOptions, "tls" | "sasl">;
  private admin?: Admin;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(readonly io: ToolIo, readonly flags: Flags) {
    const brokers = (flags.string("brokers") ?? DEFAULT_BROKERS).split(",").map((s) => s.trim()).filter(Boolean);
    for (const b of brokers) {
      if (!/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(b)) {
        throw new UsageError(`bad broker address "${b}" in -b: expected host:port (e.g. 127.0.0.1:9092)`);
      }
    }
    if (brokers.length === 0) throw new UsageError("-b needs at least one host:port");
    this.brokers = brokers;
    const format = flags.string("format") ?? "table";
    if (format !== "table" && format !== "json") {
      throw new UsageError(`--format takes table or json (got "${format}")`);
    }
    this.format = format;
    this.timeoutMs = flags.int("timeout", 30_000, 1);
    this.security = securityOptions(flags.string("command-config"), flags.list("property"));
  }

  /** Options for a producer, consumer or admin client of this run. */
  clientOptions(): ClientOptions {
    return {
      bootstrapServers: this.brokers,
      clientId: "tsbroker-cli",
      requestTimeoutMs: this.timeoutMs,
      ...this.security,
    };
  }

  /**
   * Fails with UnreachableError unless one bootstrap address accepts a connection and answers ApiVersions
   * (and, with SASL, accepts the login). A refused login or TLS handshake fails at once with ToolFailure:
   * another address would refuse the same credentials.
   */
  async probe(): Promise<void> {
    const reasons: string[] = [];
    for (const address of this.brokers) {
      const client = new NetworkClient({
        bootstrapServers: [address],
        clientId: "tsbroker-cli",
        connectTimeoutMs: Math.min(this.timeoutMs, 5000),
        requestTimeoutMs: Math.min(this.timeoutMs, 10_000),
        ...this.security,
      });
      try {
        await client.versionFor(-1, Apis.Metadata);
        return;
      } catch (e) {
        if (e instanceof KafkaClientError && !e.retriable) {
          throw new ToolFailure(describeFailure(`cannot connect to ${address}`, e));
        }
        reasons.push(
          `${address}: ${e instanceof KafkaClientError ? e.message.replace(/^[A-Z_]+: (connect to \S+: )?/, "") : e}`,
        );
      } finally {
        await client.close();
      }
    }
    throw new UnreachableError(
      `cannot reach a broker (${reasons.join("; ")}). Is it running? Give its address with -b host:port`,
    );
  }

  /** The run's admin client, after checking a broker is reachable. */
  async adminClient(): Promise<Admin> {
    if (!this.admin) {
      await this.probe();
      this.admin = new Admin(this.clientOptions());
      const admin = this.admin;
      this.closers.push(() => admin.close());
    }
    return this.admin;
  }

  /** Registers a client to close when the tool ends. */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => {});
  }

  /** Writes JSON (with --format json) or the table text. */
  emit(value: unknown, text: () => string, toJson: (v: unknown) => string): void {
    this.io.out(this.format === "json" ? toJson(value) : text());
  }
}

/** The Kafka error's name for a client error (e.g. "UNKNOWN_TOPIC_OR_PARTITION"), else undefined. */
export function kafkaErrorName(e: unknown): string | undefined {
  return e instanceof KafkaClientError ? errorName(e.code) : undefined;
}

/** Whether `e` is the broker answering `code`. */
export function isKafkaError(e: unknown, code: number): boolean {
  return e instanceof KafkaClientError && e.code === code;
}

/** A message for a failure: the broker's detail and the Kafka error's name in parentheses. */
export function describeFailure(what: string, e: unknown): string {
  if (e instanceof KafkaClientError) {
    const detail = e.message.replace(/^[A-Z_]+(: )?/, "");
    return `${what}: ${detail ? `${detail} ` : ""}(${errorName(e.code)})`;
  }
  return `${what}: ${e instanceof Error ? e.message : String(e)}`;
}

/** A client error that means the connection itself failed (after the probe: a broker went away). */
export function isNetworkFailure(e: unknown): boolean {
  // A TLS handshake refused over a certificate is not retriable, and no lost connection.
  return e instanceof KafkaClientError && e.code === ErrorCode.NETWORK_EXCEPTION && e.retriable;
}
