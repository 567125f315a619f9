/**
 * The broker's keys as DescribeConfigs shows them: each value printed as
 * Kafka's ConfigDef.convertToString prints it, its Kafka type id, where it
 * comes from, and its synonyms in Kafka's order (ConfigHelper.configSynonyms:
 * the synonyms set for this broker dynamically, then the cluster-wide
 * dynamic defaults, then those the operator set at start, then every
 * synonym's default, dropped up to the first entry named like the described
 * key — which is why Kafka shows no synonyms for retention.ms while
 * log.retention.ms is unset).
 *
 * Where a value comes from (config/dynamic_config.ts): DYNAMIC_BROKER_CONFIG
 * and DYNAMIC_DEFAULT_BROKER_CONFIG from the controller's dynamic layers;
 * STATIC_BROKER_CONFIG for the keys the operator named in the config file,
 * the environment or an --override (loadConfig records them), even when set
 * to the default value; DEFAULT_CONFIG otherwise. A config not made by
 * loadConfig has no such record: there a value unlike the table's default
 * counts as set.
 *
 * `listener.name.<l>.<key>` names (set at start or dynamically) are listed as
 * Kafka lists them: typed and sensitive as their base key, read-only, with
 * the base key among their synonyms (DynamicBrokerConfig.brokerConfigSynonyms
 * with matchListenerOverride). Keys Kafka has no default for (ssl.keystore.location,
 * sasl.jaas.config...), which tsbroker's table holds as "" or [], are
 * described as Kafka describes them while unset: value null, no default synonym.
 */
import { type BrokerConfig, CONFIG_KEY_NAMES, type ConfigKey, isConfigKey, type KeySpec, keySpec } from "./keys.ts";
import { type ConfigLayers, layersOf, listenerBaseKey } from "./dynamic_config.ts";
import { isDynamicKey } from "./dynamic_keys.ts";
import { RELOADABLE_SSL_KEYS } from "./tls_settings.ts";

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** Kafka's DescribeConfigsResponse.ConfigType ids (DescribeConfigs v3+); 0 = UNKNOWN. */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** How Kafka prints Long.MAX_VALUE, which tsbroker holds as Number.MAX_SAFE_INTEGER. */
const LONG_MAX_TEXT = "9223372036854775807";

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribedBrokerConfig {
  name: string;
  value: string | null;
  /** False for the keys tsbroker changes while running (config/dynamic_keys.ts, the reloaded key stores). */
  readOnly: boolean;
  source: number;
  /** Passwords (the table's `sensitive` keys, also listener-prefixed) and, as Kafka does, names it cannot type. */
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  type: number;
  documentation: string | null;
}

/**
 * Kafka's DynamicBrokerConfig.brokerConfigSynonyms: keys that set the same thing, highest precedence first.
 * Keys not listed are their own only synonym.
 */
const SYNONYM_GROUPS: readonly (readonly ConfigKey[])[] = [
  ["log.roll.ms", "log.roll.hours"],
  ["log.roll.jitter.ms", "log.roll.jitter.hours"],
  ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
];

function synonymsOf(key: ConfigKey): readonly ConfigKey[] {
  // Kafka adds the scheduler interval only when describing log.flush.interval.ms itself.
  if (key === "log.flush.interval.ms") return ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"];
  return SYNONYM_GROUPS.find((g) => g.includes(key)) ?? [key];
}

/**
 * Keys whose Kafka default is null, where tsbroker's table says "" or [] for "not set": Kafka describes them
 * unset with value null and no DEFAULT_CONFIG synonym (its staticDefaultConfigs leaves null defaults out).
 */
const KAFKA_NULL_DEFAULT: ReadonlySet<string> = new Set([
  "ssl.keystore.location",
  "ssl.keystore.key",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.password",
  "ssl.key.password",
  "ssl.truststore.location",
  "ssl.truststore.certificates",
  "ssl.truststore.password",
  "ssl.cipher.suites",
  "sasl.jaas.config",
  "sasl.server.callback.handler.class",
  "sasl.oauthbearer.jwks.endpoint.url",
  "sasl.oauthbearer.expected.audience",
  "sasl.oauthbearer.expected.issuer",
]);

/** renderValue, with the empty value of a key Kafka has no default for shown as Kafka's null. */
function describedValue(key: ConfigKey, value: unknown): string | null {
  const text = renderValue(keySpec(key), value);
  return text === "" && KAFKA_NULL_DEFAULT.has(key) ? null : text;
}

/**
 * Read-write in DescribeConfigs: the keys tsbroker applies while running, and the key and trust store keys it
 * reloads per listener (supervisor/tls_reload.ts; the unprefixed forms are refused as Kafka refuses them, but
 * Kafka lists them read-write too).
 */
function describedReadOnly(key: ConfigKey): boolean {
  return !isDynamicKey(key) && !RELOADABLE_SSL_KEYS.includes(key);
}

/** ConfigDef.convertToString: null stays null (an unset key), lists are joined by commas, doubles keep a ".0". */
export function renderValue(spec: KeySpec, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "number") {
    if (value === Number.MAX_SAFE_INTEGER && spec.type === "long") return LONG_MAX_TEXT;
    if (spec.type === "double" && Number.isInteger(value)) return `${value}.0`;
    return String(value);
  }
  return String(value);
}

/** Kafka's ConfigDef.Type of a key; tsbroker's enums are Kafka STRINGs with a list of valid values. */
export function configTypeId(spec: KeySpec): number {
  if (spec.sensitive) return ConfigType.PASSWORD;
  switch (spec.type) {
    case "int":
      return ConfigType.INT;
    case "long":
      return ConfigType.LONG;
    case "double":
      return ConfigType.DOUBLE;
    case "boolean":
      return ConfigType.BOOLEAN;
    case "list":
      return ConfigType.LIST;
    case "string":
    case "enum":
      return ConfigType.STRING;
  }
}

/** Whether the operator set `key`, at start or dynamically (see the module note). */
export function brokerKeyIsSet(cfg: BrokerConfig, key: ConfigKey): boolean {
  const l = layersOf(cfg);
  return Object.hasOwn(l.perBroker, key) || Object.hasOwn(l.clusterDefaults, key) || staticallySet(l, key);
}

function staticallySet(l: ConfigLayers, key: ConfigKey): boolean {
  if (l.staticKeys !== null) return l.staticKeys.has(key);
  const spec = keySpec(key);
  return renderValue(spec, l.static[key]) !== renderValue(spec, spec.default);
}

/**
 * ConfigHelper.configSynonyms for broker key `name` among `synonyms`: per-broker dynamic, cluster-wide dynamic,
 * set at start, then the non-null defaults, each in precedence order, dropped up to the first entry named `name`.
 */
export function brokerSynonyms(cfg: BrokerConfig, name: string, synonyms: readonly string[]): ConfigSynonym[] {
  const l = layersOf(cfg);
  const all: ConfigSynonym[] = [];
  const dynamic = (layer: Readonly<Record<string, string>>, source: number) => {
    for (const key of synonyms) {
      if (Object.hasOwn(layer, key)) all.push({ name: key, value: layer[key], source });
    }
  };
  dynamic(l.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG);
  dynamic(l.clusterDefaults, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  for (const key of synonyms) {
    const source = ConfigSource.STATIC_BROKER_CONFIG;
    if (Object.hasOwn(l.staticListenerKeys, key)) all.push({ name: key, value: l.staticListenerKeys[key], source });
    else if (isConfigKey(key) && staticallySet(l, key)) {
      all.push({ name: key, value: renderValue(keySpec(key), l.static[key]), source });
    }
  }
  for (const key of synonyms) {
    if (!isConfigKey(key)) continue;
    const value = describedValue(key, keySpec(key).default);
    if (value !== null) all.push({ name: key, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  const first = all.findIndex((s) => s.name === name);
  return first === -1 ? [] : all.slice(first);
}

/**
 * BROKER "<node.id>": every key of the table, sorted by name, Kafka's and tsbroker's own (`tsbroker.*`) alike
 * (Kafka would not list the latter, but they are this broker's configuration and a client asking for all of it
 * should see them), then the other names set at start or dynamically — `listener.name.<l>.<key>` and names
 * tsbroker does not know — as Kafka lists them.
 */
export function describeBrokerConfigs(cfg: BrokerConfig): DescribedBrokerConfig[] {
  const l = layersOf(cfg);
  const known = [...CONFIG_KEY_NAMES].sort().map((key) => {
    const spec = keySpec(key);
    const synonyms = hideIfSensitive(spec, brokerSynonyms(cfg, key, synonymsOf(key)));
    return {
      name: key,
      value: spec.sensitive ? null : describedValue(key, cfg[key]),
      readOnly: describedReadOnly(key),
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: spec.sensitive ?? false,
      synonyms,
      type: configTypeId(spec),
      documentation: spec.doc,
    };
  });
  const others = [
    ...new Set([...Object.keys(l.perBroker), ...Object.keys(l.clusterDefaults), ...Object.keys(l.staticListenerKeys)]),
  ].filter((name) => !isConfigKey(name)).sort().map((name) => {
    const value = [l.perBroker, l.clusterDefaults, l.staticListenerKeys].find((m) => Object.hasOwn(m, name))![name];
    return listenerEntry(cfg, name, value, true) ?? unknownEntry(name, brokerSynonyms(cfg, name, [name]));
  });
  return [...known, ...others];
}

/**
 * BROKER "": the cluster-wide dynamic defaults only, as Kafka lists them; their synonyms are the cluster-wide
 * ones alone (Kafka leaves out the per-broker, static and default layers for this resource).
 */
export function describeClusterDefaults(cfg: BrokerConfig): DescribedBrokerConfig[] {
  const l = layersOf(cfg);
  return Object.keys(l.clusterDefaults).sort().map((name) => {
    const synonyms = brokerSynonyms(cfg, name, isConfigKey(name) ? synonymsOf(name) : [name])
      .filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    if (!isConfigKey(name)) {
      return listenerEntry(cfg, name, l.clusterDefaults[name], false) ?? unknownEntry(name, synonyms);
    }
    const spec = keySpec(name);
    return {
      name,
      value: spec.sensitive ? null : l.clusterDefaults[name],
      readOnly: describedReadOnly(name),
      source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      isSensitive: spec.sensitive ?? false,
      synonyms: hideIfSensitive(spec, synonyms),
      type: configTypeId(spec),
      documentation: spec.doc,
    };
  });
}

/** A password's synonyms carry no value either, as Kafka answers them. */
function hideIfSensitive(spec: KeySpec, synonyms: ConfigSynonym[]): ConfigSynonym[] {
  return spec.sensitive ? synonyms.map((s) => ({ ...s, value: null })) : synonyms;
}

/**
 * `listener.name.<l>.<key>` as Kafka's createBrokerConfigEntry describes it: typed and sensitive as the key it
 * overrides; its value as set (Kafka keeps these as the strings given); its synonyms itself, then
 * the base key, in every layer (for BROKER "" the cluster-wide layer alone); no documentation, as Kafka has
 * none for the prefixed name. Null when the name is not such a key.
 */
function listenerEntry(
  cfg: BrokerConfig,
  name: string,
  value: string | null,
  perBroker: boolean,
): DescribedBrokerConfig | null {
  const base = listenerBaseKey(name);
  if (base === null) return null;
  const spec = keySpec(base);
  // Kafka's synonym list for the name: itself, <base>, <base> without a mechanism prefix.
  const m = /^listener\.name\.[^.]*\.(.*)$/.exec(name)!;
  const all = brokerSynonyms(cfg, name, [name, m[1], m[1].slice(m[1].indexOf(".") + 1)]);
  const synonyms = perBroker ? all : all.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  return {
    name,
    value: spec.sensitive ? null : value,
    // Kafka 4.4 answers read-only for prefixed names, even for the key stores it reloads
    // (tests/differential/tls_reload_test.ts); tsbroker, which reloads them too, answers the same.
    readOnly: true,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    isSensitive: spec.sensitive ?? false,
    synonyms: hideIfSensitive(spec, synonyms),
    type: configTypeId(spec),
    documentation: null,
  };
}

/** Kafka cannot type a name it does not know, so it treats the value as sensitive: hidden, read-only. */
function unknownEntry(name: string, synonyms: ConfigSynonym[]): DescribedBrokerConfig {
  return {
    name,
    value: null,
    readOnly: true,
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    isSensitive: true,
    synonyms: synonyms.map((s) => ({ ...s, value: null })),
    type: ConfigType.UNKNOWN,
    documentation: null,
  };
}
