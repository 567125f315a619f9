/**
 * AlterClientQuotas applied to a set of quota records, with the checks and
 * messages of Kafka's ClientQuotaControlManager (the reference Kafka 4.4
 * answers the same): per entity an INVALID_REQUEST for an empty entity, an
 * empty name, a bad combination (ip with user or client-id), an unknown key,
 * a value not above 0, a fraction for an integral key or a value too large for
 * it, an unknown entity type. A failed entity changes
 * nothing; the others apply (unless validateOnly). Pure: the controller's store
 * persists the result.
 */
import { ErrorCode } from "../../protocol/errors.ts";
import {
  entityKey,
  entityText,
  IP,
  keysForEntity,
  type QuotaEntity,
  type QuotaKeyType,
  type QuotaRecord,
} from "./quota_entity.ts";

export interface QuotaAlteration {
  entity: Array<{ entityType: string; entityName: string | null }>;
  ops: Array<{ key: string; value: number; remove: boolean }>;
}

export interface QuotaAlterOutcome {
  entity: QuotaEntity;
  /** A refused entity's types in request order, as Kafka echoes them (accepted ones: its hash-map order). */
  requestOrder?: string[];
  errorCode: number;
  errorMessage: string | null;
}

interface Refusal {
  errorCode: number;
  message: string;
}

const invalid = (message: string): Refusal => ({ errorCode: ErrorCode.INVALID_REQUEST, message });

/**
 * Applies `alterations` to `records` (keyed by entityKey); returns the outcomes, one per distinct entity in
 * request order, and the new records (the same map object when nothing changed).
 */
export function alterQuotas(
  records: ReadonlyMap<string, QuotaRecord>,
  alterations: readonly QuotaAlteration[],
  validateOnly: boolean,
): { outcomes: QuotaAlterOutcome[]; records: ReadonlyMap<string, QuotaRecord> } {
  const outcomes = new Map<string, QuotaAlterOutcome>();
  let next: Map<string, QuotaRecord> | null = null;
  for (const alteration of alterations) {
    // As Kafka's request reader: a type named twice keeps its last name.
    const entity: Record<string, string | null> = {};
    for (const e of alteration.entity) entity[e.entityType] = e.entityName;
    const key = entityKey(entity);
    const changes = new Map<string, number | null>();
    let duplicateKey: string | null = null;
    for (const op of alteration.ops) {
      if (changes.has(op.key)) duplicateKey = op.key;
      else changes.set(op.key, op.remove ? null : op.value);
    }
    const requestOrder = [...new Set(alteration.entity.map((e) => e.entityType))];
    const refuse = (r: Refusal) =>
      outcomes.set(key, { entity, requestOrder, errorCode: r.errorCode, errorMessage: r.message });
    if (duplicateKey !== null || outcomes.has(key)) {
      // Kafka records the duplicate key, then finds the entity answered and says so instead.
      refuse(invalid(`Ignoring duplicate entity ${entityText(entity)}`));
      continue;
    }
    const current = (next ?? records).get(key);
    const result = alteredValues(entity, current?.values ?? {}, changes);
    if ("refused" in result) {
      refuse(result.refused);
      continue;
    }
    outcomes.set(key, { entity, errorCode: ErrorCode.NONE, errorMessage: null });
    const values = result.values;
    if (validateOnly || sameValues(current?.values ?? {}, values)) continue;
    next ??= new Map(records);
    if (Object.keys(values).length === 0) next.delete(key);
    else next.set(key, { entity, values });
  }
  return { outcomes: [...outcomes.values()], records: next ?? records };
}

function alteredValues(
  entity: QuotaEntity,
  current: Record<string, number>,
  changes: ReadonlyMap<string, number | null>,
): { values: Record<string, number> } | { refused: Refusal } {
  const problem = entityProblem(entity);
  if (problem) return { refused: problem };
  const keys = keysForEntity(entity);
  if (typeof keys === "string") return { refused: invalid(keys) };
  const values = { ...current };
  for (const [key, value] of changes) {
    if (value === null) {
      delete values[key];
      continue;
    }
    const refused = valueProblem(keys.get(key), key, value);
    if (refused) return { refused };
    values[key] = value;
  }
  return { values };
}

/** Kafka's validateEntity: known types, no empty names, ip names that are addresses. */
function entityProblem(entity: QuotaEntity): Refusal | null {
  const types = Object.keys(entity);
  if (types.length === 0) return invalid("Invalid empty client quota entity");
  for (const type of types) {
    const name = entity[type];
    if (type === IP) {
      if (name !== null && !isIpAddress(name)) return invalid(`${name} is not a valid IP or resolvable host.`);
    } else if (type !== "user" && type !== "client-id") {
      return invalid(`Unhandled client quota entity type: ${type}`);
    }
    if (name === "") return invalid(`Empty ${type} not supported`);
  }
  return null;
}

function valueProblem(type: QuotaKeyType | undefined, key: string, value: number): Refusal | null {
  if (type === undefined) return invalid(`Invalid configuration key ${key}`);
  if (!(value > 0)) return invalid(`Quota ${key} must be greater than 0`);
  const limit = type === "int" ? 2 ** 31 - 1 : type === "long" ? 2 ** 63 - 1 : Infinity;
  if (value > limit) return invalid(`Proposed value for ${key} is too large for a ${type.toUpperCase()}.`);
  if (type !== "double" && value - Math.floor(value) > 1e-7) return invalid(`${key} cannot be a fractional value.`);
  return null;
}

/** Literal IPv4 or IPv6 addresses (tsbroker resolves no host names here). */
function isIpAddress(name: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(name)) {
    return name.split(".").every((p) => Number(p) <= 255);
  }
  return /^[0-9a-fA-F:]+$/.test(name) && name.includes(":");
}

function sameValues(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
