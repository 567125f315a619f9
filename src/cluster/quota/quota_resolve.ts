/**
 * Which quota applies to a (user, client id), as Kafka's default quota
 * callback (ClientQuotaManager) decides it, per quota key, first match wins:
 *
 *   1. user U and client C          5. default user and default client
 *   2. user U and default client    6. default user
 *   3. user U                       7. client C
 *   4. default user and client C    8. default client
 *
 * The answer also names the rate it is measured against (Kafka's metric tags):
 * a quota set for one named user or client is shared by everything it
 * matches, while one reached through a default is counted per user / client
 * id. Example: with only `client-id=<default>` at 1 MB/s, each client id gets
 * its own 1 MB/s; with `client-id=app` at 1 MB/s, every user's "app" shares it.
 */
import { CLIENT_ID, entityKey, type QuotaEntity, type QuotaRecord, USER } from "./quota_entity.ts";

export interface ResolvedQuota {
  /** The bound (bytes/s, or a percentage for request_percentage). */
  limit: number;
  /** The rate this quota is measured by: requests with the same key share it. */
  rateKey: string;
}

/** The user part of a principal: quotas name users without Kafka's "User:" type. */
export function quotaUserOf(principal: string): string {
  const colon = principal.indexOf(":");
  return colon < 0 ? principal : principal.slice(colon + 1);
}

export class QuotaResolver {
  private readonly byEntity = new Map<string, Record<string, number>>();
  private readonly cache = new Map<string, ResolvedQuota | null>();

  constructor(records: readonly QuotaRecord[]) {
    for (const r of records) this.byEntity.set(entityKey(r.entity), r.values);
  }

  /** Whether any entity sets `key`: without one, nothing needs measuring. */
  hasAny(key: string): boolean {
    for (const values of this.byEntity.values()) if (key in values) return true;
    return false;
  }

  resolve(key: string, user: string, clientId: string): ResolvedQuota | null {
    const cacheKey = JSON.stringify([key, user, clientId]);
    const known = this.cache.get(cacheKey);
    if (known !== undefined) return known;
    const found = this.lookUp(key, user, clientId);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, found);
    return found;
  }

  private lookUp(key: string, user: string, clientId: string): ResolvedQuota | null {
    // [entity, user tag, client tag]: the tags are Kafka's metric tags for a quota found at that level.
    const levels: Array<[QuotaEntity, string, string]> = [
      [{ [USER]: user, [CLIENT_ID]: clientId }, user, clientId],
      [{ [USER]: user, [CLIENT_ID]: null }, user, clientId],
      [{ [USER]: user }, user, ""],
      [{ [USER]: null, [CLIENT_ID]: clientId }, user, clientId],
      [{ [USER]: null, [CLIENT_ID]: null }, user, clientId],
      [{ [USER]: null }, user, ""],
      [{ [CLIENT_ID]: clientId }, "", clientId],
      [{ [CLIENT_ID]: null }, "", clientId],
    ];
    for (const [entity, userTag, clientTag] of levels) {
      const limit = this.byEntity.get(entityKey(entity))?.[key];
      if (limit !== undefined) return { limit, rateKey: JSON.stringify([key, userTag, clientTag]) };
    }
    return null;
  }
}
