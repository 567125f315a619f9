/**
 * The metadata image: an immutable snapshot of what Metadata answers with
 * (cluster id, this node, its advertised listeners, the topics). The
 * supervisor owns the writable state and sends each new image to every
 * handler Worker, as a KRaft controller publishes metadata to brokers.
 */
import type { BrokerConfigImage } from "../config/dynamic_config.ts";
import type { AclBinding } from "./acl/acl_types.ts";
import type { QuotaRecord } from "./quota/quota_entity.ts";

export interface AdvertisedListener {
  name: string;
  securityProtocol: string;
  host: string;
  port: number;
}

export interface TopicImage {
  name: string;
  /** Kafka's base64 form of the topic's UUID. */
  topicId: string;
  partitions: number;
  internal: boolean;
  configs: Record<string, string>;
}

export interface MetadataImage {
  clusterId: string;
  nodeId: number;
  /** Indexed like the configured listeners (RequestEnvelope.listener). */
  listeners: AdvertisedListener[];
  topics: TopicImage[];
  /** Dynamic broker configs and logger levels (absent: none, as before they existed). */
  brokerConfigs?: BrokerConfigImage;
  /** The ACL bindings (absent: none); each handler's authorizer reads them (src/handler/services/acl_rules.ts). */
  acls?: AclBinding[];
  /** Client quotas (absent: none): DescribeClientQuotas and each handler's throttling read them. */
  quotas?: QuotaRecord[];
}

/** Look-ups over an image, rebuilt whenever a new image arrives. */
export class MetadataView {
  readonly byName = new Map<string, TopicImage>();
  readonly byId = new Map<string, TopicImage>();

  constructor(readonly image: MetadataImage) {
    for (const topic of image.topics) {
      this.byName.set(topic.name, topic);
      this.byId.set(topic.topicId, topic);
    }
  }
}
