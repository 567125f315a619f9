/**
 * Micro benchmark of the generated codecs on two hot-path shapes:
 *  - Metadata v12 response, 100 topics x 8 partitions (3 replicas each)
 *  - Produce v9 request, 1 topic x 8 partitions of 64 KiB records
 *
 *   deno run -A scripts/protocol/bench_codec.ts
 *   bun scripts/protocol/bench_codec.ts
 *
 * The Writer is reused across iterations (reset), as a connection would.
 */
import { Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { randomUuid } from "../../src/protocol/io/uuid.ts";
import {
  decodeMetadataResponse,
  encodeMetadataResponse,
  type MetadataResponse,
} from "../../src/protocol/generated/metadata.ts";
import {
  decodeProduceRequest,
  encodeProduceRequest,
  type ProduceRequest,
} from "../../src/protocol/generated/produce.ts";

function metadataResponse(): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [1, 2, 3].map((id) => ({
      nodeId: id,
      host: `broker-${id}.example.internal`,
      port: 9092,
      rack: `rack-${id}`,
    })),
    clusterId: "tsbroker-cluster-0001",
    controllerId: 1,
    topics: Array.from({ length: 100 }, (_, t) => ({
      errorCode: 0,
      name: `orders.events.topic-${t}`,
      topicId: randomUuid(),
      isInternal: false,
      partitions: Array.from({ length: 8 }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: 1 + (p % 3),
        leaderEpoch: 12,
        replicaNodes: [1, 2, 3],
        isrNodes: [1, 2, 3],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: -2147483648,
    })),
    clusterAuthorizedOperations: -2147483648,
  };
}

function produceRequest(): ProduceRequest {
  const records = new Uint8Array(64 * 1024);
  for (let i = 0; i < records.length; i++) records[i] = i & 0xff;
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{
      name: "orders.events",
      partitionData: Array.from(
        { length: 8 },
        (_, p) => ({ index: p, records }),
      ),
    }],
  };
}

function bench(name: string, fn: () => void, bytesPerOp = 0): void {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 1500) {
    for (let i = 0; i < 20; i++) fn();
    ops += 20;
    elapsed = performance.now() - start;
  }
  const perSec = (ops / elapsed) * 1000;
  const mb = bytesPerOp > 0 ? `  ${((perSec * bytesPerOp) / 1e9).toFixed(2)} GB/s` : "";
  console.log(
    `${name.padEnd(46)} ${Math.round(perSec).toLocaleString("en-US").padStart(10)} ops/s  ${
      (1e6 / perSec).toFixed(1).padStart(8)
    } µs/op${mb}`,
  );
}

function run(
  label: string,
  version: number,
  msg: unknown,
  encode: (w: Writer, v: number, m: never) => void,
  decode: (r: Reader, v: number) => unknown,
) {
  const w = new Writer(1 << 16);
  encode(w, version, msg as never);
  const bytes = w.finish().slice();
  console.log(`${label}: ${bytes.length.toLocaleString("en-US")} bytes`);
  bench(`  encode`, () => {
    w.reset();
    encode(w, version, msg as never);
  }, bytes.length);
  bench(`  decode`, () => {
    decode(new Reader(bytes), version);
  }, bytes.length);
  bench(`  decode + encode`, () => {
    const m = decode(new Reader(bytes), version);
    w.reset();
    encode(w, version, m as never);
  }, bytes.length);
}

const runtime = "Bun" in globalThis
  ? `bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : "Deno" in globalThis
  ? `deno ${
    (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno
      .version.deno
  }`
  : "unknown";
console.log(`runtime: ${runtime}`);
run(
  "Metadata v12 response, 100 topics x 8 partitions",
  12,
  metadataResponse(),
  encodeMetadataResponse,
  decodeMetadataResponse,
);
run(
  "Produce v9 request, 8 partitions x 64 KiB records",
  9,
  produceRequest(),
  encodeProduceRequest,
  decodeProduceRequest,
);
