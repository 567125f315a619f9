/**
 * Producer ids for InitProducerId: each handler takes blocks of ids from
 * the controller (which persists the end of every block it hands out, as
 * Kafka's ProducerIdManager does) and serves ids from its current block.
 */
import type { ControllerClient, ProducerIdSource } from "./broker_state.ts";

export class ProducerIdBlocks implements ProducerIdSource {
  private nextId = 0n;
  private end = 0n;
  private refill: Promise<void> | null = null;

  constructor(private readonly controller: ControllerClient) {}

  async next(): Promise<bigint> {
    while (this.nextId >= this.end) {
      this.refill ??= this.controller.call({ op: "allocateProducerIds" }).then((block) => {
        this.nextId = block.start;
        this.end = block.start + BigInt(block.count);
      }).finally(() => this.refill = null);
      await this.refill;
    }
    return this.nextId++;
  }
}
