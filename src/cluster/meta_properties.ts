/**
 * `meta.properties` in each log directory, as Kafka (KRaft) writes it: the
 * cluster id, this node's id and the directory's id. Created on first start;
 * afterwards it pins the identity, so a changed `node.id` or a directory from
 * another cluster stops start-up instead of silently mixing data.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUuid } from "../protocol/io/uuid.ts";
import { writeFileAtomic } from "../util/atomic_file.ts";

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

const FILE = "meta.properties";

export function loadOrCreateMetaProperties(logDir: string, nodeId: number, clusterId?: string): MetaProperties {
  fs.mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, FILE);
  if (!fs.existsSync(file)) {
    const meta = { clusterId: clusterId ?? randomUuid(), nodeId, directoryId: randomUuid() };
    writeFileAtomic(file, render(meta));
    return meta;
  }
  const props = parseProperties(fs.readFileSync(file, "utf8"));
  const stored = Number(props.get("node.id"));
  if (stored !== nodeId) {
    throw new Error(`${file} belongs to node.id ${props.get("node.id")}, but the configured node.id is ${nodeId}`);
  }
  const storedCluster = props.get("cluster.id");
  if (!storedCluster) throw new Error(`${file} has no cluster.id`);
  if (clusterId !== undefined && clusterId !== storedCluster) {
    throw new Error(`${file} belongs to cluster ${storedCluster}, not ${clusterId}`);
  }
  return { clusterId: storedCluster, nodeId, directoryId: props.get("directory.id") ?? randomUuid() };
}

function render(meta: MetaProperties): string {
  return [
    "#",
    `#${new Date().toString()}`,
    `cluster.id=${meta.clusterId}`,
    `directory.id=${meta.directoryId}`,
    `node.id=${meta.nodeId}`,
    "version=1",
    "",
  ].join("\n");
}

function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith("!")) continue;
    const at = trimmed.search(/[=:]/);
    if (at > 0) props.set(trimmed.slice(0, at).trim(), trimmed.slice(at + 1).trim());
  }
  return props;
}
