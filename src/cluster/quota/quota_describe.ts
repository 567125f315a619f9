/**
 * DescribeClientQuotas over the quota records, as Kafka's ClientQuotasImage
 * answers it: filter components by entity type, each EXACT (a name), DEFAULT
 * (the type's default) or SPECIFIED (the entity has that type); `strict` also
 * requires the entity to have no other types. A malformed filter fails the whole
 * request (INVALID_REQUEST, or UNSUPPORTED_VERSION for an unknown entity type)
 * with Kafka's message.
 */
import { ErrorCode } from "../../protocol/errors.ts";
import { CLIENT_ID, IP, type QuotaRecord, USER } from "./quota_entity.ts";

export const MATCH_EXACT = 0;
export const MATCH_DEFAULT = 1;
export const MATCH_SPECIFIED = 2;

export interface QuotaFilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export type QuotaDescription =
  | { errorCode: 0; records: QuotaRecord[] }
  | { errorCode: number; message: string };

export function describeQuotas(
  records: Iterable<QuotaRecord>,
  components: readonly QuotaFilterComponent[],
  strict: boolean,
): QuotaDescription {
  const exact = new Map<string, string | null>();
  const typed = new Set<string>();
  const invalid = (message: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, message });
  const unsupported = (message: string) => ({ errorCode: ErrorCode.UNSUPPORTED_VERSION, message });
  for (const c of components) {
    const type = c.entityType;
    if (type === "") return invalid("Invalid empty entity type.");
    if (exact.has(type) || typed.has(type)) {
      return invalid(`Entity type ${type} cannot appear more than once in the filter.`);
    }
    if (type !== IP && type !== USER && type !== CLIENT_ID) return unsupported(`Unsupported entity type ${type}`);
    if (c.matchType === MATCH_EXACT) {
      if (c.match === null) return invalid("Request specified MATCH_TYPE_EXACT, but set match string to null.");
      exact.set(type, c.match);
    } else if (c.matchType === MATCH_DEFAULT) {
      if (c.match !== null) return invalid("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
      exact.set(type, null);
    } else if (c.matchType === MATCH_SPECIFIED) {
      if (c.match !== null) {
        return invalid("Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
      }
      typed.add(type);
    } else {
      return invalid(`Unsupported match type ${c.matchType}`);
    }
  }
  const names = (t: string) => exact.has(t) || typed.has(t);
  if (names(IP) && (names(USER) || names(CLIENT_ID))) {
    return invalid(
      "Invalid entity filter component combination. IP filter component should not be used with user or " +
        "clientId filter component.",
    );
  }
  const matching: QuotaRecord[] = [];
  for (const record of records) {
    const types = Object.keys(record.entity);
    if (strict && types.length !== exact.size + typed.size) continue;
    let ok = true;
    for (const [type, name] of exact) if (!(type in record.entity) || record.entity[type] !== name) ok = false;
    for (const type of typed) if (!(type in record.entity)) ok = false;
    if (ok) matching.push(record);
  }
  return { errorCode: 0, records: matching };
}
