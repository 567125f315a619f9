/** Deno's HostRuntime: listeners, Workers, HTTP, signals and exit. */
import type { HostRuntime, WorkerHandle, WorkerKind } from "../types.ts";
import { listenDeno } from "./net.ts";

export const denoRuntime: HostRuntime = {
  name: "deno",
  version: Deno.version.deno,
  reusePortBalances: Deno.build.os === "linux",
  // A message event costs Deno more than a wake-up by Atomics.waitAsync: the ring cut small_produce's broker CPU
  // per request by about a third.
  requestChannel: "ring",
  listen: listenDeno,
  spawnWorker(kind: WorkerKind, name: string): WorkerHandle {
    // Literal URLs, so `deno compile --include` and bundlers can see them.
    const url = kind === "processor"
      ? new URL("./processor_worker.ts", import.meta.url).href
      : new URL("./handler_worker.ts", import.meta.url).href;
    return new Worker(url, { type: "module", name }) as unknown as WorkerHandle;
  },
  serveHttp(host, port, handler) {
    const server = Deno.serve(
      { hostname: host || "0.0.0.0", port, onListen: () => {} },
      async (request) => {
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
    );
    return Promise.resolve({ port: server.addr.port, close: () => server.shutdown() });
  },
  onShutdownSignal(handler) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => handler(signal));
    }
  },
  exit: (code) => Deno.exit(code),
  args: () => Deno.args,
};
