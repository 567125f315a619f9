/**
 * Durable mode with a pipelining client: acks=all produces are released to
 * the processor once appended, so a connection's next request runs while
 * the previous one waits for its fdatasync. Whatever the handlers finish
 * first, the broker must answer in request order (correlation ids in
 * sequence, a Metadata request between the produces answered in its
 * place), give each partition contiguous offsets in request order, and
 * keep every acknowledged record: kcat reads them back after a SIGKILL and
 * restart. Two handlers, so partitions have different owners. Run with
 * each tsbroker.request.channel (one postMessage per message, the messages
 * of one task batched, or SharedArrayBuffer rings between processors and
 * handlers), since early release and ordering cross it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Flavour, startBroker } from "./_broker.ts";
import { requestFrame, WireClient } from "./_wire.ts";
import { kcatRead } from "./_data_path.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";
import { responseHeaderVersion } from "../../src/protocol/api_headers.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import {
  decodeMetadataResponse,
  defaultMetadataRequest,
  defaultMetadataRequestTopic,
  encodeMetadataRequest,
} from "../../src/protocol/generated/metadata.ts";

const utf8 = new TextEncoder();
const PARTITIONS = 4;
const PRODUCES = 48;
const RECORDS = 3;

function frame<T>(
  apiKey: number,
  version: number,
  correlationId: number,
  body: T,
  encode: (w: Writer, v: number, m: T) => void,
) {
  return requestFrame(apiKey, version, correlationId, "pipelining-test", body, encode);
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`durable produce with pipelined requests, broker under ${flavour}`, () => {
    for (const channel of ["transfer", "batch", "ring"]) {
      test(`answers and offsets in request order, acknowledged records survive a crash (${channel})`, async () => {
        await pipelinedDurableProduce(flavour, channel);
      });
    }
  });
}

async function pipelinedDurableProduce(flavour: Flavour, channel: string): Promise<void> {
  const overrides = {
    "tsbroker.fsync.acks.all": true,
    "num.io.threads": 2,
    "num.partitions": PARTITIONS,
    "tsbroker.request.channel": channel,
  };
  let broker = await startBroker(flavour, { overrides });
  const dataDir = broker.dataDir;
  try {
    const client = await WireClient.connect(broker.port);
    // Create the topic (auto-creation through Metadata) and wait for its partitions.
    const create = { ...defaultMetadataRequest(), topics: [{ ...defaultMetadataRequestTopic(), name: "piped" }] };
    client.write(frame(3, 9, 1, create, encodeMetadataRequest));
    assert.ok(await client.readFrame());

    // Everything written at once.
    const { all, expected } = pipelinedFrames();
    client.write(all);

    const nextOffset = new Array(PARTITIONS).fill(0n);
    const acked: string[][] = Array.from({ length: PARTITIONS }, () => []);
    for (const want of expected) {
      const bytes = await client.readFrame();
      assert.ok(bytes, "the broker closed the connection");
      const r = new Reader(bytes);
      const apiKey = want.kind === "produce" ? 0 : 3;
      const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, 9));
      assert.equal(header.correlationId, want.correlationId, "answers leave in request order");
      if (want.kind === "metadata") {
        assert.ok(decodeMetadataResponse(r, 9).topics.some((t) => t.name === "piped"));
        continue;
      }
      const [p] = decodeProduceResponse(r, 9).responses[0].partitionResponses;
      assert.equal(p.errorCode, ErrorCode.NONE);
      assert.equal(p.index, want.partition);
      assert.equal(
        p.baseOffset,
        nextOffset[want.partition!],
        `partition ${want.partition}: offsets follow request order`,
      );
      nextOffset[want.partition!] += BigInt(RECORDS);
      acked[want.partition!].push(...want.values!);
    }
    client.destroy();

    // Acknowledged means synced: a SIGKILL loses none of it.
    assert.equal(await broker.stop("SIGKILL"), null);
    broker = await startBroker(flavour, { overrides, dataDir });
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const read = await kcatRead(broker, "piped", { partition, format: "%s\\n" });
      assert.deepEqual(read, acked[partition]);
    }
  } finally {
    await broker.stop();
  }
}

type Expected = { correlationId: number; kind: "produce" | "metadata"; partition?: number; values?: string[] };

/** Produces to partitions round robin, a Metadata request every 8th, as one buffer, and the answers expected. */
function pipelinedFrames(): { all: Uint8Array; expected: Expected[] } {
  const expected: Expected[] = [];
  const frames: Uint8Array[] = [];
  let correlationId = 100;
  for (let i = 0; i < PRODUCES; i++) {
    if (i % 8 === 4) {
      frames.push(
        frame(3, 9, correlationId, { ...defaultMetadataRequest(), topics: null }, encodeMetadataRequest),
      );
      expected.push({ correlationId: correlationId++, kind: "metadata" });
    }
    const partition = i % PARTITIONS;
    const values = Array.from({ length: RECORDS }, (_, r) => `p${partition}-req${i}-r${r}`);
    const body = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{
        name: "piped",
        partitionData: [{
          index: partition,
          records: buildBatch(values.map((v) => ({ key: null, value: utf8.encode(v) }))),
        }],
      }],
    };
    frames.push(frame(0, 9, correlationId, body, encodeProduceRequest));
    expected.push({ correlationId: correlationId++, kind: "produce", partition, values });
  }
  const all = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  frames.reduce((at, f) => (all.set(f, at), at + f.byteLength), 0);
  return { all, expected };
}
