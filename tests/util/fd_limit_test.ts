import { test } from "node:test";
import assert from "node:assert/strict";
import { openFilesLimit, parseOpenFilesLimit } from "../../src/util/fd_limit.ts";

const SAMPLE = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test("the soft open-files limit is read from /proc/self/limits text", () => {
  assert.equal(parseOpenFilesLimit(SAMPLE), 1024);
});

test("an unlimited or missing open-files line gives null", () => {
  assert.equal(parseOpenFilesLimit(SAMPLE.replace("1024  ", "unlimited")), null);
  assert.equal(parseOpenFilesLimit("Limit Soft Hard\n"), null);
});

test("this process has a positive limit on Linux", () => {
  const limit = openFilesLimit();
  if (process.platform === "linux") assert.ok(limit !== null && limit > 0, String(limit));
});
