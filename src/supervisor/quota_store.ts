/**
 * The controller's client quotas (Kafka keeps them as ClientQuotaRecords in
 * the metadata log): per entity (user, client-id, both, or ip; null names are
 * defaults) its quota values. Kept in `<log dir>/__tsbroker_client_quotas.json`,
 * replaced atomically on every change and read at start; the controller
 * publishes them in the metadata image, where every handler's quota manager
 * reads them. The checks live in src/cluster/quota/quota_alter.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { errorMessage, writeFileAtomic } from "../util/atomic_file.ts";
import { entityKey, type QuotaRecord } from "../cluster/quota/quota_entity.ts";
import { alterQuotas, type QuotaAlteration, type QuotaAlterOutcome } from "../cluster/quota/quota_alter.ts";

const FILE = "__tsbroker_client_quotas.json";
const FORMAT_VERSION = 1;

export class QuotaStore {
  private records: ReadonlyMap<string, QuotaRecord>;

  private constructor(private readonly file: string, records: readonly QuotaRecord[]) {
    this.records = new Map(records.map((r) => [entityKey(r.entity), r]));
  }

  static open(logDir: string): QuotaStore {
    const file = path.join(logDir, FILE);
    if (!fs.existsSync(file)) return new QuotaStore(file, []);
    try {
      return new QuotaStore(file, decode(fs.readFileSync(file, "utf8")));
    } catch (e) {
      // Starting without the quotas would lift every limit silently: the operator must decide.
      throw new Error(`client quotas ${file} cannot be read (${errorMessage(e)}); fix or remove the file`);
    }
  }

  all(): QuotaRecord[] {
    return [...this.records.values()];
  }

  /** Applies an AlterClientQuotas; `changed` tells the controller to publish a new image. */
  alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): {
    outcomes: QuotaAlterOutcome[];
    changed: boolean;
  } {
    const { outcomes, records } = alterQuotas(this.records, alterations, validateOnly);
    if (records === this.records) return { outcomes, changed: false };
    writeFileAtomic(this.file, encode([...records.values()]));
    this.records = records;
    return { outcomes, changed: true };
  }
}

function encode(records: readonly QuotaRecord[]): string {
  return JSON.stringify({ version: FORMAT_VERSION, quotas: records }, null, 1) + "\n";
}

function decode(text: string): QuotaRecord[] {
  const data = JSON.parse(text);
  if (data?.version !== FORMAT_VERSION || !Array.isArray(data.quotas)) {
    throw new Error(`expected {"version": ${FORMAT_VERSION}, "quotas": [...]}`);
  }
  return data.quotas.map((q: Record<string, unknown>, i: number): QuotaRecord => {
    const entity = q.entity as Record<string, unknown>;
    const values = q.values as Record<string, unknown>;
    if (typeof entity !== "object" || entity === null || typeof values !== "object" || values === null) {
      throw new Error(`quotas[${i}] needs an entity and values`);
    }
    for (const [t, n] of Object.entries(entity)) {
      if (n !== null && typeof n !== "string") throw new Error(`quotas[${i}].entity.${t} is not a string or null`);
    }
    for (const [k, v] of Object.entries(values)) {
      if (typeof v !== "number" || !(v > 0)) throw new Error(`quotas[${i}].values.${k} is not a positive number`);
    }
    return { entity: entity as Record<string, string | null>, values: values as Record<string, number> };
  });
}
