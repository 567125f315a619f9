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
export type QuotaKeyType = "long" | "int" | "double" | "string";

const CLIENT_KEYS: ReadonlyMap<string, QuotaKeyType> = new Map([
  [PRODUCER_BYTE_RATE, "long"],
  [CONSUMER_BYTE_RATE, "long"],
  [REQUEST_PERCENTAGE, "double"],
  [CONTROLLER_MUTATION_RATE, "double"],
]);
/** A user alone also takes its SCRAM mechanisms in Kafka's table (strings, which quotas cannot hold). */
const USER_KEYS: ReadonlyMap<string, QuotaKeyType> = new Map([
  ...CLIENT_KEYS,
  ["SCRAM-SHA-256", "string"],
  ["SCRAM-SHA-512", "string"],
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
  if (hasUser && hasClient) return CLIENT_KEYS;
  if (hasUser) return USER_KEYS;
  if (hasClient) return CLIENT_KEYS;
  return "Invalid empty client quota entity";
}

/** One canonical string per entity (types sorted), to key maps by. */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify(Object.keys(entity).sort().map((t) => [t, entity[t]]));
}

/** Kafka's ClientQuotaEntity.toString, which its error messages quote. */
export function entityText(entity: QuotaEntity): string {
  const parts = Object.keys(entity).map((t) => `${t}=${entity[t]}`);
  return `ClientQuotaEntity(entries={${parts.join(", ")}})`;
}

/** The entity types in the order tsbroker lists them: user, client-id, ip (any order is valid). */
export function entityTypes(entity: QuotaEntity): string[] {
  const order = [USER, CLIENT_ID, IP];
  return Object.keys(entity).sort((a, b) => order.indexOf(a) - order.indexOf(b));
}
