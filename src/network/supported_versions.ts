/**
 * A compact table of the API versions this broker serves, built from the
 * handler registry by the supervisor and handed to processors, so that a
 * processor can refuse an unknown key or version without loading handlers.
 */
import { MAX_API_KEY } from "../metrics/layout.ts";

/** [min, max] per API key; -1 where the key is not served. */
export type SupportedVersions = Int16Array;

export function buildSupportedVersions(
  ranges: Iterable<{ apiKey: number; minVersion: number; maxVersion: number }>,
): SupportedVersions {
  const table = new Int16Array((MAX_API_KEY + 1) * 2).fill(-1);
  for (const r of ranges) {
    table[r.apiKey * 2] = r.minVersion;
    table[r.apiKey * 2 + 1] = r.maxVersion;
  }
  return table;
}

/** Is `apiKey` served at all (no version given), or at `version`? */
export function isSupported(table: SupportedVersions, apiKey: number, version?: number): boolean {
  if (apiKey < 0 || apiKey > MAX_API_KEY) return false;
  const min = table[apiKey * 2];
  if (min < 0) return false;
  return version === undefined || (version >= min && version <= table[apiKey * 2 + 1]);
}
