/** `tsbroker cluster info`: the cluster id, controller, brokers with their addresses, and API versions. */
import { API_KEY_NAMES } from "../../protocol/api_keys.ts";
import type { ToolCommand } from "./command.ts";
import { fields, json, table } from "./output.ts";

const info: ToolCommand = {
  path: ["cluster", "info"],
  summary: "Show the cluster id, controller, brokers and the API versions they speak",
  usage: "[--no-apis]",
  args: [0, 0],
  flags: [{ name: "no-apis", type: "boolean", help: "Leave out the API versions table" }],
  async run(ctx) {
    const admin = await ctx.adminClient();
    const cluster = await admin.describeCluster();
    const node = cluster.brokers.some((b) => b.nodeId === cluster.controllerId)
      ? cluster.controllerId
      : cluster.brokers[0]?.nodeId;
    const apis = ctx.flags.bool("no-apis") || node === undefined ? [] : (await admin.apiVersions(node)).map((v) => ({
      ...v,
      name: API_KEY_NAMES[v.apiKey] ?? `unknown(${v.apiKey})`,
    }));
    const out = { ...cluster, apiVersions: apis, apiVersionsOf: node ?? null };
    ctx.emit(out, () => {
      let s = fields([
        ["cluster id", cluster.clusterId],
        ["controller", cluster.controllerId],
        ["brokers", cluster.brokers.length],
      ]);
      s += "\n" + table(
        ["BROKER", "HOST", "PORT", "RACK"],
        cluster.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack]),
      );
      if (apis.length > 0) {
        s += `\nAPI versions of broker ${node}:\n` +
          table(["KEY", "API", "MIN", "MAX"], apis.map((a) => [a.apiKey, a.name, a.minVersion, a.maxVersion]));
      }
      return s;
    }, json);
  },
};

export const clusterCommands: ToolCommand[] = [info];
