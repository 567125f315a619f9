/**
 * A handler's producer ids: it serves InitProducerId from a block of ids taken from the controller
 * (supervisor/producer_ids.ts persists the end of each block it hands out) and asks for the next
 * block when this one runs out; concurrent callers share one refill.
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
