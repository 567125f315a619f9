/**
 * The SCRAM credentials a processor Worker checks logins against: a copy of
 * the supervisor's store (src/supervisor/scram_store.ts), replaced whole whenever
 * the store changes (AlterUserScramCredentials), so a user created or
 * changed can log in at once on every listener.
 */
import type { ScramCredential } from "../../protocol/scram_formulas.ts";

/** One user's credential for one mechanism, as it travels to the Workers and is stored on disk. */
export interface ScramCredentialRecord extends ScramCredential {
  user: string;
  mechanism: string;
}

export class ScramCredentialCache {
  private byKey = new Map<string, ScramCredential>();

  constructor(records: readonly ScramCredentialRecord[] = []) {
    this.replace(records);
  }

  replace(records: readonly ScramCredentialRecord[]): void {
    const next = new Map<string, ScramCredential>();
    for (const r of records) next.set(`${r.mechanism}\u0000${r.user}`, r);
    this.byKey = next;
  }

  readonly lookup = (mechanism: string, user: string): ScramCredential | undefined =>
    this.byKey.get(`${mechanism}\u0000${user}`);
}
