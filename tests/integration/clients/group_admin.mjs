/**
 * Group administration through kafkajs' admin client (DescribeGroups v0–v2,
 * ListGroups v0–v2, DeleteGroups v0–v1, OffsetFetch, and OffsetCommit via
 * setOffsets/resetOffsets, which join the group with a short-lived
 * consumer). Runs a JSON list of operations in order and prints one JSON
 * result per operation: {"ok": true, ...} or {"ok": false, "type", "code",
 * "message", "groups"?} (kafkajs' error type, e.g. NON_EMPTY_GROUP).
 *
 * usage: node group_admin.mjs BOOTSTRAP 'JSON_OPS'
 * ops: {"op": "describe", "groups": [ids]} -> {"groups": [{"groupId", "errorCode", "state", "protocolType",
 *          "protocol", "members": [{"memberId", "clientId", "clientHost", "topics", "assignment"}]}]}
 *      {"op": "list"} -> {"groups": [{"groupId", "protocolType"}]}
 *      {"op": "fetchOffsets", "groupId", "topic", "resolveOffsets"?} -> {"offsets": [offset of partition 0, 1, ..]}
 *          (resolveOffsets: kafkajs turns committed -2/-1 into the earliest/latest offset and commits those)
 *      {"op": "setOffsets", "groupId", "topic", "partitions": [{"partition", "offset"}]}
 *      {"op": "resetOffsets", "groupId", "topic", "earliest"}
 *      {"op": "deleteGroups", "groupIds": [ids]} -> {"results": [{"groupId", "errorCode"}]}
 */
import kafkajs from "kafkajs";

const { Kafka, logLevel, AssignerProtocol } = kafkajs;
const [bootstrap, opsJson] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: "tsbroker-group-admin",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 3 },
});
const admin = kafka.admin();
await admin.connect();

/** [[topic, [partitions]], ...] sorted, from a member's consumer-protocol assignment bytes. */
function assignment(bytes) {
  if (!bytes || bytes.length === 0) return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(bytes);
  if (!decoded) return [];
  return Object.entries(decoded.assignment)
    .map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

function topics(bytes) {
  if (!bytes || bytes.length === 0) return [];
  return AssignerProtocol.MemberMetadata.decode(bytes)?.topics ?? [];
}

const results = [];
for (const op of JSON.parse(opsJson)) {
  try {
    switch (op.op) {
      case "describe": {
        const { groups } = await admin.describeGroups(op.groups);
        results.push({
          ok: true,
          groups: groups.map((g) => ({
            groupId: g.groupId,
            errorCode: g.errorCode,
            state: g.state,
            protocolType: g.protocolType,
            protocol: g.protocol,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              topics: topics(m.memberMetadata),
              assignment: assignment(m.memberAssignment),
            })),
          })),
        });
        break;
      }
      case "list":
        results.push({ ok: true, groups: (await admin.listGroups()).groups });
        break;
      case "fetchOffsets": {
        const fetched = await admin.fetchOffsets({
          groupId: op.groupId,
          topics: [op.topic],
          resolveOffsets: op.resolveOffsets ?? false,
        });
        const partitions = fetched.find((t) => t.topic === op.topic)?.partitions ?? [];
        const offsets = [];
        for (const p of partitions) offsets[p.partition] = Number(p.offset);
        results.push({ ok: true, offsets });
        break;
      }
      case "setOffsets":
        await admin.setOffsets({ groupId: op.groupId, topic: op.topic, partitions: op.partitions });
        results.push({ ok: true });
        break;
      case "resetOffsets":
        await admin.resetOffsets({ groupId: op.groupId, topic: op.topic, earliest: op.earliest });
        results.push({ ok: true });
        break;
      case "deleteGroups":
        results.push({ ok: true, results: (await admin.deleteGroups(op.groupIds)).map(pick) });
        break;
      default:
        throw new Error(`unknown op ${op.op}`);
    }
  } catch (e) {
    results.push({
      ok: false,
      name: e.name,
      type: e.type ?? null,
      code: e.code ?? null,
      message: e.message,
      groups: e.groups ? e.groups.map(pick) : undefined,
    });
  }
}
await admin.disconnect();
console.log(JSON.stringify(results));

function pick(r) {
  return { groupId: r.groupId, errorCode: r.errorCode };
}
