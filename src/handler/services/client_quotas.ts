/**
 * The handler's side of client quotas (Kafka's ClientQuotaManager for
 * produce and fetch): after a Produce or Fetch, the bytes are recorded against
 * the quota that applies to the request's user and client id
 * (src/cluster/quota/quota_resolve.ts), in the broker-wide rate table every
 * handler shares (src/cluster/quota/rate_table.ts). Over the quota, the answer
 * carries Kafka's throttle time (KIP-219): it still goes out at once, and the
 * processor then reads nothing more from that connection for that long.
 */
import type { MetadataView } from "../../cluster/metadata_image.ts";
import { CONSUMER_BYTE_RATE, PRODUCER_BYTE_RATE } from "../../cluster/quota/quota_entity.ts";
import { QuotaResolver, quotaUserOf } from "../../cluster/quota/quota_resolve.ts";
import type { RateTable } from "../../cluster/quota/rate_table.ts";

const PRODUCE = 0;
const FETCH = 1;

export class ClientQuotas {
  private readonly resolvers = new WeakMap<MetadataView, QuotaResolver>();

  constructor(private readonly table: RateTable, private readonly now: () => number = Date.now) {}

  /**
   * Records `bytes` of a request of `apiKey` (Produce: the request's size, Fetch: the answer's) and returns the
   * throttle time in ms, 0 when within quota or when no quota applies.
   */
  throttle(
    metadata: MetadataView,
    apiKey: number,
    principal: string,
    clientId: string | null,
    bytes: number,
  ): number {
    const key = apiKey === PRODUCE ? PRODUCER_BYTE_RATE : apiKey === FETCH ? CONSUMER_BYTE_RATE : null;
    if (key === null || !metadata.image.quotas?.length) return 0;
    let resolver = this.resolvers.get(metadata);
    if (!resolver) {
      resolver = new QuotaResolver(metadata.image.quotas);
      this.resolvers.set(metadata, resolver);
    }
    const quota = resolver.resolve(key, quotaUserOf(principal), clientId ?? "");
    if (quota === null) return 0;
    return this.table.throttleMs(quota.rateKey, bytes, quota.limit, this.now());
  }
}
