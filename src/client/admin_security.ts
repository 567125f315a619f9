/**
 * The admin client's security operations, kept apart from admin.ts: ACL bindings (DescribeAcls, CreateAcls,
 * DeleteAcls) and SCRAM users (DescribeUserScramCredentials, AlterUserScramCredentials).
 *
 * Bindings travel with Kafka's enum names ("TOPIC", "READ", "ALLOW", "PREFIXED") rather than the protocol's
 * int8 codes, so a caller's code and its error messages read as Kafka's documentation does.
 *
 * A SCRAM upsertion never sends the password: as Kafka's Admin does, the client draws a random salt and sends
 * the salted password, PBKDF2 (RFC 5802's Hi) of the password with the mechanism's HMAC and the iteration
 * count; the broker derives StoredKey and ServerKey from it.
 */
import { AclOperation, AclPermission, PatternType, ResourceType } from "../cluster/acl/acl_types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { Apis } from "./apis.ts";
import { KafkaClientError, throwIfError } from "./errors.ts";
import type { NetworkClient } from "./network_client.ts";

// The names are spelled out (not derived from the protocol tables) so the public types stand on their own;
// indexing those tables with them below checks at compile time that every name has a code.

/** A resource type's name, as Kafka's ResourceType enum spells it (ANY only in filters). */
export type AclResourceTypeName =
  | "ANY"
  | "TOPIC"
  | "GROUP"
  | "CLUSTER"
  | "TRANSACTIONAL_ID"
  | "DELEGATION_TOKEN"
  | "USER";
/** An operation's name, as Kafka's AclOperation enum spells it ("READ", "WRITE", "ALL", ...). */
export type AclOperationName =
  | "ANY"
  | "ALL"
  | "READ"
  | "WRITE"
  | "CREATE"
  | "DELETE"
  | "ALTER"
  | "DESCRIBE"
  | "CLUSTER_ACTION"
  | "DESCRIBE_CONFIGS"
  | "ALTER_CONFIGS"
  | "IDEMPOTENT_WRITE"
  | "CREATE_TOKENS"
  | "DESCRIBE_TOKENS"
  | "TWO_PHASE_COMMIT";
/** A pattern type's name: LITERAL and PREFIXED in bindings; ANY and MATCH only in filters. */
export type AclPatternTypeName = "ANY" | "MATCH" | "LITERAL" | "PREFIXED";
/** ALLOW or DENY (ANY only in filters). */
export type AclPermissionName = "ANY" | "DENY" | "ALLOW";

/** One ACL binding: a resource pattern and an entry. */
export interface AclBinding {
  /** TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN or USER. */
  resourceType: AclResourceTypeName;
  /** The resource's name ("*" for every name of a LITERAL pattern; "kafka-cluster" for the cluster). */
  resourceName: string;
  /** LITERAL (the name itself, or "*") or PREFIXED (every name starting with it). */
  patternType: AclPatternTypeName;
  /** "User:alice", or "User:*" for every user. */
  principal: string;
  /** The client address it applies to, "*" for any. */
  host: string;
  /** READ, WRITE, ALL, ... */
  operation: AclOperationName;
  /** ALLOW or DENY. */
  permission: AclPermissionName;
}

/** Which bindings to describe or delete: an absent field matches anything. */
export interface AclBindingFilter {
  /** Default ANY. */
  resourceType?: AclResourceTypeName;
  /** Default: any name. */
  resourceName?: string | null;
  /** Default ANY; MATCH also finds the wildcard and prefixed bindings that apply to `resourceName`. */
  patternType?: AclPatternTypeName;
  /** Default: any principal. */
  principal?: string | null;
  /** Default: any host. */
  host?: string | null;
  /** Default ANY. */
  operation?: AclOperationName;
  /** Default ANY. */
  permission?: AclPermissionName;
}

/** The SCRAM mechanisms and the codes AlterUserScramCredentials gives them. */
export const ScramMechanism = { "SCRAM-SHA-256": 1, "SCRAM-SHA-512": 2 } as const;
/** SCRAM-SHA-256 or SCRAM-SHA-512. */
export type ScramMechanismName = keyof typeof ScramMechanism;

/** One SCRAM credential a user has (the salt and keys are never described). */
export interface ScramCredentialInfo {
  /** SCRAM-SHA-256 or SCRAM-SHA-512. */
  mechanism: ScramMechanismName;
  /** The PBKDF2 iteration count. */
  iterations: number;
}

/** A user and the SCRAM credentials it has. */
export interface UserScramCredentials {
  /** The user's name (its principal is `User:<name>`). */
  user: string;
  /** One per mechanism. */
  credentials: ScramCredentialInfo[];
}

/** A credential to create or replace. */
export interface ScramUpsertion {
  /** The user's name. */
  user: string;
  /** SCRAM-SHA-256 or SCRAM-SHA-512. */
  mechanism: ScramMechanismName;
  /** The password; only its salted form leaves the client. */
  password: string;
  /** PBKDF2 iterations (default 4096, Kafka's minimum; it allows up to 16384). */
  iterations?: number;
}

/** A credential to remove. */
export interface ScramDeletion {
  /** The user's name. */
  user: string;
  /** The mechanism whose credential goes. */
  mechanism: ScramMechanismName;
}

const HASH = { "SCRAM-SHA-256": ["SHA-256", 256], "SCRAM-SHA-512": ["SHA-512", 512] } as const;

/** RFC 5802's Hi(password, salt, i): PBKDF2 with the mechanism's HMAC, one hash length of output. */
export async function scramSaltedPassword(
  mechanism: ScramMechanismName,
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const [hash, bits] = HASH[mechanism];
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const derived = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash, salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    bits,
  );
  return new Uint8Array(derived);
}

function nameOf<T extends string>(table: Record<string, number>, code: number): T {
  for (const [name, value] of Object.entries(table)) if (value === code) return name as T;
  return "UNKNOWN" as T;
}

function filterCodes(f: AclBindingFilter) {
  return {
    resourceTypeFilter: ResourceType[f.resourceType ?? "ANY"],
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: PatternType[f.patternType ?? "ANY"],
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: AclOperation[f.operation ?? "ANY"],
    permissionType: AclPermission[f.permission ?? "ANY"],
  };
}

function bindingOf(
  r: { resourceType: number; resourceName: string; patternType: number },
  a: { principal: string; host: string; operation: number; permissionType: number },
): AclBinding {
  return {
    resourceType: nameOf(ResourceType, r.resourceType),
    resourceName: r.resourceName,
    patternType: nameOf(PatternType, r.patternType),
    principal: a.principal,
    host: a.host,
    operation: nameOf(AclOperation, a.operation),
    permission: nameOf(AclPermission, a.permissionType),
  };
}

/** The bindings that match `filter`. */
export function describeAcls(client: NetworkClient, filter: AclBindingFilter): Promise<AclBinding[]> {
  return client.retrying(async () => {
    const r = await client.send(client.anyNode(), Apis.DescribeAcls, filterCodes(filter));
    throwIfError(r.errorCode, r.errorMessage);
    return r.resources.flatMap((res) => res.acls.map((a) => bindingOf(res, a)));
  });
}

/** Creates bindings; throws for the first one refused. */
export async function createAcls(client: NetworkClient, bindings: AclBinding[]): Promise<void> {
  const r = await client.retrying(() =>
    client.send(client.anyNode(), Apis.CreateAcls, {
      creations: bindings.map((b) => ({
        resourceType: ResourceType[b.resourceType],
        resourceName: b.resourceName,
        resourcePatternType: PatternType[b.patternType],
        principal: b.principal,
        host: b.host,
        operation: AclOperation[b.operation],
        permissionType: AclPermission[b.permission],
      })),
    })
  );
  for (const res of r.results) throwIfError(res.errorCode, res.errorMessage);
}

/** Deletes the bindings matching any of `filters`; returns those deleted. */
export async function deleteAcls(client: NetworkClient, filters: AclBindingFilter[]): Promise<AclBinding[]> {
  const r = await client.retrying(() =>
    client.send(client.anyNode(), Apis.DeleteAcls, { filters: filters.map(filterCodes) })
  );
  const deleted: AclBinding[] = [];
  for (const f of r.filterResults) {
    throwIfError(f.errorCode, f.errorMessage);
    for (const m of f.matchingAcls) {
      throwIfError(m.errorCode, m.errorMessage);
      deleted.push(bindingOf(m, m));
    }
  }
  return deleted;
}

/** The SCRAM credentials of `users` (every user with one when omitted); RESOURCE_NOT_FOUND for a user without. */
export function describeUserScramCredentials(
  client: NetworkClient,
  users?: string[],
): Promise<UserScramCredentials[]> {
  return client.retrying(async () => {
    const r = await client.send(client.anyNode(), Apis.DescribeUserScramCredentials, {
      users: users ? users.map((name) => ({ name })) : null,
    });
    throwIfError(r.errorCode, r.errorMessage);
    return r.results.map((u) => {
      throwIfError(u.errorCode, u.errorMessage ?? u.user);
      return {
        user: u.user,
        credentials: u.credentialInfos.map((c) => ({
          mechanism: nameOf<ScramMechanismName>(ScramMechanism, c.mechanism),
          iterations: c.iterations,
        })),
      };
    }).sort((a, b) => a.user.localeCompare(b.user));
  });
}

/** Creates, replaces and deletes SCRAM credentials in one request; throws for the first user refused. */
export async function alterUserScramCredentials(
  client: NetworkClient,
  upsertions: ScramUpsertion[],
  deletions: ScramDeletion[] = [],
): Promise<void> {
  const prepared = await Promise.all(upsertions.map(async (u) => {
    if (!(u.mechanism in ScramMechanism)) {
      throw new KafkaClientError(ErrorCode.UNSUPPORTED_SASL_MECHANISM, `unknown SCRAM mechanism ${u.mechanism}`);
    }
    const iterations = u.iterations ?? 4096;
    const salt = crypto.getRandomValues(new Uint8Array(32));
    return {
      name: u.user,
      mechanism: ScramMechanism[u.mechanism],
      iterations,
      salt,
      saltedPassword: await scramSaltedPassword(u.mechanism, u.password, salt, iterations),
    };
  }));
  const r = await client.retrying(() =>
    client.send(client.anyNode(), Apis.AlterUserScramCredentials, {
      upsertions: prepared,
      deletions: deletions.map((d) => ({ name: d.user, mechanism: ScramMechanism[d.mechanism] })),
    })
  );
  for (const res of r.results) throwIfError(res.errorCode, res.errorMessage ?? res.user);
}
