/**
 * Owner-aware dispatch of Produce: which handler Worker owns every partition
 * a Produce request writes to, read from the request's bytes without
 * decoding it, so the processor can send the request straight to that
 * owner. Round robin sends a single-partition produce to another handler
 * (M−1)/M of the time, and that handler then hands the partition's work to
 * the owner and waits for its answer: two more thread crossings per request.
 *
 * The walk reads the request header (v1, or v2 with tagged fields from
 * Produce v9), transactional_id, acks and timeout, then each topic's name
 * and each partition's index, skipping the record bytes by their length. It
 * answers -1 (let round robin choose) for anything it cannot be sure of: a
 * topic the table does not know, partitions owned by different handlers, a
 * malformed or truncated frame (the handler will answer that one), a version
 * it does not read. Any handler can serve any produce; this only saves hops.
 */
import { ownerOf } from "../replica/partition_owner.ts";

const PRODUCE_API_KEY = 0;
const FIRST_FLEXIBLE_VERSION = 9;
const LAST_VERSION_READ = 12;

/** Topic name → the hash its partitions' owners derive from; replaced whole when the metadata changes. */
export class OwnerTable {
  private bases = new Map<string, number>();

  constructor(readonly handlerCount: number) {}

  /** [topic name, topic id] pairs of every topic. */
  replace(topics: Iterable<readonly [string, string]>): void {
    const next = new Map<string, number>();
    // ownerOf(id, p) = (base(id) + p) mod M: keep base(id) mod M, found from partition 0.
    for (const [name, topicId] of topics) next.set(name, ownerOf(topicId, 0, this.handlerCount));
    this.bases = next;
  }

  /** The owner of `name`'s partition `partition`, or -1 for an unknown topic. */
  ownerOf(name: string, partition: number): number {
    const base = this.bases.get(name);
    if (base === undefined || partition < 0) return -1;
    return (base + partition) % this.handlerCount;
  }
}

/** The handler owning every partition of this Produce frame (no size prefix), or -1. */
export function produceOwner(frame: Uint8Array, version: number, table: OwnerTable): number {
  if (version > LAST_VERSION_READ || frame.byteLength < 10) return -1;
  if (((frame[0] << 8) | frame[1]) !== PRODUCE_API_KEY) return -1;
  const flexible = version >= FIRST_FLEXIBLE_VERSION;
  const c = new Cursor(frame, 8);
  c.skip(Math.max(0, c.int16())); // client_id: a classic nullable string even in header v2
  if (flexible) c.skipTaggedFields();
  if (version >= 3) c.skip(Math.max(0, flexible ? c.uvarint() - 1 : c.int16())); // transactional_id (nullable)
  c.skip(6); // acks, timeout_ms
  let owner = -1;
  const topics = flexible ? c.uvarint() - 1 : c.int32();
  for (let t = 0; t < topics && c.pos >= 0; t++) {
    const name = c.asciiString(flexible ? c.uvarint() - 1 : c.int16());
    const partitions = flexible ? c.uvarint() - 1 : c.int32();
    for (let p = 0; p < partitions && c.pos >= 0; p++) {
      const here = name === null ? -1 : table.ownerOf(name, c.int32());
      if (here < 0 || (owner >= 0 && here !== owner)) return -1;
      owner = here;
      c.skip(Math.max(0, flexible ? c.uvarint() - 1 : c.int32())); // records
      if (flexible) c.skipTaggedFields();
    }
    if (flexible) c.skipTaggedFields();
  }
  return c.pos >= 0 && c.pos <= frame.byteLength ? owner : -1;
}

/** A read position that becomes -1, and stays there, at the first read past the end. */
class Cursor {
  constructor(private readonly bytes: Uint8Array, public pos: number) {}

  private fits(n: number): boolean {
    if (this.pos < 0 || this.pos + n > this.bytes.byteLength) {
      this.pos = -1;
      return false;
    }
    return true;
  }

  skip(n: number): void {
    if (n < 0 || !this.fits(n)) this.pos = -1;
    else this.pos += n;
  }

  int16(): number {
    if (!this.fits(2)) return -1;
    const b = this.bytes;
    const value = ((b[this.pos] << 24) >> 16) | b[this.pos + 1];
    this.pos += 2;
    return value;
  }

  int32(): number {
    if (!this.fits(4)) return -1;
    const b = this.bytes;
    const value = (b[this.pos] << 24) | (b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3];
    this.pos += 4;
    return value;
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (!this.fits(1)) return -1;
      const b = this.bytes[this.pos++];
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
    }
    this.pos = -1;
    return -1;
  }

  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count && this.pos >= 0; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }

  /** A topic name (ASCII by Kafka's rules), or null for a null, negative or non-ASCII one. */
  asciiString(length: number): string | null {
    if (length < 0 || !this.fits(length)) return null;
    let s = "";
    for (let i = this.pos; i < this.pos + length; i++) {
      const ch = this.bytes[i];
      if (ch >= 0x80) {
        this.pos += length;
        return null;
      }
      s += String.fromCharCode(ch);
    }
    this.pos += length;
    return s;
  }
}
