/**
 * A TCP proxy for client tests that loses one answer on purpose: it forwards both ways, reads the Kafka
 * framing, and when the broker answers the first Produce request it closes both sides instead of passing
 * the answer on — the broker has appended the batch, the client never hears so and must retry.
 */
import * as net from "node:net";

export interface LossyProxy {
  readonly port: number;
  /** Produce answers dropped so far (at most one). */
  readonly dropped: number;
  close(): Promise<void>;
}

/** Cuts a byte stream into size-prefixed frames. */
function framer(onFrame: (frame: Uint8Array) => void): (chunk: Uint8Array) => void {
  let buf = new Uint8Array(0);
  return (chunk) => {
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    buf = joined;
    while (buf.length >= 4) {
      const size = new DataView(buf.buffer, buf.byteOffset).getInt32(0);
      if (buf.length < 4 + size) break;
      onFrame(buf.slice(0, 4 + size));
      buf = buf.slice(4 + size);
    }
  };
}

export function startLossyProxy(targetHost: string, targetPort: number): Promise<LossyProxy> {
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(client).add(upstream);
    let produceCorrelation: number | null = null;
    client.on(
      "data",
      framer((frame) => {
        const v = new DataView(frame.buffer, frame.byteOffset);
        if (dropped === 0 && produceCorrelation === null && v.getInt16(4) === 0) produceCorrelation = v.getInt32(8);
        upstream.write(frame);
      }),
    );
    upstream.on(
      "data",
      framer((frame) => {
        const correlationId = new DataView(frame.buffer, frame.byteOffset).getInt32(4);
        if (produceCorrelation !== null && correlationId === produceCorrelation && dropped === 0) {
          dropped++;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(frame);
      }),
    );
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      a.on("close", () => b.destroy());
      a.on("error", () => b.destroy());
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        get dropped() {
          return dropped;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
