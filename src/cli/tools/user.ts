/**
 * `tsbroker user list|create|delete`: SCRAM users, as kafka-configs --entity-type users manages them. A
 * user is a name with a credential per mechanism (SCRAM-SHA-256, SCRAM-SHA-512); it logs in as
 * `User:<name>`, and ACLs name it so.
 *
 * The password never reaches the broker: the client library salts and hashes it (PBKDF2) and sends that.
 * `--password -` reads it from the first line of standard input, which keeps it out of the process list and
 * the shell's history.
 */
import { ScramMechanism, type ScramMechanismName } from "../../client/admin_security.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { ToolCommand } from "./command.ts";
import { describeFailure, isKafkaError, type ToolContext, ToolFailure } from "./context.ts";
import { UsageError } from "./flags.ts";
import { json, table } from "./output.ts";

const MECHANISM_FLAG = {
  name: "mechanism",
  short: "m",
  type: "string",
  arg: "MECH",
  help: "SCRAM-SHA-256 (default for create) or SCRAM-SHA-512",
} as const;

/** `SCRAM-SHA-256`, `scram-sha-512`, or just `sha-512`. */
export function parseMechanism(raw: string): ScramMechanismName {
  const up = raw.trim().toUpperCase();
  const name = up.startsWith("SCRAM-") ? up : `SCRAM-${up}`;
  if (!(name in ScramMechanism)) {
    throw new UsageError(`unknown mechanism "${raw}" (one of: ${Object.keys(ScramMechanism).join(", ")})`);
  }
  return name as ScramMechanismName;
}

/** The flag's password, or with `-` the first line of standard input. */
async function passwordOf(ctx: ToolContext): Promise<string> {
  const raw = ctx.flags.string("password");
  if (raw === undefined) throw new UsageError("missing --password (or --password - to read it from standard input)");
  let password = raw;
  if (raw === "-") {
    password = "";
    for await (const line of ctx.io.stdinLines()) {
      password = line;
      break;
    }
  }
  if (password === "") throw new UsageError("the password is empty");
  return password;
}

/** RESOURCE_NOT_FOUND becomes "user 'x' has no SCRAM credentials". */
function failure(what: string, user: string, e: unknown): ToolFailure {
  if (isKafkaError(e, ErrorCode.RESOURCE_NOT_FOUND)) {
    return new ToolFailure(`${what}: user '${user}' has no SCRAM credentials (RESOURCE_NOT_FOUND)`);
  }
  return new ToolFailure(describeFailure(what, e));
}

const list: ToolCommand = {
  path: ["user", "list"],
  summary: "List SCRAM users, their mechanisms and iterations",
  usage: "[NAME...]",
  argsName: "user name",
  args: [0, Number.MAX_SAFE_INTEGER],
  flags: [],
  async run(ctx) {
    const names = ctx.flags.positionals;
    const admin = await ctx.adminClient();
    let users;
    try {
      users = await admin.describeUserScramCredentials(names.length > 0 ? names : undefined);
    } catch (e) {
      throw failure("cannot list users", names.join(", "), e);
    }
    const rows = users.flatMap((u) => u.credentials.map((c) => [u.user, c.mechanism, c.iterations]));
    ctx.emit(
      users,
      () => rows.length === 0 ? "No SCRAM users.\n" : table(["USER", "MECHANISM", "ITERATIONS"], rows),
      json,
    );
  },
};

const create: ToolCommand = {
  path: ["user", "create"],
  summary: "Create a SCRAM user, or change its password",
  usage: "NAME --password P|- [-m SCRAM-SHA-256|SCRAM-SHA-512] [--iterations N]",
  argsName: "user name",
  args: [1, 1],
  flags: [
    { name: "password", type: "string", arg: "P", help: "The password; '-' reads it from standard input" },
    MECHANISM_FLAG,
    { name: "iterations", type: "string", arg: "N", help: "PBKDF2 iterations (4096; Kafka accepts 4096 to 16384)" },
  ],
  notes: "Examples:\n  tsbroker user create alice --password alice-secret\n" +
    "  printf 'secret\\n' | tsbroker user create bob --password - -m SCRAM-SHA-512 --iterations 8192\n\n" +
    "Creating a user that exists replaces its credential for that mechanism.",
  async run(ctx) {
    const [user] = ctx.flags.positionals;
    const mechanism = parseMechanism(ctx.flags.string("mechanism") ?? "SCRAM-SHA-256");
    // The broker refuses counts outside Kafka's range; the cap here only bounds the PBKDF2 work done first.
    const iterations = ctx.flags.int("iterations", 4096, 1, 1_000_000);
    const password = await passwordOf(ctx);
    const admin = await ctx.adminClient();
    try {
      await admin.alterUserScramCredentials([{ user, mechanism, password, iterations }]);
    } catch (e) {
      throw failure(`cannot create user '${user}'`, user, e);
    }
    const out = { user, mechanism, iterations };
    ctx.emit(out, () => `Created ${mechanism} credential for user '${user}' (${iterations} iterations).\n`, json);
  },
};

const remove: ToolCommand = {
  path: ["user", "delete"],
  summary: "Delete a SCRAM user's credentials (all mechanisms, or one)",
  usage: "NAME [-m SCRAM-SHA-256|SCRAM-SHA-512]",
  argsName: "user name",
  args: [1, 1],
  flags: [{ ...MECHANISM_FLAG, help: "Delete only this mechanism's credential (default: every one)" }],
  notes: "Open connections stay logged in; new logins as the user fail.",
  async run(ctx) {
    const [user] = ctx.flags.positionals;
    const raw = ctx.flags.string("mechanism");
    const only = raw !== undefined ? parseMechanism(raw) : undefined;
    const admin = await ctx.adminClient();
    let mechanisms: ScramMechanismName[];
    try {
      mechanisms = only
        ? [only]
        : (await admin.describeUserScramCredentials([user]))[0].credentials.map((c) => c.mechanism);
      await admin.alterUserScramCredentials([], mechanisms.map((mechanism) => ({ user, mechanism })));
    } catch (e) {
      throw failure(`cannot delete user '${user}'`, user, e);
    }
    ctx.emit(
      { user, mechanisms },
      () => `Deleted ${mechanisms.join(" and ")} credential${mechanisms.length === 1 ? "" : "s"} of user '${user}'.\n`,
      json,
    );
  },
};

export const userCommands: ToolCommand[] = [list, create, remove];
