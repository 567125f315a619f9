/**
 * Kafka's StandardAuthorizer decision, without I/O: given the ACL bindings,
 * may `principal` from `host` perform `operation` on a resource?
 *
 * - Super users (`super.users`) may do anything, DENY rules or not.
 * - The bindings that apply to a resource are its LITERAL ones, the LITERAL
 *   wildcard "*" of its type and every PREFIXED one whose name starts the
 *   resource's name. Of those, an entry counts when its principal is the
 *   caller's or "User:*" and its host the caller's or "*".
 * - A DENY for the operation (or ALL) wins over everything. An ALLOW counts
 *   for its operation, ALL for every operation, and READ/WRITE/DELETE/ALTER
 *   also for DESCRIBE, ALTER_CONFIGS also for DESCRIBE_CONFIGS.
 * - Nothing allows: denied, unless no binding at all applies to the resource
 *   (whatever its principal) and `allow.everyone.if.no.acl.found` is true.
 */
import {
  type AclBinding,
  AclOperation,
  AclPermission,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
} from "./acl_types.ts";

export interface AuthorizerSettings {
  superUsers: ReadonlySet<string>;
  allowEveryoneIfNoAclFound: boolean;
}

/** Kafka's `super.users`: principals separated by semicolons, spaces around them ignored. */
export function parseSuperUsers(value: string): Set<string> {
  return new Set(value.split(";").map((p) => p.trim()).filter((p) => p !== ""));
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

/** Whether binding `acl`'s operation covers `operation` for its permission. */
function operationMatches(acl: AclBinding, operation: number): boolean {
  if (acl.operation === AclOperation.ALL || acl.operation === operation) return true;
  if (acl.permission !== AclPermission.ALLOW) return false;
  if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

/** The host part of "ip:port" (brackets of an IPv6 address removed, IPv4-mapped IPv6 shown as IPv4, as Java). */
export function hostOf(clientAddress: string): string {
  const colon = clientAddress.lastIndexOf(":");
  let host = colon >= 0 ? clientAddress.slice(0, colon) : clientAddress;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return mapped ? mapped[1] : host;
}

/** The bindings of one resource type, indexed for look-ups by resource name. */
class TypeIndex {
  readonly literal = new Map<string, AclBinding[]>();
  readonly prefixed: AclBinding[] = [];

  add(b: AclBinding): void {
    if (b.patternType === PatternType.PREFIXED) this.prefixed.push(b);
    else {
      const list = this.literal.get(b.resourceName);
      if (list) list.push(b);
      else this.literal.set(b.resourceName, [b]);
    }
  }

  /** Every binding that applies to `name`, whatever its entry. */
  *applying(name: string): Iterable<AclBinding> {
    yield* this.literal.get(name) ?? [];
    if (name !== WILDCARD_RESOURCE) yield* this.literal.get(WILDCARD_RESOURCE) ?? [];
    for (const b of this.prefixed) if (name.startsWith(b.resourceName)) yield b;
  }
}

export class Authorizer {
  private readonly byType = new Map<number, TypeIndex>();

  constructor(readonly bindings: readonly AclBinding[], private readonly settings: AuthorizerSettings) {
    for (const b of bindings) {
      let index = this.byType.get(b.resourceType);
      if (!index) this.byType.set(b.resourceType, index = new TypeIndex());
      index.add(b);
    }
  }

  isSuperUser(principal: string): boolean {
    return this.settings.superUsers.has(principal);
  }

  authorize(principal: string, host: string, operation: number, resourceType: number, name: string): boolean {
    if (this.isSuperUser(principal)) return true;
    const index = this.byType.get(resourceType);
    let found = false;
    let allowed = false;
    for (const acl of index?.applying(name) ?? []) {
      found = true;
      if (!entryMatches(acl, principal, host) || !operationMatches(acl, operation)) continue;
      if (acl.permission === AclPermission.DENY) return false;
      allowed = true;
    }
    return allowed || (!found && this.settings.allowEveryoneIfNoAclFound);
  }

  /**
   * Kafka's authorizeByResourceType: may the principal perform `operation` on at least one resource of this type?
   * True when some ALLOW for it is not overridden by a DENY covering its whole pattern (a LITERAL DENY of the same
   * name, a wildcard DENY, or a PREFIXED DENY whose prefix starts the allowed name).
   */
  authorizeAny(principal: string, host: string, operation: number, resourceType: number): boolean {
    // As Kafka: a made-up name first, so a wildcard ALLOW (or allow.everyone.if.no.acl.found) answers at once.
    if (this.authorize(principal, host, operation, resourceType, "hardcode")) return true;
    const index = this.byType.get(resourceType);
    const entries = (index ? [...index.literal.values()].flat().concat(index.prefixed) : [])
      .filter((acl) => entryMatches(acl, principal, host) && operationMatches(acl, operation));
    const denies = entries.filter((acl) => acl.permission === AclPermission.DENY);
    if (denies.some((d) => d.patternType === PatternType.LITERAL && d.resourceName === WILDCARD_RESOURCE)) {
      return false;
    }
    const covered = (allow: AclBinding) =>
      denies.some((d) =>
        d.patternType === PatternType.PREFIXED
          ? allow.resourceName.startsWith(d.resourceName)
          : allow.patternType === PatternType.LITERAL && d.resourceName === allow.resourceName
      );
    return entries.some((acl) => acl.permission === AclPermission.ALLOW && !covered(acl));
  }
}

function entryMatches(acl: AclBinding, principal: string, host: string): boolean {
  return (acl.principal === principal || acl.principal === WILDCARD_PRINCIPAL) &&
    (acl.host === host || acl.host === WILDCARD_HOST);
}
