/**
 * A TxnCoordinator with a fake clock, a counting producer id source and an
 * in-memory `__transaction_state` log: `run` writes a step's records to the
 * log (or fails the write with the given error) and applies it, as the
 * broker will.
 */
import assert from "node:assert/strict";
import { TxnCoordinator, type TxnCoordinatorConfig } from "../../src/txn/txn_coordinator.ts";
import type { TxnApplied, TxnMarkerWrite, TxnStep } from "../../src/txn/txn_effects.ts";
import type { TxnRecord } from "../../src/txn/txn_records.ts";

export const CONFIG: TxnCoordinatorConfig = {
  maxTimeoutMs: 900_000,
  idExpirationMs: 604_800_000,
  stateLogPartitions: 50,
  offsetsTopicPartitions: 50,
};

export class Harness {
  nowMs = 1_000_000;
  nextProducerId = 1000n;
  /** Every record written, per `__transaction_state` partition, in order. */
  readonly log = new Map<number, TxnRecord[]>();
  readonly coordinator: TxnCoordinator;

  constructor(config: Partial<TxnCoordinatorConfig> = {}, loadAll = true) {
    this.coordinator = this.newCoordinator(config);
    if (loadAll) {
      for (let p = 0; p < this.coordinator.config.stateLogPartitions; p++) this.coordinator.loadPartition(p, 0, []);
    }
  }

  newCoordinator(config: Partial<TxnCoordinatorConfig> = {}): TxnCoordinator {
    return new TxnCoordinator({ ...CONFIG, ...config }, {
      now: () => this.nowMs,
      allocateProducerId: () => Promise.resolve(this.nextProducerId++),
    });
  }

  /** Writes the step's records (unless `writeError` is not 0) and applies it. */
  run<T>(step: TxnStep<T>, writeError = 0): TxnApplied<T> {
    if (step.kind === "answer") return { answer: step.answer, markers: [] };
    if (writeError === 0) {
      const records = this.log.get(step.partition) ?? [];
      records.push(...step.records);
      this.log.set(step.partition, records);
    }
    return step.apply(writeError);
  }

  /** The answer of a step that must not write anything. */
  answerOf<T>(step: TxnStep<T>): T {
    assert.equal(step.kind, "answer", "expected an answer without a write");
    return (step as { answer: T }).answer;
  }

  async init(transactionalId: string, timeoutMs = 60_000, producerId = -1n, producerEpoch = -1) {
    const step = await this.coordinator.initProducerId({ transactionalId, timeoutMs, producerId, producerEpoch });
    return this.run(step).answer;
  }

  /** InitProducerId then AddPartitionsToTxn of `partitions` of topic "t": an Ongoing transaction. */
  async begin(transactionalId: string, partitions = [0, 1], timeoutMs = 60_000) {
    const init = await this.init(transactionalId, timeoutMs);
    assert.equal(init.errorCode, 0);
    const add = this.run(this.coordinator.addPartitions(
      transactionalId,
      init.producerId,
      init.producerEpoch,
      partitions.map((partition) => ({ topic: "t", partition })),
    ));
    assert.equal(add.answer.errorCode, 0);
    return init;
  }

  /** Reports every marker written and writes the Complete records. */
  finish(markers: readonly TxnMarkerWrite[]): void {
    for (const m of markers) assert.equal(this.run(this.coordinator.markersWritten(m)).answer.errorCode, 0);
  }

  /** Records written for `transactionalId` so far. */
  recordsOf(transactionalId: string): TxnRecord[] {
    return this.log.get(this.coordinator.partitionFor(transactionalId))?.filter((r) =>
      r.transactionalId === transactionalId
    ) ?? [];
  }
}
