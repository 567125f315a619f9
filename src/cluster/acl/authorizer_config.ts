/**
 * `authorizer.class.name`: empty means no authorizer (everything allowed, the
 * ACL APIs answer SECURITY_DISABLED); Kafka's StandardAuthorizer is the one
 * class tsbroker implements. Kafka's older ZooKeeper-based AclAuthorizer is
 * named in the refusal because configs migrated from ZooKeeper clusters
 * carry it.
 */
export const STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

/** Why the value cannot be used, or null. */
export function authorizerClassProblem(value: string): string | null {
  const name = value.trim();
  if (name === "" || name === STANDARD_AUTHORIZER) return null;
  return `"${name}" is not available: tsbroker implements only ${STANDARD_AUTHORIZER} ` +
    "(set it, or leave the key empty for no authorization)" +
    (name === "kafka.security.authorizer.AclAuthorizer" ? "; AclAuthorizer's ACLs lived in ZooKeeper" : "");
}

/** True when an authorizer is configured. */
export function authorizerEnabled(value: string): boolean {
  return value.trim() !== "";
}
