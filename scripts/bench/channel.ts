/**
 * RequestChannel micro-benchmark: how fast can a processor hand request
 * frames to a handler Worker and get responses back over a MessagePort?
 * Compares the envelope as a structured-cloned object with the frame
 * transferred (what tsbroker uses), the same with the frame copied, and the
 * envelope packed with msgpackr. Run under Deno and Bun:
 *   deno run -A scripts/bench/channel.ts     bun scripts/bench/channel.ts
 */
import { pack } from "msgpackr";

{
  const worker = new Worker(new URL("./channel_echo_worker.ts", import.meta.url).href, { type: "module" });
  const channel = new MessageChannel();
  worker.postMessage({ port: channel.port2 }, [channel.port2]);
  const port = channel.port1;
  const runtime = "Deno" in globalThis ? "deno" : "bun";

  const run = async (label: string, size: number, seconds: number, send: (frame: ArrayBuffer, id: number) => void) => {
    const inflight = 16;
    let done = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await new Promise<void>((resolve) => {
      port.onmessage = () => {
        done++;
        if (performance.now() >= end) {
          if (done > 0) resolve();
          return;
        }
        send(new ArrayBuffer(size), done);
      };
      for (let i = 0; i < inflight; i++) send(new ArrayBuffer(size), i);
    });
    const elapsed = (performance.now() - start) / 1000;
    const rate = done / elapsed;
    console.log(
      `${runtime} ${label.padEnd(34)} ${String(size).padStart(6)} B: ${(rate / 1000).toFixed(0).padStart(5)}k req/s  ${
        (rate * size * 2 / 1e9).toFixed(2)
      } GB/s both ways`,
    );
  };

  for (const size of [1024, 65536, 1048576]) {
    await run(
      "object + transferred frame",
      size,
      2,
      (frame, id) =>
        port.postMessage({ conn: id, frame, listener: 0, client: "127.0.0.1:5555", principal: "User:ANONYMOUS" }, [
          frame,
        ]),
    );
    await run(
      "object + copied frame",
      size,
      2,
      (frame, id) =>
        port.postMessage({ conn: id, frame, listener: 0, client: "127.0.0.1:5555", principal: "User:ANONYMOUS" }),
    );
    await run("msgpackr envelope (frame inside)", size, 2, (frame, id) => {
      const packed = pack({
        conn: id,
        frame: new Uint8Array(frame),
        listener: 0,
        client: "127.0.0.1:5555",
        principal: "User:ANONYMOUS",
      });
      const bytes = new Uint8Array(packed.byteLength);
      bytes.set(packed);
      port.postMessage(bytes, [bytes.buffer]);
    });
  }
  worker.terminate();
  port.close();
}
