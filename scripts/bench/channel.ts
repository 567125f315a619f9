/**
 * RequestChannel micro-benchmark: what does one processor→handler→processor round trip cost between two Workers?
 *
 * Variants (the envelope is what the processor sends today: connection, sequence, listener, client, principal):
 *   transfer  one postMessage per request and per answer, the frame's ArrayBuffer transferred (tsbroker today)
 *   batch     src/network/batch_port.ts: the envelopes of one task posted as one array (queueMicrotask), both ways
 *   ring      src/network/ring_channel.ts: a SharedArrayBuffer ring per direction, frames copied in, wake-ups by
 *             Atomics.waitAsync only when the reader sleeps; frames over 16 KiB (or a quarter of the ring) go over the
 *             port, transferred
 *
 * For 100 B, 1 KiB, 64 KiB and 1 MiB frames with 1 and 16 requests in flight it reports requests/s, round-trip
 * latency (p50, p99) and CPU per request: the process's CPU time (all threads, node:process cpuUsage) over the
 * requests answered. Each case warms up, then measures; the runs are interleaved and the median run is shown.
 *   deno run -A scripts/bench/channel.ts [--runs 3] [--seconds 1.5] [--ring-kib 256] [--max-inline 16384]
 *     [--variants transfer,batch,ring] [--sizes 100,1024,65536,1048576] [--inflight 1,16] [--json out.json]
 *   bun scripts/bench/channel.ts ...
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { RingReader, RingWriter } from "../../src/network/ring_channel.ts";
import { BatchingPort } from "../../src/network/batch_port.ts";
import type { RequestEnvelope, ResponseEnvelope } from "../../src/network/request_channel.ts";
import {
  createRingLinkBuffers,
  readResponse,
  type RingLinkBuffers,
  sendRequest,
} from "../../src/network/ring_envelopes.ts";
import type { EchoInit } from "./channel_echo_worker.ts";

type Variant = "transfer" | "batch" | "ring";

interface Result {
  variant: Variant;
  size: number;
  inflight: number;
  rate: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
  wakesPerRequest: number;
}

/** One side of a variant: `send` a request, `onAnswer(id)` for each answer. */
interface Link {
  send(id: number): void;
  close(): void;
  wakes(): number;
}

const CLIENT = "127.0.0.1:55555";
const PRINCIPAL = "User:ANONYMOUS";

function transferLink(port: MessagePort, size: number, onAnswer: (id: number) => void): Link {
  port.onmessage = (m: MessageEvent) => onAnswer(m.data.conn);
  return {
    send(id) {
      const frame = new ArrayBuffer(size);
      port.postMessage({ conn: id, seq: 0, frame, listener: 0, client: CLIENT, principal: PRINCIPAL }, [frame]);
    },
    close: () => port.close(),
    wakes: () => 0,
  };
}

/** src/network/batch_port.ts: the envelopes of one task leave as one message. */
function batchLink(port: MessagePort, size: number, onAnswer: (id: number) => void): Link {
  const batching = new BatchingPort<RequestEnvelope, ResponseEnvelope>(port);
  batching.onmessage = (m: MessageEvent) => onAnswer((m.data as ResponseEnvelope).conn);
  return {
    send(id) {
      const frame = new ArrayBuffer(size);
      batching.postMessage({ conn: id, seq: 0, frame, listener: 0, client: CLIENT, principal: PRINCIPAL }, [frame]);
    },
    close: () => batching.close(),
    wakes: () => 0,
  };
}

/**
 * What the processor and handler would run (src/network/ring_envelopes.ts): the same envelopes as today, strings
 * encoded and decoded per request, each inline frame copied out of the ring by its reader.
 */
function ringLink(
  port: MessagePort,
  size: number,
  onAnswer: (id: number) => void,
  buffers: RingLinkBuffers,
  maxInline: number,
): Link {
  const writer = new RingWriter(buffers.requests, port, maxInline);
  const reader = new RingReader(buffers.responses, port, (m) => onAnswer(readResponse(m).conn));
  return {
    send(id) {
      const frame = new ArrayBuffer(size);
      sendRequest(writer, { conn: id, seq: 0, frame, listener: 0, client: CLIENT, principal: PRINCIPAL });
    },
    close() {
      reader.stop();
      port.close();
    },
    wakes: () => writer.stats().readerWakes + reader.stats().readerWakes,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

interface Options {
  seconds: number;
  ringKiB: number;
  /** Largest frame copied into the ring; 0: a quarter of the ring. */
  maxInline: number;
}

async function measure(variant: Variant, size: number, inflight: number, o: Options) {
  const worker = new Worker(new URL("./channel_echo_worker.ts", import.meta.url).href, { type: "module" });
  const channel = new MessageChannel();
  const buffers = createRingLinkBuffers(o.ringKiB * 1024);
  const maxInline = o.maxInline || Math.min(16384, o.ringKiB * 256);
  const init: EchoInit = variant === "ring"
    ? { variant, port: channel.port2, buffers, maxInline }
    : { variant, port: channel.port2 };
  worker.postMessage(init, [channel.port2]);

  const sentAt = new Float64Array(1 << 16);
  const rtts = new Float64Array(1 << 22);
  let measured = 0, nextId = 0, measuring = false, stopping = false;
  let cpuStart = process.cpuUsage(), wakesStart = 0;
  const finished = Promise.withResolvers<void>();
  const onAnswer = (id: number) => {
    const now = performance.now();
    if (measuring && measured < rtts.length) rtts[measured++] = now - sentAt[id & 0xffff];
    if (stopping) return;
    sentAt[nextId & 0xffff] = performance.now();
    link.send(nextId++);
  };
  const link: Link = variant === "transfer"
    ? transferLink(channel.port1, size, onAnswer)
    : variant === "batch"
    ? batchLink(channel.port1, size, onAnswer)
    : ringLink(channel.port1, size, onAnswer, buffers, maxInline);
  for (let i = 0; i < inflight; i++) {
    sentAt[nextId & 0xffff] = performance.now();
    link.send(nextId++);
  }
  const warmUp = Math.min(0.5, o.seconds / 3) * 1000;
  setTimeout(() => {
    measuring = true;
    cpuStart = process.cpuUsage();
    wakesStart = link.wakes();
    const started = performance.now();
    setTimeout(() => {
      measuring = false;
      stopping = true;
      const cpu = process.cpuUsage(cpuStart);
      const elapsed = (performance.now() - started) / 1000;
      const wakes = link.wakes() - wakesStart;
      const sorted = rtts.slice(0, measured).sort();
      finished.resolve();
      result = {
        variant,
        size,
        inflight,
        rate: measured / elapsed,
        p50: percentile(sorted, 0.5) * 1000,
        p99: percentile(sorted, 0.99) * 1000,
        cpuPerRequest: (cpu.user + cpu.system) / measured,
        wakesPerRequest: wakes / measured,
      };
    }, o.seconds * 1000);
  }, warmUp);
  let result!: Result;
  await finished.promise;
  link.close();
  worker.terminate();
  return result;
}

function median(results: Result[]): Result {
  const byCpu = [...results].sort((a, b) => a.cpuPerRequest - b.cpuPerRequest);
  return byCpu[Math.floor(byCpu.length / 2)];
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      runs: { type: "string", default: "3" },
      seconds: { type: "string", default: "1.5" },
      "ring-kib": { type: "string", default: "256" },
      "max-inline": { type: "string", default: "0" },
      variants: { type: "string", default: "transfer,batch,ring" },
      sizes: { type: "string", default: "100,1024,65536,1048576" },
      inflight: { type: "string", default: "1,16" },
      json: { type: "string" },
    },
  });
  const runtime = "Deno" in globalThis ? "deno" : "bun";
  const variants = values.variants.split(",") as Variant[];
  const sizes = values.sizes.split(",").map(Number), inflights = values.inflight.split(",").map(Number);
  const options: Options = {
    seconds: Number(values.seconds),
    ringKiB: Number(values["ring-kib"]),
    maxInline: Number(values["max-inline"]),
  };
  const runs: Result[][] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    const results: Result[] = [];
    for (const size of sizes) {
      for (const inflight of inflights) {
        for (const variant of variants) {
          results.push(await measure(variant, size, inflight, options));
        }
      }
    }
    runs.push(results);
  }
  const inline = options.maxInline || Math.min(16384, options.ringKiB * 256);
  console.log(
    `${runtime}: median of ${runs.length} runs (by CPU per request), ring ${options.ringKiB} KiB, inline ≤ ${inline} B`,
  );
  console.log("| variant  | frame   | in flight | req/s   | p50 µs | p99 µs | CPU µs/req | wakes/req |");
  const medians = runs[0].map((_, i) => median(runs.map((r) => r[i])));
  for (const r of medians) {
    console.log(
      `| ${r.variant.padEnd(8)} | ${String(r.size).padStart(7)} | ${String(r.inflight).padStart(9)} | ${
        fmt(r.rate).padStart(7)
      } | ${fmt(r.p50, 1).padStart(6)} | ${fmt(r.p99, 1).padStart(6)} | ${fmt(r.cpuPerRequest, 1).padStart(10)} | ${
        fmt(r.wakesPerRequest, 2).padStart(9)
      } |`,
    );
  }
  if (values.json) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(values.json, JSON.stringify({ runtime, runs, medians }, null, 2));
  }
}
