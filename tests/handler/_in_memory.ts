/**
 * An in-memory transport for handler tests: encode a request with the
 * generated codecs, run it through the RequestHandler (no sockets, no
 * Workers) and decode the response, over a fake broker state.
 */
import type { BrokerState } from "../../src/handler/services/broker_state.ts";
import { type HandledRequest, RequestHandler } from "../../src/handler/request_handler.ts";
import { advertisedVersions, dispatchTable } from "../../src/handler/apis/registry.ts";
import { type MetadataImage, MetadataView, type TopicImage } from "../../src/cluster/metadata_image.ts";
import { loadConfig } from "../../src/config/load.ts";
import { Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { randomUuid } from "../../src/protocol/io/uuid.ts";
import { encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../src/protocol/api_headers.ts";
import { decodeResponseHeader } from "../../src/protocol/generated/headers.ts";
import { Logger } from "../../src/util/logger.ts";

// deno-lint-ignore no-explicit-any
function unavailable(what: string): any {
  return new Proxy({}, {
    get: () => () => {
      throw new Error(`FakeBroker has no ${what}`);
    },
  });
}

export class FakeBroker {
  readonly created: string[][] = [];
  state: BrokerState;

  constructor(topics: Array<Pick<TopicImage, "name" | "partitions">> = [], overrides: string[] = []) {
    const image: MetadataImage = {
      clusterId: "MkU3OEVBNTcwNTJENDM2Qg",
      nodeId: 1,
      listeners: [{ name: "PLAINTEXT", securityProtocol: "PLAINTEXT", host: "broker.example", port: 9092 }],
      topics: topics.map((t) => ({ ...t, topicId: randomUuid(), internal: false, configs: {} })),
    };
    this.state = {
      config: loadConfig({ overrides }),
      metadata: new MetadataView(image),
      apiVersions: advertisedVersions(),
      controller: {
        // Only auto-creation is faked here; the data-path APIs are tested over LocalBroker.
        call: (op) => {
          if (op.op !== "autoCreateTopics") throw new Error(`FakeBroker does not fake ${op.op}`);
          const names = op.names;
          this.created.push(names);
          const next = { ...this.state.metadata.image };
          next.topics = [
            ...next.topics,
            ...names.map((name) => ({ name, partitions: 1, topicId: randomUuid(), internal: false, configs: {} })),
          ];
          this.state.metadata = new MetadataView(next);
          // deno-lint-ignore no-explicit-any
          return Promise.resolve({ op: "autoCreateTopics" } as any);
        },
      },
      partitions: unavailable("partitions"),
      groups: unavailable("groups"),
      // __transaction_state "exists" (FindCoordinator answers this node); coordinator calls are tested over LocalBroker.
      txns: { ...unavailable("txns"), ensureTopic: () => Promise.resolve(true) },
      producerIds: unavailable("producerIds"),
      fetchSessions: unavailable("fetchSessions"),
    };
  }

  readonly handler = new RequestHandler(dispatchTable(), () => this.state, new Logger("test"));

  /** Send raw request bytes (header + body, no size prefix). */
  raw(frame: Uint8Array): Promise<HandledRequest> {
    return this.handler.handle(frame, { listenerIndex: 0, principal: "User:ANONYMOUS", clientAddress: "127.0.0.1:1" });
  }

  /** Encode, handle and decode one request at `version`. */
  async call<Req, Res>(
    apiKey: number,
    version: number,
    request: Req,
    encode: (w: Writer, v: number, m: Req) => void,
    decode: (r: Reader, v: number) => Res,
    correlationId = 123,
  ): Promise<Res> {
    const w = new Writer(128);
    encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: "in-memory",
    });
    encode(w, version, request);
    const result = await this.raw(w.finish().slice());
    if (result.action !== "send") throw new Error(`expected a response, got ${JSON.stringify(result)}`);
    const r = new Reader(result.bytes, 4);
    const header = decodeResponseHeader(r, responseHeaderVersion(apiKey, version));
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}`);
    const response = decode(r, version);
    if (r.remaining() !== 0) throw new Error(`${r.remaining()} bytes left after the response`);
    return response;
  }
}
