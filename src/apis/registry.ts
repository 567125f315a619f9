/**
 * The one explicit list of API handlers. It builds both the dispatch table
 * (Kafka's KafkaApis match on the API key) and the ApiVersions answer, so
 * the broker can never advertise a version it does not dispatch.
 */
import type { ApiHandler } from "./api.ts";
import type { ApiVersionRange } from "./018_api_versions.ts";
import { produceHandler } from "./000_produce.ts";
import { fetchHandler } from "./001_fetch.ts";
import { listOffsetsHandler } from "./002_list_offsets.ts";
import { metadataHandler } from "./003_metadata.ts";
import { findCoordinatorHandler } from "./010_find_coordinator.ts";
import { apiVersionsHandler } from "./018_api_versions.ts";
import { createTopicsHandler } from "./019_create_topics.ts";
import { deleteTopicsHandler } from "./020_delete_topics.ts";
import { deleteRecordsHandler } from "./021_delete_records.ts";
import { initProducerIdHandler } from "./022_init_producer_id.ts";
import { createPartitionsHandler } from "./037_create_partitions.ts";

// deno-lint-ignore no-explicit-any
const HANDLERS: ReadonlyArray<ApiHandler<any, any>> = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  findCoordinatorHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  createPartitionsHandler,
];

// deno-lint-ignore no-explicit-any
export function dispatchTable(): Map<number, ApiHandler<any, any>> {
  const table = new Map<number, ApiHandler<any, any>>();
  for (const handler of HANDLERS) {
    if (table.has(handler.apiKey)) throw new Error(`API key ${handler.apiKey} is registered twice`);
    table.set(handler.apiKey, handler);
  }
  return table;
}

/** What ApiVersions advertises, sorted by key. */
export function advertisedVersions(): ApiVersionRange[] {
  return HANDLERS
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
