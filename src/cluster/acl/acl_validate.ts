/**
 * Kafka's checks of CreateAcls bindings and DeleteAcls filters, in the order
 * the reference Kafka 4.4 applies them (tests/differential/acls_test.ts):
 *
 * - A code 0 (UNKNOWN) in a resource type, pattern type, operation or
 *   permission fails the request's parsing: the connection is closed.
 * - A binding with ANY (or MATCH) where a definite value belongs cannot be
 *   built at all: the whole CreateAcls answers UNKNOWN_SERVER_ERROR.
 * - Then per binding, INVALID_REQUEST with Kafka's message: a CLUSTER not
 *   named "kafka-cluster", an empty name, a code Kafka does not know (read as
 *   UNKNOWN), a principal without "Type:" and an empty host. A PREFIXED "*"
 *   is accepted, as Kafka does.
 * - A filter with a code Kafka does not know deletes nothing
 *   (INVALID_REQUEST); DescribeAcls simply finds nothing for it.
 */
import {
  type AclBinding,
  type AclFilter,
  AclOperation,
  AclPermission,
  CLUSTER_NAME,
  PatternType,
  ResourceType,
} from "./acl_types.ts";

const KNOWN_RESOURCE_TYPES = new Set<number>(Object.values(ResourceType));
const KNOWN_PATTERN_TYPES = new Set<number>(Object.values(PatternType));
const KNOWN_OPERATIONS = new Set<number>(Object.values(AclOperation));
const KNOWN_PERMISSIONS = new Set<number>(Object.values(AclPermission));

/** The codes of a binding or filter, as the request carries them. */
interface Codes {
  resourceType: number;
  patternType: number;
  operation: number;
  permission: number;
}

/** True when a code is 0 (UNKNOWN): Kafka refuses to parse such a request and closes the connection. */
export function hasUnknownCode(c: Codes): boolean {
  return c.resourceType === ResourceType.UNKNOWN || c.patternType === PatternType.UNKNOWN ||
    c.operation === AclOperation.UNKNOWN || c.permission === AclPermission.UNKNOWN;
}

/** True when a binding names ANY or MATCH where Kafka's binding needs a definite value. */
export function hasIndefiniteCode(c: Codes): boolean {
  return c.resourceType === ResourceType.ANY || c.patternType === PatternType.ANY ||
    c.patternType === PatternType.MATCH || c.operation === AclOperation.ANY || c.permission === AclPermission.ANY;
}

/** Kafka's per-binding error message (INVALID_REQUEST), or null when the binding may be created. */
export function bindingProblem(b: AclBinding): string | null {
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  }
  if (b.resourceName === "") return "Invalid empty resource name";
  if (!KNOWN_RESOURCE_TYPES.has(b.resourceType)) return "Invalid resourceType UNKNOWN";
  if (!KNOWN_PATTERN_TYPES.has(b.patternType)) return "Invalid patternType UNKNOWN";
  if (!KNOWN_OPERATIONS.has(b.operation)) return "Invalid operation UNKNOWN";
  if (!KNOWN_PERMISSIONS.has(b.permission)) return "Invalid permissionType UNKNOWN";
  if (!b.principal.includes(":")) {
    return `Could not parse principal from \`${b.principal}\` ` +
      "(no colon is present separating the principal type from the principal name)";
  }
  if (b.host === "") return "Host pattern cannot be null or empty";
  return null;
}

/** Kafka's message for a DeleteAcls filter that cannot match (INVALID_REQUEST), or null. */
export function filterProblem(f: AclFilter): string | null {
  if (!KNOWN_RESOURCE_TYPES.has(f.resourceType) || !KNOWN_PATTERN_TYPES.has(f.patternType)) {
    return "Unknown patternFilter.";
  }
  if (!KNOWN_OPERATIONS.has(f.operation) || !KNOWN_PERMISSIONS.has(f.permission)) return "Unknown entryFilter.";
  return null;
}

/** Whether a DescribeAcls filter can match anything (codes Kafka does not know read as UNKNOWN, which match nothing). */
export function filterIsKnown(f: AclFilter): boolean {
  return filterProblem(f) === null;
}
