/**
 * THE list of differences the differential suite (issue 11) accepts between
 * the reference Apache Kafka and tsbroker. Any difference between their
 * answers that no entry here covers fails the test. Each entry names the API
 * keys and versions it applies to, a field path, and why the difference is
 * legitimate (or, for "tsbroker bug/limitation", why it is still open).
 *
 * Paths are written without array indices ("topics[].partitions[].errorCode")
 * and may use `*` (one path segment) and `**` (any number of segments;
 * `**.name` also matches a top-level `name`).
 * Special paths: `$outcome` — one broker answered, the other closed the
 * connection; `<array>.length` — the arrays differ in length.
 *
 * Kinds:
 * - a plain entry: the values at that path may differ (optionally only
 *   `when` a predicate holds for the two values);
 * - `alias`: ids a broker chooses (member ids): each side's values are
 *   replaced by "#n", the n-th distinct id that broker handed out, so they
 *   must still correspond one to one;
 * - `unordered`: the array at that path is sorted by the named fields before
 *   comparing, because the protocol leaves its order free;
 * - `keyedBy` + `onlyInKafka`: the array's elements are matched by a key
 *   field; those only Kafka returns are allowed when listed (Kafka 4.4
 *   settings tsbroker does not have), and must otherwise match.
 */

import { TLS_RELOAD_DIFFERENCES } from "./allowed_differences_tls.ts";

export interface AllowedDifference {
  /** Short name, quoted in the closing note. */
  id: string;
  apiKeys: readonly number[] | "all";
  /** Inclusive version range; all versions when absent. */
  versions?: readonly [number, number];
  /** Only in scenarios whose title matches. */
  scenario?: RegExp;
  /** One pattern, or several that share the reason. */
  path: string | readonly string[];
  reason: string;
  alias?: true;
  unordered?: readonly string[];
  /**
   * The array at that path is matched element by element on this field (order free); elements only
   * Kafka has are allowed when their key is in `onlyInKafka`, anything else unmatched is a difference.
   */
  keyedBy?: string;
  onlyInKafka?: readonly string[];
  onlyInTsbroker?: readonly string[];
  when?: (kafka: unknown, tsbroker: unknown) => boolean;
  /** The entry says Kafka no longer has these versions: the oracle checks Kafka's ApiVersions answer agrees. */
  kafkaLacksVersion?: true;
}

const bothStrings = (a: unknown, b: unknown) => typeof a === "string" && typeof b === "string";

/** Kafka 4.4's topic configs tsbroker does not implement (CreateTopics v5+ and DescribeConfigs list them). */
const TOPIC_CONFIGS_ONLY_IN_KAFKA: readonly string[] = [
  "remote.copy.lag.ms", // Kafka 4.x tiered storage (not in Kafka 3.9)
  "remote.copy.lag.bytes",
  "max.decompressed.message.bytes", // Kafka 4.4
  "errors.deadletterqueue.group.enable", // Kafka 4.4 (streams groups)
];

/** Kafka 3.9's topic configs that Kafka 4 removed; tsbroker, a 3.9 broker, still has them. */
const TOPIC_CONFIGS_REMOVED_IN_KAFKA_4: readonly string[] = [
  "message.downconversion.enable", // removed in Kafka 4 with down-conversion (KIP-724); tsbroker still lists it
  "message.format.version", // deprecated since 3.0, removed in 4.0 (KIP-724)
  "message.timestamp.difference.max.ms", // deprecated since 3.6 (KIP-937), removed in 4.0
];

export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  // ---- identity of the two brokers --------------------------------------------------------------
  {
    id: "cluster-id",
    apiKeys: "all",
    path: "**.clusterId",
    reason: "each broker formats its own cluster id (random)",
    when: bothStrings,
  },
  {
    id: "broker-port",
    apiKeys: "all",
    path: "**.port",
    reason: "the two brokers listen on different free ports",
  },
  {
    id: "topic-id",
    apiKeys: "all",
    path: "**.topicId",
    reason: "topic ids are random UUIDs chosen by each broker at creation",
    when: (a, b) => a !== "AAAAAAAAAAAAAAAAAAAAAA" && b !== "AAAAAAAAAAAAAAAAAAAAAA",
  },
  {
    id: "member-id",
    apiKeys: "all",
    path: "**.memberId",
    reason: "member ids are chosen by the coordinator (client id + random UUID); aliased, so they must still match " +
      "one to one",
    alias: true,
  },
  {
    id: "group-leader",
    apiKeys: [11],
    path: "leader",
    reason: "the leader is a coordinator-chosen member id; aliased like member ids",
    alias: true,
  },
  // ---- ApiVersions ------------------------------------------------------------------------------
  {
    id: "api-versions-key-list",
    apiKeys: [18],
    scenario: /^(success|key ranges)$/,
    path: "apiKeys.length",
    reason: "tsbroker implements a subset of Kafka's APIs; api_versions_test checks each key it lists against " +
      "Kafka's range instead (only Kafka-newer versions missing, or KIP-896 removals kept)",
  },
  {
    id: "features-kafka-only",
    apiKeys: [18],
    versions: [3, 4],
    path: ["supportedFeatures", "finalizedFeatures"],
    keyedBy: "name",
    onlyInKafka: [
      "kraft.version",
      "transaction.version",
      "share.version",
      "streams.version",
      "eligible.leader.replicas.version",
    ],
    reason:
      "tsbroker claims only the features it implements (src/handler/apis/018_api_versions.ts): metadata.version and " +
      "group.version (KIP-848). Its transactions are those of transaction.version 1 (KIP-890 part 1, what a " +
      "broker not listing the feature offers; Kafka 4.4 finalizes 2, the per-transaction epoch bump of part 2), no KRaft quorum (kraft.version), " +
      "no share or streams groups and no eligible leader replicas, so it lists none of those; group.version must " +
      "match Kafka's (0–1, finalized 1)",
  },
  {
    id: "metadata-version-level",
    apiKeys: [18],
    versions: [3, 4],
    path: [
      "supportedFeatures[].minVersion",
      "supportedFeatures[].maxVersion",
      "finalizedFeatures[].minVersionLevel",
      "finalizedFeatures[].maxVersionLevel",
    ],
    reason: "metadata.version: Kafka 4.4 supports levels 7–33 and runs at 33 (4.4-IV2); tsbroker implements " +
      "Kafka 3.9's protocol and keeps no KRaft log, so it supports and runs at 3.9-IV0 (21) only",
    when: (_kafka, tsbroker) => tsbroker === 21,
  },
  {
    id: "finalized-features-epoch",
    apiKeys: [18],
    versions: [3, 4],
    path: "finalizedFeaturesEpoch",
    reason: "Kafka's epoch is the offset of the last feature change in its metadata log; tsbroker's features " +
      "never change, so its one set has epoch 0",
    when: (kafka, tsbroker) => typeof kafka === "bigint" && kafka >= 0n && tsbroker === 0n,
  },
  {
    id: "api-versions-newer-in-kafka",
    apiKeys: [18],
    scenario: /^unsupported version$/,
    path: "apiKeys[].maxVersion",
    reason: "Kafka 4.4 has ApiVersions v5, newer than the 3.9 schemas tsbroker implements",
    when: (a, b) => typeof a === "number" && typeof b === "number" && a > b,
  },
  // ---- versions Kafka 4 removed (KIP-896) that tsbroker still serves ---------------------------
  ...([
    [2, "ListOffsets", [0, 0]],
    [8, "OffsetCommit", [0, 1]],
    [9, "OffsetFetch", [0, 0]],
    [19, "CreateTopics", [0, 1]],
    [20, "DeleteTopics", [0, 0]],
    [32, "DescribeConfigs", [0, 0]],
    [23, "OffsetForLeaderEpoch", [0, 1]],
    [34, "AlterReplicaLogDirs", [0, 0]],
    [35, "DescribeLogDirs", [0, 0]],
    [27, "WriteTxnMarkers", [0, 0]],
    [29, "DescribeAcls", [0, 0]],
    [30, "CreateAcls", [0, 0]],
    [31, "DeleteAcls", [0, 0]],
  ] as const).map(([key, name, versions]): AllowedDifference => ({
    id: `kip-896-${name}-v${versions[0]}${versions[1] > versions[0] ? `-v${versions[1]}` : ""}`,
    apiKeys: [key],
    versions,
    path: "$outcome",
    kafkaLacksVersion: true,
    reason: `Kafka 4 removed ${name} v${versions[0]}–v${versions[1]} (KIP-896) and closes the connection; ` +
      "tsbroker still answers them for old clients",
  })),
  // ---- log dirs (log_dirs_test.ts) -------------------------------------------------------------
  {
    id: "log-dir-paths",
    apiKeys: [35],
    path: "results[].logDir",
    reason: "each broker has log dirs of its own (the test names them: k1, k2 for Kafka, t1, t2 for tsbroker)",
    when: (kafka, tsbroker) =>
      typeof kafka === "string" && typeof tsbroker === "string" &&
      kafka.replace(/\/k(\d)$/, "/t$1") === tsbroker,
  },
  {
    id: "log-dir-space",
    apiKeys: [35],
    versions: [4, 4],
    path: ["results[].totalBytes", "results[].usableBytes"],
    reason: "the file system's size and free space (statfs) change between the two answers as both brokers write",
    when: (kafka, tsbroker) => typeof kafka === "bigint" && typeof tsbroker === "bigint" && kafka > 0n && tsbroker > 0n,
  },
  {
    id: "log-dir-topic-order",
    apiKeys: [35],
    path: ["results[].topics", "results[].topics[].partitions"],
    unordered: ["name", "partitionIndex"],
    reason: "Kafka groups a dir's logs by topic in hash-map order; the protocol leaves the order free",
  },
  {
    id: "alter-replica-log-dirs-order",
    apiKeys: [34],
    path: ["results", "results[].partitions"],
    unordered: ["topicName", "partitionIndex"],
    reason: "Kafka answers from a map of topic-partitions; the protocol leaves the order free",
  },
  {
    id: "scram-credentials-order",
    apiKeys: [50, 51],
    path: ["results", "results[].credentialInfos"],
    unordered: ["user", "mechanism"],
    reason:
      "Kafka answers users, and a user's mechanisms, in hash-map order (mechanisms hash by identity, so their order changes between Kafka runs); the protocol leaves the order free",
  },
  {
    id: "client-quotas-order",
    apiKeys: [48, 49],
    path: "entries",
    unordered: ["entity"],
    reason: "Kafka lists quota entities from a hash map keyed by entity; the protocol leaves the order free",
  },
  // ---- topics and metadata ----------------------------------------------------------------------
  {
    id: "metadata-topic-order",
    apiKeys: [3],
    path: ["topics", "brokers"],
    unordered: ["name", "nodeId"],
    reason: "Metadata lists topics (and brokers) in no particular order; Kafka's comes from a hash map",
  },
  {
    id: "create-partitions-result-order",
    apiKeys: [37],
    path: "results",
    unordered: ["name"],
    reason: "Kafka's controller answers CreatePartitions topics in hash-set order",
  },
  {
    id: "metadata-auto-creation-is-synchronous",
    apiKeys: [3],
    scenario: /^auto-creation$/,
    path: ["topics[].errorCode", "topics[].partitions.length", "topics[].topicId"],
    reason: "Kafka asks its controller to create an auto-created topic and answers that Metadata request with " +
      "UNKNOWN_TOPIC_OR_PARTITION (no partitions, zero id); tsbroker waits for the creation and answers the new " +
      "topic at once. Clients retry on the error, so they reach the same state one round trip later; the next " +
      "scenario compares the topic once both have it",
  },
  {
    id: "topic-configs-kafka-4.4-only",
    apiKeys: [19],
    versions: [5, 7],
    scenario: /^(?!removed in Kafka 4: )/,
    path: "topics[].configs",
    keyedBy: "name",
    onlyInKafka: TOPIC_CONFIGS_ONLY_IN_KAFKA,
    onlyInTsbroker: TOPIC_CONFIGS_REMOVED_IN_KAFKA_4,
    reason: "CreateTopics v5+ lists the new topic's effective configs; Kafka 4.4 has topic settings Kafka 3.9 lacks " +
      "(listed here one by one), and tsbroker, a 3.9 broker, has the three 3.9 ones Kafka 4 removed; every setting " +
      "both list must agree in value, source and flags",
  },
  // Certificate reload (tls_reload_test.ts), step by step; before the next entry, which would match first.
  ...TLS_RELOAD_DIFFERENCES,
  {
    id: "describe-configs-kafka-4.4-only",
    apiKeys: [32],
    path: "results[].configs",
    keyedBy: "name",
    onlyInKafka: TOPIC_CONFIGS_ONLY_IN_KAFKA,
    onlyInTsbroker: TOPIC_CONFIGS_REMOVED_IN_KAFKA_4,
    reason: "DescribeConfigs lists configs in no particular order (Kafka's come from a hash map); for a topic, " +
      "Kafka 4.4 has settings tsbroker does not implement (the same list as CreateTopics'), and every config " +
      "both list must agree in value, source, flags and synonyms",
  },
  {
    id: "kafka-4-removed-topic-configs",
    apiKeys: [19],
    scenario: /^removed in Kafka 4: message\.(format\.version|timestamp\.difference\.max\.ms|downconversion\.enable)$/,
    path: "topics[].**",
    reason: "Kafka 4.0 removed message.format.version, message.timestamp.difference.max.ms and " +
      "message.downconversion.enable (KIP-724, KIP-937), so Kafka 4.4 refuses them as unknown topic configs; " +
      "tsbroker serves Kafka 3.9's configs and accepts them as 3.9 does",
  },
  {
    id: "recompressed-batch-bytes",
    apiKeys: [1],
    scenario: /^fetch (recompressed to (gzip|snappy|lz4|zstd)|v\d+ of an? (zstd|lz4) topic)$/,
    path: [
      "responses[].partitions[].records.batches[].batchLength",
      "responses[].partitions[].records.batches[].crc",
      "responses[].partitions[].records.batches[].records",
    ],
    reason: "a batch the broker recompresses is written by each broker's own compressor (Kafka: java.util.zip, " +
      "snappy-java, lz4-java, zstd-jni; tsbroker: node:zlib and its own snappy and lz4 writers), so the compressed " +
      "bytes, their length and the CRC over them differ; the scenario decompresses both and requires the " +
      "producer's records, and recompressed to uncompressed the batches must be equal byte for byte",
  },
  {
    id: "broker-configs-read-only",
    apiKeys: [32],
    scenario: /^(broker, shared keys|root logger)$/,
    path: "results[].configs[].readOnly",
    reason: "Kafka marks every broker key it can change while running read-write; tsbroker marks read-only the ones " +
      "it refuses to change while running (num.io.threads, listeners, connection limits...: src/config/dynamic_keys.ts " +
      "says why for each), so clients are not told a change would take effect",
    when: (a, b) => a === false && b === true,
  },
  {
    id: "config-documentation",
    apiKeys: [32],
    versions: [3, 4],
    path: "results[].configs[].documentation",
    reason: "each broker words its own documentation (tsbroker's comes from its key tables and says what has no " +
      "effect there); that both send one, or both none, is compared",
    when: bothStrings,
  },
  {
    id: "min-insync-replicas-source",
    apiKeys: [19, 32],
    path: ["topics[].configs[].configSource", "results[].configs[].configSource"],
    reason: "Kafka 4.4's KRaft controller stores min.insync.replicas as a cluster-wide dynamic default (KIP-966), " +
      "so it reports source DYNAMIC_DEFAULT_BROKER_CONFIG (3); tsbroker stores no such default itself (it has no " +
      "ELR) and reports DEFAULT_CONFIG (5) for the same value until an operator sets one",
    when: (a, b) => a === 3 && b === 5,
  },
  {
    id: "min-insync-replicas-dynamic-default-synonym",
    apiKeys: [32],
    path: "results[].configs[].synonyms.length",
    reason: "the same KIP-966 dynamic default appears first among min.insync.replicas' synonyms in Kafka 4.4 " +
      "(DYNAMIC_DEFAULT_BROKER_CONFIG); the synonyms after it must match tsbroker's",
    when: (a, b) =>
      Array.isArray(a) && Array.isArray(b) && a.length === b.length + 1 &&
      a[0]?.name === "min.insync.replicas" && a[0]?.source === 3 &&
      JSON.stringify(a.slice(1)) === JSON.stringify(b),
  },
  {
    id: "validate-only-topic-id",
    apiKeys: [19],
    versions: [7, 7],
    scenario: /^validateOnly$/,
    path: "topics[].topicId",
    reason: "for validateOnly Kafka's controller returns the random id it would have given the topic (which is " +
      "never created); tsbroker returns the zero id. No client can use either",
  },
  {
    id: "producer-id",
    apiKeys: [22],
    path: "producerId",
    reason: "producer ids come from each broker's own id blocks; aliased, so the n-th id handed out must match " +
      "the n-th (and -1 stays -1)",
    alias: true,
  },
  {
    id: "produce-v0-v2-refused-by-kafka",
    apiKeys: [0],
    versions: [0, 2],
    path: "$outcome",
    reason: "Kafka 4 still lists Produce v0–v2 in ApiVersions (so old librdkafka versions connect, KAFKA-18659) " +
      "but closes the connection on them (KIP-896); tsbroker serves them",
  },
  {
    id: "producers-forgotten-below-log-start",
    apiKeys: [61],
    scenario: /^producers below the log start$/,
    path: "topics[].partitions[].activeProducers.length",
    reason: "tsbroker difference, documented in src/log/producer_state.ts: once DeleteRecords or retention moves the " +
      "log start past every batch of a producer, tsbroker forgets that producer, where Kafka keeps it in memory " +
      "until producer.id.expiration.ms; the producer's next batch is accepted on both (an unknown producer's first " +
      "batch passes), so DescribeProducers is where it shows",
  },
  {
    id: "elect-leaders-topic-order",
    apiKeys: [43],
    path: "replicaElectionResults",
    unordered: ["topic"],
    reason: "asked for every partition (a null list), Kafka's controller lists the topics in its hash map's order",
  },
  {
    id: "partition-order",
    apiKeys: [2, 21],
    path: ["topics", "topics[].partitions"],
    unordered: ["name", "partitionIndex"],
    reason: "Kafka answers ListOffsets and DeleteRecords partitions grouped through hash maps, in no set order",
  },
  {
    id: "group-order",
    apiKeys: [15, 16, 42, 69],
    path: ["groups", "results"],
    unordered: ["groupId"],
    reason: "Kafka answers group lists (DescribeGroups, ListGroups, DeleteGroups, ConsumerGroupDescribe) in the " +
      "order of its coordinator shards' hash maps",
  },
  {
    id: "consumer-group-epochs",
    apiKeys: [68, 69],
    path: ["memberEpoch", "groups[].groupEpoch", "groups[].assignmentEpoch", "groups[].members[].memberEpoch"],
    reason: "Kafka-4-only, kept on purpose: since KAFKA-20268 (for KIP-848 assignment offload; Kafka 4.1.1 still " +
      "starts at 0, 4.4.0 at 1) Kafka creates a consumer group at group and assignment epoch 1 with an empty " +
      "assignment, so a joining member has an epoch above 0 to reconcile to while its first assignment is " +
      "computed; that first assignment, and every epoch after, is one above Kafka 3.9's. tsbroker follows 3.9 " +
      "(src/group/consumer_group.ts: a new group at 0, the first join bumps it to 1) and computes assignments " +
      "synchronously, so the reason does not apply; the numbers are visible to clients (heartbeat and describe " +
      "answers) but clients only echo the epochs they are given",
    when: (a, b) => typeof a === "number" && typeof b === "number" && b >= 1 && a === b + 1,
  },
  {
    id: "regex-resolved-at-once",
    apiKeys: [68],
    versions: [1, 1],
    scenario: /^v1 regex join$/,
    path: ["assignment.topicPartitions.length", "assignment.topicPartitions"],
    reason: "Kafka 4 resolves a new SubscribedTopicRegex in the background and answers the join with an empty " +
      "assignment (the matching topics come a heartbeat later, with a group epoch bump); tsbroker has every topic " +
      "name at hand in the coordinator and resolves the regex during the join, so its first answer already " +
      "carries the matching partitions",
  },
  {
    id: "regex-error-text",
    apiKeys: [68],
    versions: [1, 1],
    scenario: /^v1 regex that does not compile$/,
    path: "errorMessage",
    reason: "the reason after 'is not a valid regular expression: ' is the regex engine's own words (RE2/J's " +
      "'missing closing )' against JavaScript's 'unterminated group'); the error code and the message up to " +
      "the reason are the same",
    when: (a, b) => bothStrings(a, b) && (a as string).split(": ")[0] === (b as string).split(": ")[0],
  },
  {
    id: "batch-producer-id",
    apiKeys: [1],
    path: "responses[].partitions[].records.batches[].producerId",
    reason: "idempotent batches carry the producer id each broker handed out; aliased like InitProducerId's answer",
    alias: true,
  },
  {
    id: "batch-crc-over-producer-id",
    apiKeys: [1],
    path: "responses[].partitions[].records.batches[].crcOverDifferentProducerIds",
    reason: "a batch's crc covers its producer id, so batches of different (aliased) producer ids differ in crc; " +
      "batches with equal producer ids must have equal crcs",
  },
  // ---- transactions (transactions_test.ts) -------------------------------------------------------
  {
    id: "txn-producer-id",
    apiKeys: [65, 66],
    path: "transactionStates[].producerId",
    reason: "a transaction's producer id comes from each broker's own id blocks; aliased like InitProducerId's",
    alias: true,
  },
  {
    id: "marker-producer-id",
    apiKeys: [27],
    path: "markers[].producerId",
    reason: "WriteTxnMarkers answers per producer id, each side's own (from its InitProducerId); aliased",
    alias: true,
  },
  {
    id: "marker-topic-order",
    apiKeys: [27],
    path: "markers[].topics",
    unordered: ["name"],
    reason: "Kafka answers a marker's topics in hash-map order; the protocol leaves the order free",
  },
  {
    id: "aborted-txn-producer-id",
    apiKeys: [1],
    path: "responses[].partitions[].abortedTransactions[].producerId",
    reason: "an aborted transaction is listed with the producer id its broker handed out; aliased",
    alias: true,
  },
  {
    id: "txn-start-time",
    apiKeys: [65],
    path: "transactionStates[].transactionStartTimeMs",
    reason: "when the transaction began, by each broker's clock; both must be set (or both -1)",
    when: (a, b) => typeof a === "bigint" && typeof b === "bigint" && (a > 0n) === (b > 0n) && (a > 0n || a === b),
  },
  {
    id: "txn-partition-order",
    apiKeys: [65],
    path: ["transactionStates[].topics", "transactionStates[].topics[].partitions"],
    unordered: ["topic"],
    reason: "Kafka keeps a transaction's partitions in a hash set; the protocol leaves their order free",
  },
  {
    id: "list-transactions-order",
    apiKeys: [66],
    path: "transactionStates",
    unordered: ["transactionalId"],
    reason: "Kafka lists the transactions of a coordinator partition in hash-map order; the order is free",
  },
  {
    id: "txn-marker-timestamp",
    apiKeys: [1],
    scenario: /^read_(un)?committed fetch$/,
    path: [
      "responses[].partitions[].records.batches[].baseTimestamp",
      "responses[].partitions[].records.batches[].maxTimestamp",
    ],
    reason: "a COMMIT/ABORT control batch carries the coordinator's clock when the marker was written; the data " +
      "batches of this scenario carry fixed timestamps, so only markers can differ (by less than a minute)",
    when: (a, b) => typeof a === "bigint" && typeof b === "bigint" && (a - b < 60_000n && b - a < 60_000n),
  },
  // ---- values that vary by time or by load --------------------------------------------------------
  {
    id: "throttle-time",
    apiKeys: "all",
    path: "throttleTimeMs",
    reason:
      "quota throttling depends on load; both brokers run without quotas, but Kafka may still report small values",
  },
  {
    id: "error-message",
    apiKeys: "all",
    path: "**.errorMessage",
    reason: "free-text error messages are worded by each broker; the error codes are compared",
  },
];

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (glob.startsWith("**.", i)) {
      re += "(?:.*\\.)?";
      i += 2;
    } else if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^.]*";
    else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const compiled = new Map<string, RegExp>();

/** Whether an index-free field path matches an entry's path pattern (or one of them). */
export function matchesPath(pattern: string | readonly string[], path: string): boolean {
  if (typeof pattern !== "string") return pattern.some((p) => matchesPath(p, path));
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, re = globToRegExp(pattern));
  return re.test(path);
}
