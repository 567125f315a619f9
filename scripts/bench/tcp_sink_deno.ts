/**
 * Raw loopback TCP ceiling for Deno: a sink that reads and discards with the
 * same listener API and read size as tsbroker's Deno adapter
 * (src/runtime/deno/net.ts: Deno.listen, 128 KiB reads). Prints
 * "listening <port>"; the load generator's tcp mode streams 1 MiB writes at it.
 *   deno run -A scripts/bench/tcp_sink_deno.ts
 */
const READ_BUFFER_BYTES = 128 * 1024;

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" });
console.log(`listening ${(listener.addr as Deno.NetAddr).port}`);

async function drain(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  try {
    while ((await conn.read(buffer)) !== null) { /* discard */ }
  } catch { /* reset by peer */ }
  try {
    conn.close();
  } catch { /* closed */ }
}

for await (const conn of listener) void drain(conn);
