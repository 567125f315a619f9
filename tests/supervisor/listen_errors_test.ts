import { test } from "node:test";
import assert from "node:assert/strict";
import { explainListenFailure } from "../../src/supervisor/listen_errors.ts";

const METRICS = { key: "tsbroker.metrics.listener", example: "tsbroker.metrics.listener=127.0.0.1:9465" };

test("a taken port names the address, the key that chose it and an example", () => {
  for (
    const cause of [
      "AddrInUse: Address already in use (os error 98)",
      "Error: Failed to listen at 127.0.0.1 (EADDRINUSE)",
    ]
  ) {
    const text = explainListenFailure(METRICS, "127.0.0.1", 9464, new Error(cause));
    assert.match(
      text,
      /^cannot listen on 127\.0\.0\.1:9464 \(tsbroker\.metrics\.listener\): the port is already in use/,
    );
    assert.match(text, /--override tsbroker\.metrics\.listener=127\.0\.0\.1:9465/);
  }
});

test("the processor's own prefix is not repeated, an empty host reads as all interfaces, other causes are kept", () => {
  const text = explainListenFailure(
    { key: "listeners", example: "listeners=PLAINTEXT://:9093" },
    "",
    80,
    "cannot listen on :80: PermissionDenied: Permission denied",
  );
  assert.match(text, /^cannot listen on 0\.0\.0\.0:80 \(listeners\): permission denied/);
  assert.equal(text.match(/cannot listen/g)?.length, 1);
  assert.match(explainListenFailure(METRICS, "h", 1, "weird failure"), /: weird failure\./);
});
