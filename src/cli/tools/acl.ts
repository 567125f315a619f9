/**
 * `tsbroker acl list|create|delete`, in the spirit of kafka-acls: bindings of a principal, a host, an
 * operation and ALLOW or DENY to a resource pattern (a topic, group, transactional id or the cluster, by its
 * literal name or, with --prefixed, every name starting with it).
 *
 * The filter flags mean the same in list and delete: a named resource is matched as a LITERAL pattern (or
 * PREFIXED with --prefixed), exactly as `acl create` with the same flags made it, so `acl delete` with
 * create's flags removes what create added; `acl list --topic T --matching` shows instead every binding that
 * applies to T (wildcard and prefixed ones too). delete needs a resource or a principal, so a bare
 * `acl delete` cannot wipe every binding, and --dry-run lists what would go.
 *
 * A broker without an authorizer answers SECURITY_DISABLED; the message then names authorizer.class.name.
 */
import type {
  AclBinding,
  AclBindingFilter,
  AclOperationName,
  AclResourceTypeName,
} from "../../client/admin_security.ts";
import { AclOperation } from "../../cluster/acl/acl_types.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import type { ToolCommand } from "./command.ts";
import { describeFailure, isKafkaError, type ToolContext, ToolFailure } from "./context.ts";
import { type FlagSpec, UsageError } from "./flags.ts";
import { json, table } from "./output.ts";

const AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

const RESOURCE_FLAGS: FlagSpec[] = [
  { name: "topic", type: "string", arg: "NAME", help: "A topic ('*' for every topic)" },
  { name: "group", type: "string", arg: "NAME", help: "A consumer group ('*' for every group)" },
  { name: "transactional-id", type: "string", arg: "ID", help: "A transactional id ('*' for every id)" },
  { name: "cluster", type: "boolean", help: "The cluster (kafka-cluster)" },
  { name: "prefixed", type: "boolean", help: "The name is a prefix: the binding covers every name starting with it" },
];

const ENTRY_FLAGS: FlagSpec[] = [
  { name: "principal", type: "list", arg: "TYPE:NAME", help: "A principal, e.g. User:alice ('User:*' for all)" },
  { name: "host", type: "string", arg: "HOST", help: "The client address it applies to ('*': any)" },
  { name: "operation", type: "list", arg: "OP", help: "read, write, create, delete, alter, describe, all, ..." },
  { name: "allow", type: "boolean", help: "Allow the operations" },
  { name: "deny", type: "boolean", help: "Deny the operations (a DENY wins over any ALLOW)" },
];

const OPERATIONS = Object.keys(AclOperation).filter((o) => o !== "UNKNOWN" && o !== "ANY") as AclOperationName[];

/** `read`, `describe-configs`, `IDEMPOTENT_WRITE` ... as Kafka's enum name. */
export function parseOperation(raw: string): AclOperationName {
  const name = raw.trim().toUpperCase().replace(/-/g, "_");
  if (!(OPERATIONS as string[]).includes(name)) {
    throw new UsageError(
      `unknown operation "${raw}" (one of: ${OPERATIONS.map((o) => o.toLowerCase().replace(/_/g, "-")).join(", ")})`,
    );
  }
  return name as AclOperationName;
}

/** `User:alice`: a type and a name, both non-empty. */
export function parsePrincipal(raw: string): string {
  if (!/^[^:\s]+:\S.*$/.test(raw)) {
    throw new UsageError(`--principal takes TYPE:NAME, e.g. User:alice (got "${raw}")`);
  }
  return raw;
}

/** The one resource the flags name, or undefined when none does. */
function resourceOf(ctx: ToolContext): { type: AclResourceTypeName; name: string } | undefined {
  const named: { type: AclResourceTypeName; name: string }[] = [];
  for (const [flag, type] of [["topic", "TOPIC"], ["group", "GROUP"], ["transactional-id", "TRANSACTIONAL_ID"]]) {
    const name = ctx.flags.string(flag);
    if (name !== undefined) {
      if (name === "") throw new UsageError(`--${flag} needs a name`);
      named.push({ type: type as AclResourceTypeName, name });
    }
  }
  if (ctx.flags.bool("cluster")) named.push({ type: "CLUSTER", name: "kafka-cluster" });
  if (named.length > 1) throw new UsageError("give one resource: --topic, --group, --transactional-id or --cluster");
  if (named.length === 0 && ctx.flags.bool("prefixed")) {
    throw new UsageError("--prefixed needs --topic, --group or --transactional-id");
  }
  return named[0];
}

function permissionOf(ctx: ToolContext): "ALLOW" | "DENY" | undefined {
  if (ctx.flags.bool("allow") && ctx.flags.bool("deny")) throw new UsageError("give --allow or --deny, not both");
  return ctx.flags.bool("allow") ? "ALLOW" : ctx.flags.bool("deny") ? "DENY" : undefined;
}

/** The filters list and delete send: one per --operation (or one for any operation). */
function filtersOf(ctx: ToolContext, matching = false): AclBindingFilter[] {
  const resource = resourceOf(ctx);
  const principals = ctx.flags.list("principal").map(parsePrincipal);
  if (principals.length > 1) throw new UsageError("a filter takes at most one --principal");
  if (matching && (!resource || ctx.flags.bool("prefixed"))) {
    throw new UsageError("--matching needs a resource named literally (--topic, --group, ...; not --prefixed)");
  }
  const base: AclBindingFilter = {
    resourceType: resource?.type,
    resourceName: resource?.name,
    patternType: !resource ? "ANY" : matching ? "MATCH" : ctx.flags.bool("prefixed") ? "PREFIXED" : "LITERAL",
    principal: principals[0],
    host: ctx.flags.string("host"),
    permission: permissionOf(ctx),
  };
  const operations = ctx.flags.list("operation").map(parseOperation);
  return operations.length === 0 ? [base] : operations.map((operation) => ({ ...base, operation }));
}

/** Runs `fn`, turning SECURITY_DISABLED into a message that says how to enable ACLs. */
async function withAuthorizer<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isKafkaError(e, ErrorCode.SECURITY_DISABLED)) {
      throw new ToolFailure(
        `${what}: the broker has no authorizer (SECURITY_DISABLED); ACLs need ` +
          `authorizer.class.name=${AUTHORIZER} in its config`,
      );
    }
    throw new ToolFailure(describeFailure(what, e));
  }
}

const key = (b: AclBinding) =>
  [b.principal, b.resourceType, b.resourceName, b.patternType, b.operation, b.permission, b.host].join("\u0000");

/** Sorted by principal, resource, operation; duplicates (from overlapping filters) dropped. */
function sorted(bindings: AclBinding[]): AclBinding[] {
  const unique = new Map(bindings.map((b) => [key(b), b]));
  return [...unique.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

function bindingTable(bindings: AclBinding[]): string {
  return table(
    ["PRINCIPAL", "PERMISSION", "OPERATION", "RESOURCE", "NAME", "PATTERN", "HOST"],
    bindings.map((b) => [
      b.principal,
      b.permission,
      b.operation,
      b.resourceType,
      b.resourceName,
      b.patternType,
      b.host,
    ]),
  );
}

const list: ToolCommand = {
  path: ["acl", "list"],
  summary: "List ACL bindings, all or those matching a filter",
  usage: "[--topic T|--group G|--transactional-id X|--cluster] [--prefixed|--matching] [--principal P] " +
    "[--operation OP]... [--allow|--deny] [--host H]",
  args: [0, 0],
  flags: [
    ...RESOURCE_FLAGS,
    { name: "matching", type: "boolean", help: "Every binding that applies to the resource (wildcards, prefixes)" },
    ...ENTRY_FLAGS,
  ],
  notes: "Examples:\n  tsbroker acl list\n  tsbroker acl list --topic events --matching\n" +
    "  tsbroker acl list --principal User:alice",
  async run(ctx) {
    const filters = filtersOf(ctx, ctx.flags.bool("matching"));
    const admin = await ctx.adminClient();
    const found = await withAuthorizer("cannot list ACLs", async () => {
      const answers = await Promise.all(filters.map((f) => admin.describeAcls(f)));
      return sorted(answers.flat());
    });
    ctx.emit(found, () => found.length === 0 ? "No ACL bindings match.\n" : bindingTable(found), json);
  },
};

const create: ToolCommand = {
  path: ["acl", "create"],
  summary: "Allow or deny principals operations on a resource",
  usage: "--allow|--deny --principal TYPE:NAME... --operation OP... (--topic T|--group G|--transactional-id X|" +
    "--cluster) [--prefixed] [--host H]",
  args: [0, 0],
  flags: [...RESOURCE_FLAGS, ...ENTRY_FLAGS],
  notes: "Examples:\n  tsbroker acl create --allow --principal User:alice --operation write --topic events\n" +
    "  tsbroker acl create --allow --principal User:bob --operation read --operation describe --topic app- " +
    "--prefixed\n  tsbroker acl create --allow --principal User:bob --operation read --group readers\n\n" +
    "Every principal gets every operation: one binding for each pair.",
  async run(ctx) {
    const permission = permissionOf(ctx);
    if (!permission) throw new UsageError("give --allow or --deny");
    const principals = ctx.flags.list("principal").map(parsePrincipal);
    if (principals.length === 0) throw new UsageError("missing --principal (e.g. --principal User:alice)");
    const operations = ctx.flags.list("operation").map(parseOperation);
    if (operations.length === 0) throw new UsageError("missing --operation (e.g. --operation read)");
    const resource = resourceOf(ctx);
    if (!resource) throw new UsageError("missing resource: --topic, --group, --transactional-id or --cluster");
    const host = ctx.flags.string("host") ?? "*";
    const bindings: AclBinding[] = principals.flatMap((principal) =>
      operations.map((operation) => ({
        resourceType: resource.type,
        resourceName: resource.name,
        patternType: ctx.flags.bool("prefixed") ? "PREFIXED" as const : "LITERAL" as const,
        principal,
        host,
        operation,
        permission,
      }))
    );
    const admin = await ctx.adminClient();
    await withAuthorizer("cannot create ACLs", () => admin.createAcls(bindings));
    const out = sorted(bindings);
    ctx.emit(out, () => `Created ${out.length} ACL binding${out.length === 1 ? "" : "s"}:\n${bindingTable(out)}`, json);
  },
};

const remove: ToolCommand = {
  path: ["acl", "delete"],
  summary: "Delete the ACL bindings matching a filter",
  usage: "(--topic T|--group G|--transactional-id X|--cluster|--principal P) [--prefixed] [--operation OP]... " +
    "[--allow|--deny] [--host H] [--dry-run]",
  args: [0, 0],
  flags: [
    ...RESOURCE_FLAGS,
    ...ENTRY_FLAGS,
    { name: "dry-run", type: "boolean", help: "Show the bindings that would go without deleting them" },
  ],
  notes: "Examples:\n  tsbroker acl delete --principal User:alice --topic events --dry-run\n" +
    "  tsbroker acl delete --principal User:alice\n\n" +
    "A named resource matches bindings made with the same flags (LITERAL, or PREFIXED with --prefixed).",
  async run(ctx) {
    const filters = filtersOf(ctx);
    if (filters[0].resourceType === undefined && filters[0].principal === undefined) {
      throw new UsageError("name a resource or a --principal (a bare 'acl delete' would delete every binding)");
    }
    const admin = await ctx.adminClient();
    const dry = ctx.flags.bool("dry-run");
    const gone = sorted(
      await withAuthorizer(
        "cannot delete ACLs",
        async () =>
          dry ? (await Promise.all(filters.map((f) => admin.describeAcls(f)))).flat() : admin.deleteAcls(filters),
      ),
    );
    ctx.emit(
      { dryRun: dry, bindings: gone },
      () =>
        gone.length === 0
          ? "No ACL bindings match: nothing deleted.\n"
          : `${dry ? "Would delete" : "Deleted"} ${gone.length} ACL binding${gone.length === 1 ? "" : "s"}:\n` +
            bindingTable(gone) + (dry ? "Dry run: nothing changed (run again without --dry-run to apply).\n" : ""),
      json,
    );
  },
};

export const aclCommands: ToolCommand[] = [list, create, remove];
