/**
 * The key table's transaction keys (Kafka's transaction coordinator and
 * `__transaction_state`), spread into CONFIG_KEYS in keys.ts; read by each
 * handler's transaction coordinator (src/handler/services/txn_service.ts), the controller
 * (which creates `__transaction_state`) and the partition owners (KIP-890
 * verification).
 */
import type { KeySpec } from "./key_spec.ts";

export const TXN_KEYS = {
  "transaction.max.timeout.ms": {
    type: "int",
    default: 900000,
    min: 1,
    origin: "kafka",
    doc:
      `Largest transaction timeout a transactional producer may ask for in InitProducerId; more gets INVALID_TRANSACTION_TIMEOUT, in milliseconds.`,
  },
  "transactional.id.expiration.ms": {
    type: "int",
    default: 604800000,
    min: 1,
    origin: "kafka",
    doc:
      `Time after which a transactional id with no transaction open and no update is forgotten (a tombstone in __transaction_state), in milliseconds.`,
  },
  "transaction.abort.timed.out.transaction.cleanup.interval.ms": {
    type: "int",
    default: 10000,
    min: 1,
    origin: "kafka",
    doc:
      `How often transactions open longer than their timeout are looked for and aborted (their producers fenced), in milliseconds.`,
  },
  "transaction.remove.expired.transaction.cleanup.interval.ms": {
    type: "int",
    default: 3600000,
    min: 1,
    origin: "kafka",
    doc: `How often expired transactional ids are looked for and removed, in milliseconds.`,
  },
  "transaction.state.log.num.partitions": {
    type: "int",
    default: 50,
    min: 1,
    origin: "kafka",
    doc:
      `Partitions of the internal __transaction_state topic, fixed when the first FindCoordinator for a transactional id creates it; a transactional id lives in partition hash(id) mod this count, coordinated by the handler that owns it.`,
  },
  "transaction.state.log.segment.bytes": {
    type: "int",
    default: 104857600,
    min: 1,
    origin: "kafka",
    doc:
      `Segment size of the internal __transaction_state topic (kept small for fast compaction and loading), set when the topic is created.`,
  },
  "transaction.partition.verification.enable": {
    type: "boolean",
    default: true,
    origin: "kafka",
    doc:
      `Whether a partition leader checks with the transaction coordinator that a transactional produce's partition was added to the transaction (KIP-890) before the first batch of each transaction there; off, transactional batches are appended as they come.`,
  },
} as const satisfies Record<string, KeySpec>;
