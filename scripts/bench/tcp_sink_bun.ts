/**
 * Raw loopback TCP ceiling for Bun: a sink that discards what it receives,
 * with the same listener API as tsbroker's Bun adapter (src/runtime/bun/net.ts:
 * Bun.listen with data callbacks). Prints "listening <port>"; the load
 * generator's tcp mode streams 1 MiB writes at it.
 *   bun scripts/bench/tcp_sink_bun.ts
 */
// deno-lint-ignore no-explicit-any
const BunGlobal = (globalThis as any).Bun;

let received = 0;
const server = BunGlobal.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(_socket: unknown, chunk: Uint8Array) {
      received += chunk.byteLength;
    },
    // deno-lint-ignore no-explicit-any
    end(socket: any) {
      socket.end();
    },
    error() {},
  },
});
console.log(`listening ${server.port}`);
void received;
