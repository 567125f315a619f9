/**
 * The controller's ACL bindings (Kafka keeps them as AccessControlEntryRecords
 * in the metadata log). Kept in `<log dir>/__tsbroker_acls.json`, replaced
 * atomically on every change and read at start; the controller publishes
 * them in the metadata image, where every handler's authorizer reads them.
 * Creating a binding that exists already changes nothing and succeeds, as in
 * Kafka; a DeleteAcls filter removes every binding it matches.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { errorMessage, writeFileAtomic } from "../util/atomic_file.ts";
import { type AclBinding, sameBinding } from "../cluster/acl/acl_types.ts";
import { filterMatches } from "../cluster/acl/acl_filter.ts";
import type { AclStoreRequest, AclStoreResult } from "../cluster/acl/acl_ops.ts";

const FILE = "__tsbroker_acls.json";
const FORMAT_VERSION = 1;

export class AclStore {
  private bindings: readonly AclBinding[];

  private constructor(private readonly file: string, bindings: readonly AclBinding[]) {
    this.bindings = bindings;
  }

  static open(logDir: string): AclStore {
    const file = path.join(logDir, FILE);
    if (!fs.existsSync(file)) return new AclStore(file, []);
    try {
      return new AclStore(file, decode(fs.readFileSync(file, "utf8")));
    } catch (e) {
      // Starting without the ACLs would open or close every resource silently: the operator must decide.
      throw new Error(`ACLs ${file} cannot be read (${errorMessage(e)}); fix or remove the file`);
    }
  }

  all(): AclBinding[] {
    return [...this.bindings];
  }

  /** Applies a change; `changed` tells the controller to publish a new image. */
  execute(request: AclStoreRequest): { result: AclStoreResult; changed: boolean } {
    if (request.kind === "create") {
      const next = [...this.bindings];
      for (const b of request.bindings) if (!next.some((x) => sameBinding(x, b))) next.push({ ...b });
      return { result: { kind: "create" }, changed: this.replace(next) };
    }
    const deleted = request.filters.map((f) => this.bindings.filter((b) => filterMatches(f, b)));
    const gone = new Set(deleted.flat());
    const changed = this.replace(this.bindings.filter((b) => !gone.has(b)));
    return { result: { kind: "delete", deleted }, changed };
  }

  private replace(next: AclBinding[]): boolean {
    if (next.length === this.bindings.length && next.every((b, i) => b === this.bindings[i])) return false;
    writeFileAtomic(this.file, encode(next));
    this.bindings = next;
    return true;
  }
}

function encode(bindings: readonly AclBinding[]): string {
  return JSON.stringify({ version: FORMAT_VERSION, acls: bindings }, null, 1) + "\n";
}

function decode(text: string): AclBinding[] {
  const data = JSON.parse(text);
  if (data?.version !== FORMAT_VERSION || !Array.isArray(data.acls)) {
    throw new Error(`expected {"version": ${FORMAT_VERSION}, "acls": [...]}`);
  }
  return data.acls.map((a: Record<string, unknown>, i: number): AclBinding => {
    const ints = ["resourceType", "patternType", "operation", "permission"] as const;
    const strings = ["resourceName", "principal", "host"] as const;
    for (const k of ints) if (!Number.isInteger(a[k])) throw new Error(`acls[${i}].${k} is not an integer`);
    for (const k of strings) if (typeof a[k] !== "string") throw new Error(`acls[${i}].${k} is not a string`);
    return {
      resourceType: a.resourceType as number,
      resourceName: a.resourceName as string,
      patternType: a.patternType as number,
      principal: a.principal as string,
      host: a.host as string,
      operation: a.operation as number,
      permission: a.permission as number,
    };
  });
}
