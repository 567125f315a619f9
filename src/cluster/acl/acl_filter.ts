/**
 * Which bindings a DescribeAcls or DeleteAcls filter selects (Kafka's
 * AclBindingFilter.matches): null fields and ANY codes match anything; a
 * name with pattern type ANY or the binding's own type must equal the
 * binding's name; with MATCH it selects every binding that would apply to a
 * resource of that name (the LITERAL name, the LITERAL wildcard, and the
 * PREFIXED prefixes of the name).
 */
import {
  type AclBinding,
  type AclFilter,
  AclOperation,
  AclPermission,
  PatternType,
  ResourceType,
  WILDCARD_RESOURCE,
} from "./acl_types.ts";

function patternMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) {
    return false;
  }
  if (f.resourceName === null) return true;
  if (f.patternType !== PatternType.MATCH) return f.resourceName === b.resourceName;
  if (b.patternType === PatternType.PREFIXED) return f.resourceName.startsWith(b.resourceName);
  return f.resourceName === b.resourceName || b.resourceName === WILDCARD_RESOURCE;
}

function entryMatches(f: AclFilter, b: AclBinding): boolean {
  return (f.principal === null || f.principal === b.principal) &&
    (f.host === null || f.host === b.host) &&
    (f.operation === AclOperation.ANY || f.operation === b.operation) &&
    (f.permission === AclPermission.ANY || f.permission === b.permission);
}

export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  return patternMatches(f, b) && entryMatches(f, b);
}
