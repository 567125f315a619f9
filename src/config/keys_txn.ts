/**
 * The key table's transaction keys (Kafka's transaction coordinator and
 * `__transaction_state`), spread into CONFIG_KEYS in keys.ts. tsbroker does
 * not serve transactions yet (InitProducerId refuses transactional ids), so
 * these are accepted and checked but change nothing; each doc says so.
 */
import type { KeySpec } from "./key_spec.ts";

const NOT_YET = "Not used yet: tsbroker does not serve transactions.";

export const TXN_KEYS = {
  "transaction.max.timeout.ms": {
    type: "int",
    default: 900000,
    min: 1,
    origin: "kafka",
    doc:
      `Largest transaction timeout a transactional producer may ask for in InitProducerId; more gets INVALID_TRANSACTION_TIMEOUT, in milliseconds. ${NOT_YET}`,
  },
  "transactional.id.expiration.ms": {
    type: "int",
    default: 604800000,
    min: 1,
    origin: "kafka",
    doc:
      `Time after which a transactional id with no transaction open and no update is forgotten, in milliseconds. ${NOT_YET}`,
  },
  "transaction.abort.timed.out.transaction.cleanup.interval.ms": {
    type: "int",
    default: 10000,
    min: 1,
    origin: "kafka",
    doc:
      `How often transactions open longer than their timeout are looked for and aborted, in milliseconds. ${NOT_YET}`,
  },
  "transaction.remove.expired.transaction.cleanup.interval.ms": {
    type: "int",
    default: 3600000,
    min: 1,
    origin: "kafka",
    doc: `How often expired transactional ids are looked for and removed, in milliseconds. ${NOT_YET}`,
  },
  "transaction.state.log.num.partitions": {
    type: "int",
    default: 50,
    min: 1,
    origin: "kafka",
    doc:
      `Partitions of the internal __transaction_state topic; a transactional id lives in partition hash(id) mod this count. ${NOT_YET}`,
  },
  "transaction.state.log.segment.bytes": {
    type: "int",
    default: 104857600,
    min: 1,
    origin: "kafka",
    doc:
      `Segment size of the internal __transaction_state topic (kept small for fast compaction and loading). ${NOT_YET}`,
  },
  "transaction.partition.verification.enable": {
    type: "boolean",
    default: true,
    origin: "kafka",
    doc:
      `Whether a partition leader checks with the transaction coordinator that a transactional produce's partition was added to the transaction (KIP-890). ${NOT_YET}`,
  },
} as const satisfies Record<string, KeySpec>;
