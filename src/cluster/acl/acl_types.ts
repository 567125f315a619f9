/**
 * ACL bindings and the codes Kafka's protocol gives their parts (the
 * ResourceType, PatternType, AclOperation and AclPermissionType enums of
 * Kafka's Java API; CreateAcls, DescribeAcls and DeleteAcls carry them as
 * int8). A binding is a resource pattern (type, name, LITERAL or PREFIXED)
 * and an entry (principal, host, operation, ALLOW or DENY).
 */

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const PatternType = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15,
} as const;

export const AclPermission = {
  UNKNOWN: 0,
  ANY: 1,
  DENY: 2,
  ALLOW: 3,
} as const;

/** The only name a CLUSTER resource has (Kafka's Resource.CLUSTER_NAME). */
export const CLUSTER_NAME = "kafka-cluster";
/** A LITERAL resource name that matches every name of its type. */
export const WILDCARD_RESOURCE = "*";
/** The principal that matches every user principal. */
export const WILDCARD_PRINCIPAL = "User:*";
/** The host that matches every client address. */
export const WILDCARD_HOST = "*";

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permission: number;
}

/** Null fields match anything; patternType ANY matches both pattern types, MATCH what would apply to the name. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permission: number;
}

function nameOf(table: Record<string, number>, code: number): string {
  for (const [name, value] of Object.entries(table)) if (value === code) return name;
  return "UNKNOWN";
}

/** Kafka's toString of a binding, for log lines and error messages. */
export function describeBinding(b: AclBinding): string {
  return `(pattern=ResourcePattern(resourceType=${nameOf(ResourceType, b.resourceType)}, name=${b.resourceName}, ` +
    `patternType=${nameOf(PatternType, b.patternType)}), entry=(principal=${b.principal}, host=${b.host}, ` +
    `operation=${nameOf(AclOperation, b.operation)}, permissionType=${nameOf(AclPermission, b.permission)}))`;
}

export function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName &&
    a.patternType === b.patternType && a.principal === b.principal && a.host === b.host &&
    a.operation === b.operation && a.permission === b.permission;
}

export const operationName = (code: number): string => nameOf(AclOperation, code);
export const resourceTypeName = (code: number): string => nameOf(ResourceType, code);
export const patternTypeName = (code: number): string => nameOf(PatternType, code);
export const permissionName = (code: number): string => nameOf(AclPermission, code);
