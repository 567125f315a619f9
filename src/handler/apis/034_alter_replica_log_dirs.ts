/**
 * AlterReplicaLogDirs (key 34), v0–v2 (v2 is flexible).
 *
 * Moves each named partition to the named log dir while it keeps serving:
 * its owner copies the log into `<dir>/<topic>-<p>.<id>-future`, catches up
 * with appends, then swaps (src/replica/replica_mover.ts); the answer comes
 * at once, as Kafka's does, and DescribeLogDirs shows the future replica
 * until the move is done. A partition already in that dir is left there (a
 * move elsewhere in progress is called off).
 *
 * Errors per partition, in Kafka's order: a path that is not one of
 * log.dirs is LOG_DIR_NOT_FOUND, an offline dir KAFKA_STORAGE_ERROR; then
 * an unknown topic or partition UNKNOWN_TOPIC_OR_PARTITION, an offline
 * partition KAFKA_STORAGE_ERROR. A partition named under two dirs is moved
 * to the last one named. No version differences but the flexible encoding.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type AlterReplicaLogDirsRequest,
  type AlterReplicaLogDirsResponse,
  decodeAlterReplicaLogDirsRequest,
  encodeAlterReplicaLogDirsResponse,
} from "../../protocol/generated/alter_replica_log_dirs.ts";
import type { MoveItem } from "../../replica/log_dir_ops.ts";
import { logDirStatus } from "../../replica/log_dirs.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const alterReplicaLogDirsHandler = defineApi<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: 34,
  name: "AlterReplicaLogDirs",
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: decodeAlterReplicaLogDirsRequest,
  encodeResponse: encodeAlterReplicaLogDirsResponse,
  async handle(request, ctx) {
    requireCluster(ctx);
    const { metadata } = ctx.broker;
    const dirs = new Map(logDirStatus(ctx.broker.config["log.dirs"]).map((d) => [d.path, d.offline]));
    // Kafka answers per topic-partition (the last dir named for one wins), topics in first-seen order.
    const wanted = new Map<string, Map<number, string>>();
    for (const dir of request.dirs) {
      for (const topic of dir.topics) {
        if (!wanted.has(topic.name)) wanted.set(topic.name, new Map());
        for (const p of topic.partitions) wanted.get(topic.name)!.set(p, dir.path);
      }
    }
    const items: MoveItem[] = [];
    const slots = new Map<string, number>();
    const results = [...wanted].map(([name, partitions]) => ({
      topicName: name,
      partitions: [...partitions].map(([partitionIndex, dir]) => {
        const image = metadata.byName.get(name);
        const absolute = logDirStatus([dir])[0].path;
        let errorCode: number = ErrorCode.NONE;
        if (!dirs.has(absolute)) errorCode = ErrorCode.LOG_DIR_NOT_FOUND;
        else if (dirs.get(absolute) !== null) errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
        else if (!image || partitionIndex < 0 || partitionIndex >= image.partitions) {
          errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else {
          items.push({ topicId: image.topicId, partition: partitionIndex, dir: absolute });
          slots.set(`${name}\u0000${partitionIndex}`, items.length - 1);
        }
        return { partitionIndex, errorCode };
      }),
    }));
    if (items.length > 0) {
      const codes = await ctx.broker.partitions.run({ op: "alterLogDir", items });
      for (const topic of results) {
        for (const p of topic.partitions) {
          const slot = slots.get(`${topic.topicName}\u0000${p.partitionIndex}`);
          if (slot !== undefined) p.errorCode = codes[slot];
        }
      }
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, _ctx, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.dirs.flatMap((dir) =>
        dir.topics.map((topic) => ({
          topicName: topic.name,
          partitions: topic.partitions.map((partitionIndex) => ({ partitionIndex, errorCode })),
        }))
      ),
    };
  },
});
