/**
 * The broker's metadata as one unit: the topic registry, the controller that
 * changes it (topics, configs, SCRAM credentials, producer-id blocks), and
 * the metadata image built from both, which every handler holds a copy of.
 * startBroker and the in-process test broker (tests/handler/_local_broker.ts)
 * both build it here, so the image a test sees is the one a broker publishes.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { AdvertisedListener, MetadataImage } from "../cluster/metadata_image.ts";
import { TopicRegistry } from "../cluster/topic_registry.ts";
import type { Logger } from "../util/logger.ts";
import { Controller } from "./controller.ts";

export interface ControlPlaneOptions {
  /** The first log dir: it holds the metadata files. */
  logDir: string;
  config: BrokerConfig;
  log: Logger;
  clusterId: string;
  nodeId: number;
  /** Read at each image: port-0 listeners get their port once bound. */
  listeners: readonly AdvertisedListener[];
  /** Hand an image to every handler; resolves once all have applied it. */
  publish: (image: MetadataImage) => Promise<void>;
  /** Logger names besides root (the broker's threads), for BROKER_LOGGER. */
  loggerNames: readonly string[];
}

export interface ControlPlane {
  readonly topics: TopicRegistry;
  readonly controller: Controller;
  /** The current metadata image. */
  image(): MetadataImage;
  /** Publish the current image to every handler. */
  publish(): Promise<void>;
}

export function createControlPlane(o: ControlPlaneOptions): ControlPlane {
  const topics = new TopicRegistry(o.logDir);
  const image = (): MetadataImage => ({
    clusterId: o.clusterId,
    nodeId: o.nodeId,
    listeners: o.listeners.map((l) => ({ ...l })),
    topics: topics.list(),
    brokerConfigs: controller.brokerConfigs.image(),
    acls: controller.acls.all(),
    quotas: controller.quotas.all(),
  });
  const publish = () => o.publish(image());
  const controller = new Controller(o.logDir, topics, o.config, o.log, publish, o.loggerNames);
  return { topics, controller, image, publish };
}
