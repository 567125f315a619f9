/**
 * What handlers ask of the controller's ACL store (CreateAcls and DeleteAcls;
 * DescribeAcls reads the metadata image), and its answers: the shapes that
 * travel in controller ops (controller_ops.ts) to src/supervisor/acl_store.ts.
 * Bindings arrive already validated by the handler (acl_validate.ts).
 */
import type { AclBinding, AclFilter } from "./acl_types.ts";

export type AclStoreRequest =
  | { kind: "create"; bindings: AclBinding[] }
  | { kind: "delete"; filters: AclFilter[] };

export type AclStoreResult =
  | { kind: "create" }
  /** Per filter, in request order, the bindings it removed. */
  | { kind: "delete"; deleted: AclBinding[][] };
