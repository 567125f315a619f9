/** The handler side of scripts/bench/channel.ts: echo each frame back, transferred. */
(self as unknown as { onmessage: (e: MessageEvent) => void }).onmessage = (e: MessageEvent) => {
  const port = e.data.port as MessagePort;
  port.onmessage = (m: MessageEvent) => {
    const d = m.data;
    if (d instanceof Uint8Array) {
      port.postMessage(d, [d.buffer]);
      return;
    }
    port.postMessage({ conn: d.conn, action: "send", frame: d.frame, length: d.frame.byteLength, error: 0 }, [d.frame]);
  };
};
