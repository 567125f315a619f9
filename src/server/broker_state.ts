/**
 * What a request handler can see of the broker inside a handler Worker: the
 * config, the current metadata image, the advertised API versions, and a
 * client for the controller (the supervisor), which owns all metadata writes.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { MetadataView } from "../cluster/metadata_image.ts";
import type { ApiVersionRange } from "../apis/018_api_versions.ts";

export interface ControllerClient {
  /** Create topics with the default partition count; existing names are skipped. */
  createTopics(names: string[]): Promise<void>;
}

export interface BrokerState {
  config: BrokerConfig;
  metadata: MetadataView;
  apiVersions: readonly ApiVersionRange[];
  controller: ControllerClient;
}
