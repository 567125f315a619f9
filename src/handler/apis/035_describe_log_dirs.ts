/**
 * DescribeLogDirs (key 35), v0–v4 (v2+ flexible).
 *
 * One result per configured log dir (`log.dirs`, absolute paths): the
 * partitions in it, grouped by topic, with their size in bytes, offset lag 0
 * (one node: the log end is the high watermark) and isFuture true for the
 * copy a move in progress is making (AlterReplicaLogDirs), whose offset lag
 * is how far its log end is behind the current log's, as Kafka reports it. A dir that
 * cannot be written is reported with KAFKA_STORAGE_ERROR and no topics, as
 * Kafka reports an offline dir. Null topics means every partition; named
 * partitions that do not exist are left out, as Kafka does.
 *
 * Versions: v3+ adds the top-level errorCode; v4+ the file system's total
 * and usable bytes of each dir (statfs; -1 for an offline dir).
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  decodeDescribeLogDirsRequest,
  type DescribeLogDirsRequest,
  type DescribeLogDirsResponse,
  type DescribeLogDirsResult,
  encodeDescribeLogDirsResponse,
} from "../../protocol/generated/describe_log_dirs.ts";
import type { PartitionRef } from "../../replica/partition_ops.ts";
import { LogDirs, logDirStatus } from "../../replica/log_dirs.ts";
import { requireCluster } from "../services/acl_rules.ts";

export const describeLogDirsHandler = defineApi<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  name: "DescribeLogDirs",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeDescribeLogDirsRequest,
  encodeResponse: encodeDescribeLogDirsResponse,
  async handle(request, ctx) {
    requireCluster(ctx);
    const { metadata } = ctx.broker;
    const items: PartitionRef[] = [];
    const add = (topicId: string, count: number, wanted: (p: number) => boolean) => {
      for (let p = 0; p < count; p++) if (wanted(p)) items.push({ topicId, partition: p });
    };
    if (request.topics === null) {
      for (const topic of metadata.image.topics) add(topic.topicId, topic.partitions, () => true);
    } else {
      for (const t of request.topics) {
        const image = metadata.byName.get(t.topic);
        if (image) add(image.topicId, image.partitions, (p) => t.partitions.includes(p));
      }
    }
    const found = items.length > 0 ? await ctx.broker.partitions.run({ op: "describeLogDirs", items }) : [];
    const results = logDirStatus(ctx.broker.config["log.dirs"]).map(({ path, offline }): DescribeLogDirsResult => {
      if (offline !== null) {
        return {
          errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
          logDir: path,
          topics: [],
          totalBytes: -1n,
          usableBytes: -1n,
        };
      }
      const topics = new Map<string, DescribeLogDirsResult["topics"][number]>();
      for (const replica of found.flat()) {
        if (replica.dir !== path) continue;
        let topic = topics.get(replica.topic);
        if (!topic) topics.set(replica.topic, topic = { name: replica.topic, partitions: [] });
        topic.partitions.push({
          partitionIndex: replica.partition,
          partitionSize: replica.sizeBytes,
          offsetLag: replica.offsetLag,
          isFutureKey: replica.isFuture,
        });
      }
      return { errorCode: ErrorCode.NONE, logDir: path, topics: [...topics.values()], ...LogDirs.space(path) };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  },
  errorResponse(_request, _ctx, errorCode) {
    return { throttleTimeMs: 0, errorCode, results: [] };
  },
});
