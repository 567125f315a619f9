/**
 * Client quota entities and their values, as Kafka's ClientQuotaControlManager
 * keeps them: an entity maps entity types (`user`, `client-id`, or `ip` alone)
 * to a name, null being the type's default (`<default>` in Kafka's old ZooKeeper
 * paths). Each entity holds quota keys with numeric values; an entity whose last
 * key is removed disappears. Runtime-agnostic: the controller's store
 * (src/supervisor/quota_store.ts) and every handler (the metadata image) use it.
 */

export const USER = "user";
export const CLIENT_ID = "client-id";
export const IP = "ip";

export const PRODUCER_BYTE_RATE = "producer_byte_rate";
export const CONSUMER_BYTE_RATE = "consumer_byte_rate";
export const REQUEST_PERCENTAGE = "request_percentage";
export const CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
export const CONNECTION_CREATION_RATE = "connection_creation_rate";

/** Entity type → name (null: the type's default). */
export type QuotaEntity = Readonly<Record<string, string | null>>;

/** One entity and its quota values, as stored and as carried in the metadata image. */
export interface QuotaRecord {
  entity: QuotaEntity;
  values: Record<string, number>;
}

/** A quota key's type in Kafka's QuotaConfig: integral keys refuse fractions. */
export type QuotaKeyType = "long" | "int" | "double";

const CLIENT_KEYS: ReadonlyMap<string, QuotaKeyType> = new Map([
  [PRODUCER_BYTE_RATE, "long"],
  [CONSUMER_BYTE_RATE, "long"],
  [REQUEST_PERCENTAGE, "double"],
  [CONTROLLER_MUTATION_RATE, "double"],
]);
const IP_KEYS: ReadonlyMap<string, QuotaKeyType> = new Map([[CONNECTION_CREATION_RATE, "int"]]);

/** The keys an entity of this combination of types may hold, or a refusal (Kafka's configKeysForEntityType). */
export function keysForEntity(entity: QuotaEntity): ReadonlyMap<string, QuotaKeyType> | string {
  const hasUser = USER in entity, hasClient = CLIENT_ID in entity, hasIp = IP in entity;
  if (hasIp) {
    if (hasUser || hasClient) {
      return "Invalid quota entity combination, IP entity should not be combined with User or ClientId";
    }
    return IP_KEYS;
  }
  if (hasUser || hasClient) return CLIENT_KEYS;
  return "Invalid empty client quota entity";
}

/** One canonical string per entity (types sorted), to key maps by. */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify(Object.keys(entity).sort().map((t) => [t, entity[t]]));
}

/** Kafka's ClientQuotaEntity.toString, which its error messages quote. */
export function entityText(entity: QuotaEntity): string {
  const parts = entityTypes(entity).map((t) => `${t}=${entity[t]}`);
  return `ClientQuotaEntity(entries={${parts.join(", ")}})`;
}

/**
 * The order Kafka lists an entity's types and a record's keys in: its java.util.HashMap's (bucket of the
 * String hash in a 16-slot table). The protocol leaves the order free; the same order keeps answers comparable
 * with the reference field by field.
 */
export function kafkaOrder(names: Iterable<string>): string[] {
  const bucket = (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
    return ((h ^ (h >>> 16)) & 15);
  };
  return [...names].sort((a, b) => bucket(a) - bucket(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** An entity's types in Kafka's order. */
export function entityTypes(entity: QuotaEntity): string[] {
  return kafkaOrder(Object.keys(entity));
}
