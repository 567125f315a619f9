/** Public surface of the configuration layer. */
export {
  type BrokerConfig,
  CONFIG_KEY_NAMES,
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigValue,
  type KeyOrigin,
  type KeySpec,
  type KeyType,
  REPLACED_KEYS,
} from "./keys.ts";
export { ConfigError } from "./errors.ts";
export { loadConfig, type LoadConfigOptions } from "./load.ts";
export { type Listener, parseListeners, SECURITY_PROTOCOLS, type SecurityProtocol } from "./listeners.ts";
export { maxConnectionsPerIpOverrides } from "./connection_limits.ts";
export { parseMetricsListener } from "./metrics_listener.ts";
export type { HostPort } from "./address.ts";
export { describeConfigTable } from "./render.ts";
