/** Bun's HostRuntime: listeners, Workers, HTTP, signals and exit. */
import process from "node:process";
import type { HostRuntime, WorkerHandle, WorkerKind } from "../types.ts";
import { listenBun } from "./net.ts";

// deno-lint-ignore no-explicit-any
const Bun = (globalThis as any).Bun;

export const bunRuntime: HostRuntime = {
  name: "bun",
  version: Bun?.version ?? "unknown",
  reusePortBalances: process.platform === "linux",
  // Bun's structured clone is cheap and the ring's envelope coding in JavaScript is not: no gain measured.
  requestChannel: "transfer",
  listen: listenBun,
  spawnWorker(kind: WorkerKind, name: string): WorkerHandle {
    // Literal URLs: `bun build --compile` embeds these files only when it can
    // see them (and they are passed as extra entry points).
    const url = kind === "processor"
      ? new URL("./processor_worker.ts", import.meta.url).href
      : new URL("./handler_worker.ts", import.meta.url).href;
    return new Worker(url, { type: "module", name }) as unknown as WorkerHandle;
  },
  serveHttp(host, port, handler) {
    const server = Bun.serve({
      hostname: host || "0.0.0.0",
      port,
      async fetch(request: Request) {
        const url = new URL(request.url);
        const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
        const r = await handler(url.pathname, {
          method: request.method,
          query: url.search.slice(1),
          body,
          contentType: request.headers.get("content-type") ?? "",
          headers: request.headers,
        });
        return new Response(r.body, { status: r.status, headers: { ...r.headers, "content-type": r.contentType } });
      },
    });
    return Promise.resolve({
      port: server.port,
      close: async () => {
        await server.stop(true);
      },
    });
  },
  onShutdownSignal(handler) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => handler(signal));
  },
  exit: (code) => process.exit(code),
  args: () => process.argv.slice(2),
};
