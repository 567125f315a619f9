import { test } from "node:test";
import assert from "node:assert/strict";
import { leaderEpochError } from "../../../src/handler/apis/leader_epoch.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { LEADER_EPOCH } from "../../../src/replica/local_partition.ts";

test("currentLeaderEpoch: -1 skips the check, ours passes, newer is unknown, older and other negatives are fenced", () => {
  assert.equal(leaderEpochError(-1), ErrorCode.NONE);
  assert.equal(leaderEpochError(LEADER_EPOCH), ErrorCode.NONE);
  assert.equal(leaderEpochError(LEADER_EPOCH + 1), ErrorCode.UNKNOWN_LEADER_EPOCH);
  assert.equal(leaderEpochError(-2), ErrorCode.FENCED_LEADER_EPOCH);
});
