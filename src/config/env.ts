/**
 * Config keys from environment variables, the way container images are
 * configured (Apache Kafka's image reads KAFKA_* the same way):
 *   KAFKA_<KEY>     any key: `_` stands for `.`, `__` for `_`, `___` for `-`
 *                   (KAFKA_ADVERTISED_LISTENERS → advertised.listeners);
 *   TSBROKER_<KEY>  shorthand for a `tsbroker.` key
 *                   (TSBROKER_LOG_LEVEL → tsbroker.log.level).
 * Variables that Kafka's launch scripts use for the JVM are not config keys
 * and are left alone, so an environment shared with Kafka's tools does not
 * stop the broker.
 */

export interface EnvSetting {
  /** The variable's name, for error messages. */
  readonly variable: string;
  readonly key: string;
  readonly value: string;
}

const NOT_CONFIG = new Set([
  "KAFKA_HEAP_OPTS",
  "KAFKA_OPTS",
  "KAFKA_JMX_OPTS",
  "KAFKA_JVM_PERFORMANCE_OPTS",
  "KAFKA_GC_LOG_OPTS",
  "KAFKA_LOG4J_OPTS",
  "KAFKA_LOG4J_ROOT_LOGLEVEL",
  "KAFKA_LOG4J_LOGGERS",
  "KAFKA_TOOLS_LOG4J_LOGLEVEL",
  "KAFKA_DEBUG",
  "KAFKA_VERSION",
  "KAFKA_HOME",
  "KAFKA_CLUSTER_ID",
]);

/** `ADVERTISED_LISTENERS` → `advertised.listeners`; `___` → `-`, `__` → `_`, `_` → `.`. */
export function envNameToKey(name: string): string {
  return name.toLowerCase().replaceAll("___", "\u0000").replaceAll("__", "\u0001").replaceAll("_", ".")
    .replaceAll("\u0000", "-").replaceAll("\u0001", "_");
}

/** The settings found in `env`, sorted by variable name so the result does not depend on the environment's order. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): EnvSetting[] {
  const settings: EnvSetting[] = [];
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (value === undefined || NOT_CONFIG.has(variable)) continue;
    if (variable.startsWith("KAFKA_") && variable.length > 6) {
      settings.push({ variable, key: envNameToKey(variable.slice(6)), value });
    } else if (variable.startsWith("TSBROKER_") && variable.length > 9) {
      settings.push({ variable, key: `tsbroker.${envNameToKey(variable.slice(9))}`, value });
    }
  }
  return settings;
}
