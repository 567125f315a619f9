/**
 * The broker's configuration in layers, as Kafka's DynamicBrokerConfig keeps
 * it: the key table's defaults, the keys the operator set (config file,
 * environment, --override: STATIC_BROKER_CONFIG), the cluster-wide dynamic
 * defaults (BROKER resource "", DYNAMIC_DEFAULT_BROKER_CONFIG) and this
 * broker's own dynamic configs (BROKER resource "<node.id>",
 * DYNAMIC_BROKER_CONFIG), each layer over the one before.
 *
 * The controller keeps the dynamic layers and publishes them with the
 * metadata image (BrokerConfigImage); each thread merges them into one
 * effective BrokerConfig (effectiveBrokerConfig), which is what every
 * reader of the config sees, and remembers the layers behind that object
 * (layersOf) so DescribeConfigs can tell where each value comes from.
 */
import { type BrokerConfig, type ConfigKey, isConfigKey, keySpec } from "./keys.ts";
import { LONG_MAX } from "./key_spec.ts";
import { coerceValue } from "./coerce.ts";
import { setLoggerLevels } from "../util/logger.ts";
import { listenerScopedValues } from "./keys_security.ts";

/** The dynamic state the controller publishes to every handler (MetadataImage.brokerConfigs). */
export interface BrokerConfigImage {
  /** Keys the operator set at start; null when not known (a config not made by loadConfig). */
  staticKeys: string[] | null;
  /**
   * The `listener.name.<l>.<key>` names the operator set at start, with their values as given (null for
   * passwords: describing never shows them, so they stay in the supervisor). They are not table keys, so the
   * config a handler receives does not carry them.
   */
  staticListenerKeys?: Record<string, string | null>;
  /** BROKER "": name → value as altered (text, as Kafka stores it). */
  clusterDefaults: Record<string, string>;
  /** BROKER "<node.id>". */
  perBroker: Record<string, string>;
  /** BROKER_LOGGER: each logger with a level of its own (root always), not persisted. */
  loggerLevels: Record<string, string>;
  /** Every logger name DescribeConfigs lists besides root: the broker's threads. */
  loggerNames: string[];
}

export interface ConfigLayers {
  /** The config as loaded at start. */
  readonly static: BrokerConfig;
  /** Keys set at start; null = unknown, then a value unlike the table's default counts as set. */
  readonly staticKeys: ReadonlySet<string> | null;
  /** `listener.name.<l>.<key>` set at start (BrokerConfigImage.staticListenerKeys). */
  readonly staticListenerKeys: Readonly<Record<string, string | null>>;
  readonly clusterDefaults: Readonly<Record<string, string>>;
  readonly perBroker: Readonly<Record<string, string>>;
}

const layers = new WeakMap<object, ConfigLayers>();
const setKeys = new WeakMap<object, ReadonlySet<string>>();

/** Called by loadConfig: the keys the operator set, remembered for the config object it returns. */
export function recordStaticKeys(cfg: BrokerConfig, keys: Iterable<string>): void {
  setKeys.set(cfg, new Set(keys));
}

/** The keys the operator set, if `cfg` came from loadConfig in this thread. */
export function staticKeysOf(cfg: BrokerConfig): string[] | null {
  const keys = setKeys.get(cfg);
  return keys ? [...keys] : null;
}

/**
 * Kafka's ListenerConfigRegex (`listener.name.<l>.<base>`): the table key Kafka types such a name by — <base>,
 * else <base> without its first segment (a mechanism's `<mechanism>.sasl.jaas.config`) — or null when the
 * name is not listener-prefixed or names no key tsbroker has.
 */
export function listenerBaseKey(name: string): ConfigKey | null {
  const m = /^listener\.name\.[^.]*\.(.*)$/.exec(name);
  if (!m) return null;
  const mechanismConfig = m[1].slice(m[1].indexOf(".") + 1);
  if (isConfigKey(m[1])) return m[1];
  return isConfigKey(mechanismConfig) ? mechanismConfig : null;
}

/** The per-listener keys loadConfig recorded for `cfg`, passwords without their values (see BrokerConfigImage). */
export function staticListenerKeysOf(cfg: BrokerConfig): Record<string, string | null> {
  const keys: Record<string, string | null> = {};
  for (const [name, value] of listenerScopedValues(cfg)) {
    const base = listenerBaseKey(name);
    keys[name] = base !== null && keySpec(base).sensitive ? null : value;
  }
  return keys;
}

/** The layers behind `cfg`; a config no dynamic layer was merged into is its own static layer. */
export function layersOf(cfg: BrokerConfig): ConfigLayers {
  return layers.get(cfg) ?? {
    static: cfg,
    staticKeys: setKeys.get(cfg) ?? null,
    staticListenerKeys: staticListenerKeysOf(cfg),
    clusterDefaults: {},
    perBroker: {},
  };
}

/**
 * The static config with the dynamic layers over it. Values of keys tsbroker does not know are kept in the
 * layers only; a stored value that no longer parses (the key table changed) is skipped.
 */
export function effectiveBrokerConfig(staticCfg: BrokerConfig, image: BrokerConfigImage | undefined): BrokerConfig {
  const base = layersOf(staticCfg).static;
  const staticKeys = image?.staticKeys ? new Set(image.staticKeys) : layersOf(staticCfg).staticKeys;
  const values: Record<string, unknown> = { ...base };
  for (const layer of [image?.clusterDefaults ?? {}, image?.perBroker ?? {}]) {
    for (const [name, text] of Object.entries(layer)) {
      if (!isConfigKey(name)) continue;
      const value = parseDynamicValue(name, text);
      if (value !== undefined) values[name] = value;
    }
  }
  const cfg = Object.freeze(values) as BrokerConfig;
  layers.set(cfg, {
    static: base,
    staticKeys,
    staticListenerKeys: image?.staticListenerKeys ?? layersOf(staticCfg).staticListenerKeys,
    clusterDefaults: { ...image?.clusterDefaults },
    perBroker: { ...image?.perBroker },
  });
  return cfg;
}

/** A validated dynamic value as the key table's type; Kafka's Long.MAX_VALUE ("never") becomes 2^53−1. */
function parseDynamicValue(key: ConfigKey, text: string): unknown {
  const spec = keySpec(key);
  if (spec.type === "long" && /^\s*\d+\s*$/.test(text) && BigInt(text.trim()) > BigInt(LONG_MAX)) return LONG_MAX;
  const coerced = coerceValue(spec, text);
  return coerced.ok ? coerced.value : undefined;
}

/**
 * One thread's view of the dynamic layers: the effective config, rebuilt (and the loggers' levels applied) only
 * when a published image carries different dynamic state than the last one.
 */
export class DynamicConfigView {
  private last: string;
  current: BrokerConfig;

  constructor(private readonly staticCfg: BrokerConfig, image: BrokerConfigImage | undefined) {
    this.last = JSON.stringify(image ?? null);
    this.current = effectiveBrokerConfig(staticCfg, image);
    if (image) setLoggerLevels(image.loggerLevels);
  }

  /** The new effective config if `image` changed the dynamic state, else null. */
  update(image: BrokerConfigImage | undefined): BrokerConfig | null {
    const text = JSON.stringify(image ?? null);
    if (text === this.last) return null;
    this.last = text;
    if (image) setLoggerLevels(image.loggerLevels);
    this.current = effectiveBrokerConfig(this.staticCfg, image);
    return this.current;
  }
}
