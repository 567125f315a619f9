/**
 * Incremental fetch sessions (KIP-227) as Kafka 3.9 serves them (FetchSession.scala: FetchManager, the
 * sessionless / full / incremental / session-error contexts, FetchSessionCacheShard). Pure logic: no I/O,
 * clock and randomness injectable.
 *
 * Use, per Fetch request:
 *   const ctx = cache.newContext(version, request);   // decides the kind of fetch, updates the session
 *   ctx.targets                                        // the partitions to read, in order
 *   const out = ctx.respond(results);                  // results[i] is the caller's PartitionData for targets[i]
 *   // out.errorCode, out.sessionId and out.responses fill the FetchResponse.
 *
 * - Sessionless (sessionId 0, epoch -1; every request before v7): read what was asked, answer all of it.
 * - Full (epoch 0): any session named by sessionId is closed; read what was asked, answer all of it, and cache
 *   it as a new session whose id is returned (0 when the cache is full and nothing may be evicted).
 * - Full with epoch -1 and a sessionId: closes that session, then as sessionless.
 * - Incremental (epoch > 0): the request's partitions are added or updated in the session, its forgotten ones
 *   removed, and every partition of the session is read; the response leaves out partitions that have no
 *   records, no error and the same high watermark and log start offset as last sent. Partitions that returned
 *   records move to the end of the session's order so that others get their turn under the response size limit.
 *   A session that loses all its partitions is closed and the fetch answered as sessionless.
 * - Errors (no partitions read, answered with sessionId 0): FETCH_SESSION_ID_NOT_FOUND for an unknown id,
 *   INVALID_FETCH_SESSION_EPOCH for the wrong epoch, FETCH_SESSION_TOPIC_ID_ERROR when a session created with
 *   topic ids (v13+) is continued with names (v<13) or the other way round.
 *
 * Partitions are keyed by the topic's name for v<13 and by its topic id for v13+ (FetchTarget.topic); callers
 * resolve ids and names, and answer unknown ones with an error in the partition's result.
 *
 * Eviction follows Kafka: a new session may take the place of a session unused for more than evictionMs
 * (Kafka: 120 s), or else of the least valuable evictable one (unprivileged before privileged, then fewer
 * partitions, then lower id) when the new one has more partitions; sessions become evictable by unprivileged
 * (consumer) sessions only once they are older than evictionMs.
 *
 * Sharding, as Kafka's FetchSessionCache: with shardCount > 1 each shard hands out ids in its own range, so
 * `shardOf(sessionId, shardCount)` tells which shard (e.g. which handler Worker) holds a session; each shard
 * gets maxSessions = max.incremental.fetch.session.cache.slots / shardCount.
 */
import type { FetchableTopicResponse, FetchRequest, PartitionData } from "../../protocol/generated/fetch.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { ZERO_UUID } from "../../protocol/io/uuid.ts";

export const INVALID_SESSION_ID = 0;
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;
/** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS. */
export const DEFAULT_EVICTION_MS = 120_000;
const INT_MAX = 2147483647;

/** Kafka's FetchMetadata.nextEpoch: after FINAL_EPOCH stays final; wraps from Int.MAX to 1 (0 means "new"). */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === INT_MAX ? 1 : epoch + 1;
}

/** The shard that owns `sessionId` when ids are spread over `shardCount` shards. */
export function shardOf(sessionId: number, shardCount: number): number {
  if (shardCount <= 1 || sessionId <= 0) return 0;
  return Math.min(Math.floor(sessionId / Math.floor(INT_MAX / shardCount)), shardCount - 1);
}

/** One partition to read. `topic` is the topic's name (v<13) or its topic id (v13+). */
export interface FetchTarget {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  /** The fetcher's log start offset (followers only; -1 from consumers). */
  logStartOffset: bigint;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
}

export interface FetchSessionResponse {
  errorCode: number;
  sessionId: number;
  /** Consecutive partitions of one topic grouped; `topic` set for v<13, `topicId` for v13+. */
  responses: FetchableTopicResponse[];
}

export interface FetchContext {
  readonly kind: "sessionless" | "full" | "incremental" | "error";
  /** Partitions to read, in order; empty for "error". */
  readonly targets: readonly FetchTarget[];
  /** Builds the response from the results of reading `targets` (same order and length). Call once. */
  respond(results: readonly PartitionData[]): FetchSessionResponse;
}

export interface FetchSessionCacheOptions {
  /** Sessions this cache (shard) may hold: max.incremental.fetch.session.cache.slots / shardCount. */
  maxSessions: number;
  evictionMs?: number;
  shard?: number;
  shardCount?: number;
  now?: () => number;
  /** Uniform in [0, 1), for session ids. */
  random?: () => number;
}

interface CachedPartition {
  target: FetchTarget;
  /** Last values sent to the fetcher; -1n forces the partition into the next response. */
  highWatermark: bigint;
  localLogStartOffset: bigint;
}

interface Session {
  readonly id: number;
  readonly privileged: boolean;
  readonly usesTopicIds: boolean;
  readonly creationMs: number;
  lastUsedMs: number;
  epoch: number;
  /** Insertion-ordered: the order partitions are read in. */
  readonly partitions: Map<string, CachedPartition>;
  /** Size at the last touch, which is what eviction compares (as Kafka's EvictableKey). */
  cachedSize: number;
  evictableByAll: boolean;
  evictableByPrivileged: boolean;
}

function keyOf(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function recordsSize(data: PartitionData): number {
  return data.records?.length ?? 0;
}

function mustRespond(cached: CachedPartition, data: PartitionData): boolean {
  return recordsSize(data) > 0 || cached.highWatermark !== data.highWatermark ||
    cached.localLogStartOffset !== data.logStartOffset || data.preferredReadReplica >= 0 ||
    data.errorCode !== ErrorCode.NONE ||
    (data.divergingEpoch !== undefined && (data.divergingEpoch.epoch !== -1 || data.divergingEpoch.endOffset !== -1n));
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, Session>();
  private readonly maxSessions: number;
  private readonly evictionMs: number;
  private readonly idLow: number;
  private readonly idHigh: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Sessions evicted to make room (Kafka's IncrementalFetchSessionEvictionsPerSec). */
  evictions = 0;

  constructor(options: FetchSessionCacheOptions) {
    this.maxSessions = options.maxSessions;
    this.evictionMs = options.evictionMs ?? DEFAULT_EVICTION_MS;
    const shardCount = options.shardCount ?? 1;
    const shard = options.shard ?? 0;
    const range = Math.floor(INT_MAX / shardCount);
    this.idLow = Math.max(1, shard * range);
    this.idHigh = (shard + 1) * range;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Sessions held (Kafka's NumIncrementalFetchSessions). */
  get size(): number {
    return this.sessions.size;
  }

  /** Partitions cached over all sessions (Kafka's NumIncrementalFetchPartitionsCached). */
  get totalPartitions(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.cachedSize;
    return n;
  }

  newContext(version: number, request: FetchRequest): FetchContext {
    const usesTopicIds = version >= 13;
    const asked = requestedTargets(request, usesTopicIds);
    const { sessionId, sessionEpoch } = request;
    if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
      // Any session named in a full fetch is closed.
      if (sessionId !== INVALID_SESSION_ID) this.remove(sessionId);
      if (sessionEpoch === FINAL_EPOCH) return this.sessionless(asked, usesTopicIds);
      const replicaId = version >= 15 ? request.replicaState.replicaId : request.replicaId;
      return this.full(asked, usesTopicIds, replicaId >= 0);
    }
    const session = this.sessions.get(sessionId);
    if (!session) return errorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== sessionEpoch) return errorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    if (session.usesTopicIds !== usesTopicIds) return errorContext(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);

    for (const [key, target] of asked) {
      const cached = session.partitions.get(key);
      if (cached) cached.target = target;
      else session.partitions.set(key, { target, highWatermark: -1n, localLogStartOffset: -1n });
    }
    for (const forgotten of request.forgottenTopicsData) {
      const topic = usesTopicIds ? forgotten.topicId : forgotten.topic;
      for (const partition of forgotten.partitions) session.partitions.delete(keyOf(topic, partition));
    }
    if (session.partitions.size === 0) {
      this.remove(session.id);
      return this.sessionless(asked, usesTopicIds);
    }
    const now = this.now();
    this.touch(session, now);
    session.epoch = nextEpoch(session.epoch);
    return this.incremental(session, sessionEpoch, usesTopicIds);
  }

  private sessionless(asked: Map<string, FetchTarget>, usesTopicIds: boolean): FetchContext {
    const targets = [...asked.values()];
    return {
      kind: "sessionless",
      targets,
      respond: (results) => ({
        errorCode: ErrorCode.NONE,
        sessionId: INVALID_SESSION_ID,
        responses: group(targets, results, usesTopicIds),
      }),
    };
  }

  private full(asked: Map<string, FetchTarget>, usesTopicIds: boolean, privileged: boolean): FetchContext {
    const targets = [...asked.values()];
    return {
      kind: "full",
      targets,
      respond: (results) => {
        checkResults(targets, results);
        const partitions = new Map<string, CachedPartition>();
        targets.forEach((target, i) => {
          partitions.set(keyOf(target.topic, target.partition), {
            target,
            highWatermark: results[i].highWatermark,
            localLogStartOffset: results[i].logStartOffset,
          });
        });
        const sessionId = this.maybeCreateSession(privileged, usesTopicIds, partitions);
        return { errorCode: ErrorCode.NONE, sessionId, responses: group(targets, results, usesTopicIds) };
      },
    };
  }

  private incremental(session: Session, requestEpoch: number, usesTopicIds: boolean): FetchContext {
    const targets = [...session.partitions.values()].map((c) => c.target);
    return {
      kind: "incremental",
      targets,
      respond: (results) => {
        checkResults(targets, results);
        // Another request of the same session between newContext and respond (a resend) moved the epoch on.
        if (session.epoch !== nextEpoch(requestEpoch)) {
          return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: session.id, responses: [] };
        }
        const keptTargets: FetchTarget[] = [];
        const kept: PartitionData[] = [];
        targets.forEach((target, i) => {
          const data = results[i];
          const key = keyOf(target.topic, target.partition);
          const cached = session.partitions.get(key);
          if (cached && !mustRespond(cached, data)) return;
          if (cached) {
            cached.highWatermark = data.errorCode !== ErrorCode.NONE ? -1n : data.highWatermark;
            cached.localLogStartOffset = data.logStartOffset;
            if (recordsSize(data) > 0) {
              session.partitions.delete(key);
              session.partitions.set(key, cached);
            }
          }
          keptTargets.push(target);
          kept.push(data);
        });
        return { errorCode: ErrorCode.NONE, sessionId: session.id, responses: group(keptTargets, kept, usesTopicIds) };
      },
    };
  }

  private maybeCreateSession(
    privileged: boolean,
    usesTopicIds: boolean,
    partitions: Map<string, CachedPartition>,
  ): number {
    const now = this.now();
    if (this.sessions.size >= this.maxSessions && !this.tryEvict(privileged, partitions.size, now)) {
      return INVALID_SESSION_ID;
    }
    const session: Session = {
      id: this.newSessionId(),
      privileged,
      usesTopicIds,
      creationMs: now,
      lastUsedMs: now,
      epoch: nextEpoch(INITIAL_EPOCH),
      partitions,
      cachedSize: partitions.size,
      evictableByAll: false,
      evictableByPrivileged: false,
    };
    this.sessions.set(session.id, session);
    this.touch(session, now);
    return session.id;
  }

  private newSessionId(): number {
    for (;;) {
      const id = this.idLow + Math.floor(this.random() * (this.idHigh - this.idLow));
      if (id !== INVALID_SESSION_ID && !this.sessions.has(id)) return id;
    }
  }

  /** Kafka's touch: records use, and whether the session may now be evicted by privileged / all new sessions. */
  private touch(session: Session, now: number): void {
    session.lastUsedMs = now;
    session.cachedSize = session.partitions.size;
    const old = now - session.creationMs > this.evictionMs;
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }

  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let stalest: Session | undefined;
    for (const s of this.sessions.values()) {
      if (!stalest || s.lastUsedMs < stalest.lastUsedMs || (s.lastUsedMs === stalest.lastUsedMs && s.id < stalest.id)) {
        stalest = s;
      }
    }
    if (!stalest) return false;
    if (now - stalest.lastUsedMs > this.evictionMs) {
      this.evict(stalest);
      return true;
    }
    let least: Session | undefined;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (!least || compareEvictable(s.privileged, s.cachedSize, s.id, least) < 0) least = s;
    }
    // The new session (id 0 in the comparison) must not be worth less than the one it would replace.
    if (!least || compareEvictable(privileged, size, 0, least) < 0) return false;
    this.evict(least);
    return true;
  }

  private evict(session: Session): void {
    this.sessions.delete(session.id);
    this.evictions++;
  }

  private remove(sessionId: number): void {
    this.sessions.delete(sessionId);
  }
}

/** Kafka's EvictableKey order: (privileged, size, id), false before true. */
function compareEvictable(privileged: boolean, size: number, id: number, other: Session): number {
  if (privileged !== other.privileged) return privileged ? 1 : -1;
  if (size !== other.cachedSize) return size - other.cachedSize;
  return id - other.id;
}

function errorContext(errorCode: number): FetchContext {
  return {
    kind: "error",
    targets: [],
    respond: () => ({ errorCode, sessionId: INVALID_SESSION_ID, responses: [] }),
  };
}

/** The request's partitions by key; a partition named twice keeps its first place and its last parameters. */
function requestedTargets(request: FetchRequest, usesTopicIds: boolean): Map<string, FetchTarget> {
  const targets = new Map<string, FetchTarget>();
  for (const t of request.topics) {
    const topic = usesTopicIds ? t.topicId : t.topic;
    for (const p of t.partitions) {
      targets.set(keyOf(topic, p.partition), {
        topic,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        logStartOffset: p.logStartOffset,
        currentLeaderEpoch: p.currentLeaderEpoch,
        lastFetchedEpoch: p.lastFetchedEpoch,
      });
    }
  }
  return targets;
}

function checkResults(targets: readonly FetchTarget[], results: readonly PartitionData[]): void {
  if (results.length !== targets.length) {
    throw new Error(`fetch session: ${results.length} results for ${targets.length} partitions`);
  }
}

function group(targets: readonly FetchTarget[], results: readonly PartitionData[], usesTopicIds: boolean) {
  checkResults(targets, results);
  const responses: FetchableTopicResponse[] = [];
  let current: FetchableTopicResponse | undefined;
  let currentTopic: string | undefined;
  targets.forEach((target, i) => {
    if (!current || currentTopic !== target.topic) {
      currentTopic = target.topic;
      current = usesTopicIds
        ? { topic: "", topicId: target.topic, partitions: [] }
        : { topic: target.topic, topicId: ZERO_UUID, partitions: [] };
      responses.push(current);
    }
    current.partitions.push(results[i]);
  });
  return responses;
}
