/**
 * The controller's part of dynamic broker configs and broker loggers (Kafka's
 * ConfigurationControlManager for BROKER and its LoggingController for
 * BROKER_LOGGER): it holds the dynamic layers (persisted by
 * BrokerConfigStore) and the loggers' levels (not persisted, as in Kafka: a
 * restart goes back to tsbroker.log.level), applies alterations, and builds
 * the BrokerConfigImage the controller publishes with every metadata image.
 * The supervisor's own thread takes new levels here; the other threads take
 * them from the image (handlers) or from `onLoggerLevels` (processors).
 */
import type { BrokerConfig } from "../config/keys.ts";
import { type BrokerConfigImage, staticKeysOf, staticListenerKeysOf } from "../config/dynamic_config.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { kafkaLevelOf, type Logger, ROOT_LOGGER, setLoggerLevels } from "../util/logger.ts";
import { alterBrokerConfigs, alterLoggerLevels, type LoggerChange } from "./broker_config_alter.ts";
import { BrokerConfigStore } from "./broker_config_store.ts";
import type { TopicConfigAlteration } from "./topic_config_alter.ts";

export interface ConfigOutcome {
  errorCode: number;
  message: string | null;
}

export class BrokerConfigControl {
  private readonly store: BrokerConfigStore;
  private readonly staticKeys: string[] | null;
  private readonly staticListenerKeys: Record<string, string | null>;
  private loggerLevels: Record<string, string>;
  /** Called with every new set of levels (after this thread applied them): the supervisor forwards them. */
  onLoggerLevels: (levels: Record<string, string>) => void = () => {};

  constructor(
    logDir: string,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    /** The loggers besides root: the broker's thread names. */
    private readonly loggerNames: readonly string[] = [],
  ) {
    this.store = BrokerConfigStore.open(logDir, log);
    this.staticKeys = staticKeysOf(config);
    this.staticListenerKeys = staticListenerKeysOf(config);
    this.loggerLevels = { [ROOT_LOGGER]: kafkaLevelOf(config["tsbroker.log.level"]) };
  }

  image(): BrokerConfigImage {
    const { clusterDefaults, perBroker } = this.store.get();
    return {
      staticKeys: this.staticKeys,
      staticListenerKeys: { ...this.staticListenerKeys },
      clusterDefaults: { ...clusterDefaults },
      perBroker: { ...perBroker },
      loggerLevels: { ...this.loggerLevels },
      loggerNames: [...this.loggerNames],
    };
  }

  /**
   * BROKER resources ("" or this node's id, already checked), each answered on its own; the ones that pass are
   * persisted together. `changed` tells the controller to publish.
   */
  alterConfigs(
    resources: ReadonlyArray<{ name: string; alteration: TopicConfigAlteration }>,
    validateOnly: boolean,
  ): { outcomes: ConfigOutcome[]; changed: boolean } {
    const next = { ...this.store.get() };
    let changed = false;
    const outcomes = resources.map(({ name, alteration }): ConfigOutcome => {
      const clusterDefault = name === "";
      const current = clusterDefault ? next.clusterDefaults : next.perBroker;
      const result = alterBrokerConfigs(this.config, current, alteration, clusterDefault);
      if ("error" in result) return { errorCode: result.error.errorCode, message: result.error.message };
      if (!validateOnly && !sameMap(current, result.configs)) {
        if (clusterDefault) next.clusterDefaults = result.configs;
        else next.perBroker = result.configs;
        changed = true;
        this.log.info(
          `Altered dynamic broker configs (${clusterDefault ? "cluster default" : `broker ${name}`}): ` +
            JSON.stringify(result.configs),
        );
      }
      return { errorCode: ErrorCode.NONE, message: null };
    });
    if (changed) this.store.save(next);
    return { outcomes, changed };
  }

  /** BROKER_LOGGER (this node, already checked): all changes apply, or none. */
  alterLoggers(changes: readonly LoggerChange[], validateOnly: boolean): ConfigOutcome & { changed: boolean } {
    const result = alterLoggerLevels(this.loggerLevels, new Set(this.loggerNames), changes);
    if ("error" in result) return { errorCode: result.error.errorCode, message: result.error.message, changed: false };
    if (validateOnly || sameMap(this.loggerLevels, result.levels)) {
      return { errorCode: ErrorCode.NONE, message: null, changed: false };
    }
    this.loggerLevels = result.levels;
    setLoggerLevels(result.levels);
    this.onLoggerLevels({ ...result.levels });
    this.log.info(`Log levels now ${JSON.stringify(result.levels)}`);
    return { errorCode: ErrorCode.NONE, message: null, changed: true };
  }
}

function sameMap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}
