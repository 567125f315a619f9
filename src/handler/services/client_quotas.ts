/**
 * The handler's side of client quotas (Kafka's ClientQuotaManager and its
 * request and controller-mutation kin): what a request costs is counted
 * against the quota that applies to its user and client id
 * (src/cluster/quota/quota_resolve.ts), in the broker-wide rate table every
 * handler shares (src/cluster/quota/rate_table.ts). Over a quota, the answer
 * carries Kafka's throttle time (KIP-219): it still goes out at once, and the
 * processor then reads nothing more from that connection for that long.
 *
 * - producer_byte_rate: a Produce's request size, counted before it runs.
 * - consumer_byte_rate: a Fetch's answer size, counted when its records are
 *   read; over the quota (or the request quota), the Fetch answers with no
 *   records and those bytes are taken back out, as Kafka's fetch does.
 * - request_percentage (KIP-124): handler time, as a percentage of one thread
 *   over the quota windows. Time is taken only while a request runs on the
 *   handler: its decoding, its handle() up to its first await, and its encoding
 *   (the encoding after the throttle is decided, and counted without one, as
 *   Kafka counts network-thread time). Waits (a fetch's long poll, an owner's
 *   append) cost nothing, as in Kafka's request-thread time. The throttle is
 *   at most one window, as Kafka's ClientRequestQuotaManager bounds it. Exempt
 *   as in Kafka's KafkaApis: cluster actions (WriteTxnMarkers, a follower's
 *   fetch), acks=0 Produce (no answer), and SaslHandshake / SaslAuthenticate
 *   (Kafka's authenticator answers them before any quota applies).
 * - controller_mutation_rate (KIP-599): partitions created or deleted, in a
 *   token bucket (`mutations`).
 *
 * The answer carries the largest of the throttles that apply. With no quota
 * set anywhere (the metadata holds none) a request costs one property check.
 */
import type { MetadataView } from "../../cluster/metadata_image.ts";
import {
  CONSUMER_BYTE_RATE,
  CONTROLLER_MUTATION_RATE,
  PRODUCER_BYTE_RATE,
  REQUEST_PERCENTAGE,
} from "../../cluster/quota/quota_entity.ts";
import { QuotaResolver, quotaUserOf, type ResolvedQuota } from "../../cluster/quota/quota_resolve.ts";
import type { RateTable } from "../../cluster/quota/rate_table.ts";

/** Request-time units in the rate table: nanoseconds, so a quota of 1% is 10^7 a second. */
const NANOS_PER_PERCENT = 1e7;
/** APIs exempt from the request quota (see the note above). */
const EXEMPT_APIS = new Set([17, 27, 36]);

export class ClientQuotas {
  private readonly resolvers = new WeakMap<MetadataView, QuotaResolver>();

  constructor(private readonly table: RateTable, private readonly now: () => number = Date.now) {}

  /** The quotas that may apply to one request, or null when no quota is set at all (nothing to measure). */
  forRequest(metadata: MetadataView, apiKey: number, principal: string, clientId: string | null): RequestQuotas | null {
    if (!metadata.image.quotas?.length) return null;
    let resolver = this.resolvers.get(metadata);
    if (!resolver) {
      resolver = new QuotaResolver(metadata.image.quotas);
      this.resolvers.set(metadata, resolver);
    }
    return new RequestQuotas(this.table, this.now, resolver, apiKey, quotaUserOf(principal), clientId ?? "");
  }

  /**
   * Records `bytes` of a request of `apiKey` (Produce: the request's size, Fetch: the answer's) and returns the
   * throttle time in ms, 0 when within quota or when no quota applies.
   */
  throttle(metadata: MetadataView, apiKey: number, principal: string, clientId: string | null, bytes: number): number {
    return this.forRequest(metadata, apiKey, principal, clientId)?.bytes(bytes) ?? 0;
  }
}

/** Kafka's message for THROTTLING_QUOTA_EXCEEDED, which a refused topic carries. */
export const THROTTLED_MESSAGE = "The throttling quota has been exceeded.";

/**
 * KIP-599 for one topic of CreateTopics, DeleteTopics or CreatePartitions: counts its `partitions` mutations and
 * says whether they are refused (THROTTLING_QUOTA_EXCEEDED), which only versions from `strictSince` may be.
 */
export function mutationRefused(
  quotas: RequestQuotas | undefined,
  partitions: number,
  version: number,
  strictSince: number,
): boolean {
  return quotas !== undefined && !quotas.mutations(partitions, version >= strictSince).accepted;
}

/** One request's quota accounting (see the module note). */
export class RequestQuotas {
  private readonly request: ResolvedQuota | null;
  /** Handler time so far (ms), counted only under a request quota. */
  private threadMs = 0;
  /** The bandwidth throttle found so far. */
  private bandwidthMs = 0;
  /** The controller-mutation throttle found so far. */
  private mutationMs = 0;
  /** Set once the request time is recorded (a Fetch decides before answering). */
  private decided: number | null = null;
  /** Exempt from the request quota (acks=0, a follower's fetch: known from the request only). */
  exempt: boolean;

  constructor(
    private readonly table: RateTable,
    private readonly now: () => number,
    private readonly resolver: QuotaResolver,
    private readonly apiKey: number,
    private readonly user: string,
    private readonly clientId: string,
  ) {
    this.exempt = EXEMPT_APIS.has(apiKey);
    this.request = resolver.resolve(REQUEST_PERCENTAGE, user, clientId);
  }

  /** Whether handler time must be measured for this request. */
  get timed(): boolean {
    return this.request !== null && !this.exempt;
  }

  /** Adds handler time (ms) spent on this request. */
  addTime(ms: number): void {
    this.threadMs += ms;
  }

  /** Produce's or Fetch's bytes against its byte-rate quota; returns that quota's throttle (0 when none). */
  bytes(bytes: number): number {
    const quota = this.byteQuota();
    if (quota === null) return 0;
    const ms = this.table.throttleMs(quota.rateKey, bytes, quota.limit, this.now());
    this.bandwidthMs = Math.max(this.bandwidthMs, ms);
    return ms;
  }

  /**
   * A Fetch's answer of `bytes`: records them and the request time so far; returns the throttle, and when it is
   * over 0 (the answer then carries no records) takes the bytes back out, as Kafka's fetch does.
   */
  fetched(bytes: number): number {
    const bandwidth = this.bytes(bytes);
    const throttle = Math.max(bandwidth, this.recordTime());
    const quota = this.byteQuota();
    if (throttle > 0 && quota !== null) this.table.record(quota.rateKey, -bytes, this.now());
    this.decided = throttle;
    return throttle;
  }

  /**
   * Partition mutations (KIP-599) against controller_mutation_rate: `strict` (CreateTopics v6+, DeleteTopics
   * v5+, CreatePartitions v3+) refuses them while the bucket is below 0 (`accepted` false); otherwise they are
   * always taken. The answer then carries the wait until the bucket is back at 0.
   */
  mutations(partitions: number, strict: boolean): { accepted: boolean; throttleMs: number } {
    const quota = this.resolver.resolve(CONTROLLER_MUTATION_RATE, this.user, this.clientId);
    if (quota === null) return { accepted: true, throttleMs: 0 };
    const { taken, throttleMs } = this.table.take(quota.rateKey, partitions, quota.limit, strict, this.now());
    // Kafka's strict quota throttles only a refused mutation; the permissive one whatever the bucket says after.
    if (!strict || !taken) this.mutationMs = Math.max(this.mutationMs, throttleMs);
    return { accepted: taken, throttleMs };
  }

  /** The throttle the answer carries: the largest of the request, bandwidth and mutation throttles. */
  finish(): number {
    const requestMs = this.decided ?? this.recordTime();
    return Math.max(requestMs, this.bandwidthMs, this.mutationMs);
  }

  /** Handler time spent after the throttle was decided (the encoding): counted, never throttled itself. */
  addLateTime(ms: number): void {
    if (this.request === null || this.exempt) return;
    this.table.record(this.request.rateKey, ms * 1e6, this.now());
  }

  private recordTime(): number {
    if (this.decided !== null) return this.decided;
    if (this.request === null || this.exempt) return (this.decided = 0);
    const limit = this.request.limit * NANOS_PER_PERCENT;
    const window = this.table.options.windowMs;
    return (this.decided = this.table.throttleMs(this.request.rateKey, this.threadMs * 1e6, limit, this.now(), window));
  }

  private byteQuota(): ResolvedQuota | null {
    const key = this.apiKey === 0 ? PRODUCER_BYTE_RATE : this.apiKey === 1 ? CONSUMER_BYTE_RATE : null;
    return key === null ? null : this.resolver.resolve(key, this.user, this.clientId);
  }
}
