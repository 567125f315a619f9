/**
 * Certificate reload without restart (Kafka's dynamic update of a listener's
 * key store, KIP-226): `listener.name.<l>.ssl.keystore.*`, `ssl.key.password`
 * and `ssl.truststore.*` may be set per broker with (Incremental)AlterConfigs.
 *
 * The controller checks such a change before it stores it, with the code that
 * reads the keys at start (config/tls_settings.ts): the file must be readable,
 * the key must decrypt and match its certificate, and, as Kafka's SslFactory
 * insists, the new certificate must keep the subject and subject alternative
 * names of the one in use. A refusal is Kafka's INVALID_REQUEST with a message
 * naming the problem, and nothing changes. Once stored, every processor of the
 * listener gets the new stores ("tls-settings") and serves new connections
 * with them; open connections keep theirs. Setting a location to the same path
 * again re-reads the file, so an operator who replaced the file in place can
 * have it picked up, as in Kafka. Stored values are applied again at start.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { Listener } from "../config/listeners.ts";
import { listenerScopedKey, SSL_PER_LISTENER } from "../config/keys_security.ts";
import {
  certificateIdentityChange,
  RELOADABLE_SSL_KEYS,
  resolveTlsSettings,
  storesDiffer,
  type TlsListenerSettings,
} from "../config/tls_settings.ts";
import { alterBrokerConfigs } from "../cluster/broker_config_alter.ts";
import type { BrokerConfigControl, ConfigOutcome } from "../cluster/broker_config_control.ts";
import type { TopicConfigAlteration } from "../cluster/topic_config_alter.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Logger } from "../util/logger.ts";
import type { WorkerHandle } from "../runtime/types.ts";
import type { ProcessorCommand, ProcessorReport } from "../network/processor_worker.ts";
import type { Controller } from "./controller.ts";

interface TlsListener {
  name: string;
  saslSsl: boolean;
  settings: TlsListenerSettings;
}

type Resource = { name: string; alteration: TopicConfigAlteration };

/** Sends a listener's new settings to its processors; resolves once they use them. */
export type TlsPost = (listener: string, tls: TlsListenerSettings) => Promise<void>;

class TlsCheckFailed extends Error {}

export class TlsReload {
  private readonly listeners: TlsListener[];
  /** Set by the supervisor once the processors run; until then nothing is sent. */
  post: TlsPost | null = null;

  constructor(private readonly config: BrokerConfig, listeners: readonly Listener[], private readonly log: Logger) {
    this.listeners = listeners.filter((l) => l.tls !== null).map((l) => ({
      name: l.name,
      saslSsl: l.securityProtocol === "SASL_SSL",
      settings: l.tls!,
    }));
  }

  /** Kafka's refusal of a resource's TLS changes, or null when they pass (or it has none). */
  refusal(resource: Resource, perBrokerNow: Readonly<Record<string, string>>): ConfigOutcome | null {
    const unprefixed = touchedNames(resource.alteration, perBrokerNow).filter((n) => RELOADABLE_SSL_KEYS.includes(n));
    if (unprefixed.length > 0) {
      return invalid(
        `These security configs can be dynamically updated only per-listener using the listener prefix: [${
          unprefixed.join(", ")
        }]`,
      );
    }
    const names = touchedSslKeys(resource.alteration, perBrokerNow);
    if (names.length === 0) return null;
    if (resource.name === "") {
      return invalid(
        `Cannot update these configs at default cluster level, broker id must be specified: [${names.join(", ")}]`,
      );
    }
    const fixed = names.filter((n) => !RELOADABLE_SSL_KEYS.includes(listenerScopedKey(n)!.key));
    if (fixed.length > 0) {
      return invalid(
        `Cannot update these configs dynamically: [${fixed.join(", ")}] (tsbroker reloads a listener's key ` +
          `store and trust store only: set them in the config file and restart)`,
      );
    }
    const notTls = names.filter((n) => !this.byName(listenerScopedKey(n)!.listener));
    if (notTls.length > 0) return invalid(`${notTls.join(", ")}: no SSL or SASL_SSL listener has that name`);
    const proposed = alterBrokerConfigs(this.config, perBrokerNow, resource.alteration, false);
    if ("error" in proposed) return null; // the usual checks answer it
    for (const listener of this.listenersOf(names)) {
      const problem = this.check(listener, proposed.configs).problem;
      if (problem !== null) return invalid(problem);
    }
    return null;
  }

  /**
   * After a resource was stored: re-reads the stores of the listeners it named (all of them when `names` is
   * null, at start) and sends the ones that changed. A failure here (a file removed since the check) keeps
   * the stores in use and logs why.
   */
  async apply(perBroker: Readonly<Record<string, string>>, names: readonly string[] | null): Promise<void> {
    const listeners = names === null ? this.listeners : this.listenersOf(names);
    for (const listener of listeners) {
      const { settings, problem } = this.check(listener, perBroker);
      if (problem !== null || settings === null) {
        this.log.warn(`Listener ${listener.name} keeps its TLS key and trust stores: ${problem}`);
        continue;
      }
      if (!storesDiffer(listener.settings, settings)) continue;
      listener.settings = settings;
      this.log.info(`Listener ${listener.name}: new TLS key or trust store; new connections use it`);
      await this.post?.(listener.name, settings);
    }
  }

  /** The listener's settings with `perBroker` over the config file, or why they cannot serve it. */
  private check(
    listener: TlsListener,
    perBroker: Readonly<Record<string, string>>,
  ): { settings: TlsListenerSettings | null; problem: string | null } {
    let settings: TlsListenerSettings;
    try {
      settings = resolveTlsSettings(this.config, listener.name, listener.saslSsl, (_key, problem) => {
        throw new TlsCheckFailed(problem);
      }, sslOverrides(perBroker));
    } catch (e) {
      if (!(e instanceof TlsCheckFailed)) throw e;
      return { settings: null, problem: `listener ${listener.name}: ${e.message}` };
    }
    const changed = certificateIdentityChange(listener.settings.certChain, settings.certChain);
    if (changed !== null) return { settings: null, problem: `listener ${listener.name}: ${changed}` };
    return { settings, problem: null };
  }

  private byName(name: string): TlsListener | undefined {
    return this.listeners.find((l) => l.name === name);
  }

  private listenersOf(names: readonly string[]): TlsListener[] {
    const wanted = new Set(names.map((n) => listenerScopedKey(n)?.listener));
    return this.listeners.filter((l) => wanted.has(l.name));
  }
}

/**
 * BROKER alterations with their TLS changes checked first: a refused resource is answered with its refusal
 * and not stored; the others go through BrokerConfigControl as before, then their listeners reload.
 */
export async function alterBrokerConfigsWithTls(
  control: BrokerConfigControl,
  reload: TlsReload | null,
  resources: readonly Resource[],
  validateOnly: boolean,
): Promise<{ outcomes: ConfigOutcome[]; changed: boolean }> {
  if (reload === null) return control.alterConfigs(resources, validateOnly);
  const before = control.image().perBroker;
  const refused = resources.map((r) => reload.refusal(r, before));
  const passing = resources.filter((_, i) => refused[i] === null);
  const result = control.alterConfigs(passing, validateOnly);
  let next = 0;
  const outcomes = resources.map((_, i) => refused[i] ?? result.outcomes[next++]);
  if (!validateOnly) {
    const names = passing.filter((r, i) => r.name !== "" && result.outcomes[i].errorCode === ErrorCode.NONE)
      .flatMap((r) => touchedSslKeys(r.alteration, before));
    if (names.length > 0) await reload.apply(control.image().perBroker, names);
  }
  return { outcomes, changed: result.changed };
}

/** The `listener.name.<l>.ssl.*` names an alteration sets or removes (a replace touches the old set's too). */
export function touchedSslKeys(
  alteration: TopicConfigAlteration,
  current: Readonly<Record<string, string>>,
): string[] {
  return touchedNames(alteration, current).filter((n) => {
    const scoped = listenerScopedKey(n);
    return scoped !== null && scoped.mechanism === null && SSL_PER_LISTENER.includes(scoped.key);
  });
}

/** Every name an alteration sets or removes, once each. */
function touchedNames(alteration: TopicConfigAlteration, current: Readonly<Record<string, string>>): string[] {
  const names = alteration.kind === "replace"
    ? [...Object.keys(alteration.configs), ...Object.keys(current)]
    : alteration.changes.map((c) => c.name);
  return [...new Set(names)];
}

/** The per-listener ssl keys among dynamic per-broker configs. */
function sslOverrides(perBroker: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(
    Object.entries(perBroker).filter(([n]) => {
      const scoped = listenerScopedKey(n);
      return scoped !== null && scoped.mechanism === null && SSL_PER_LISTENER.includes(scoped.key);
    }),
  );
}

function invalid(message: string): ConfigOutcome {
  return { errorCode: ErrorCode.INVALID_REQUEST, message };
}

/** A processor that does not answer within this long is not waited for (its log says what happened). */
const RELOAD_ANSWER_MS = 5000;

/**
 * With TLS listeners: gives the controller its TlsReload, sending new settings to the listener's processors
 * (`processors` in listener order, `perListener` each) and waiting for their answers, so a client told
 * "altered" finds the new certificate on its next connection; then applies the stored values.
 */
export async function startTlsReload(
  controller: Controller,
  config: BrokerConfig,
  listeners: readonly Listener[],
  perListener: number,
  processors: readonly WorkerHandle[],
  log: Logger,
): Promise<void> {
  if (!listeners.some((l) => l.tls !== null)) return;
  const waiting = new Map<WorkerHandle, Array<() => void>>();
  for (const worker of processors) {
    waiting.set(worker, []);
    worker.onmessage = (e) => {
      if ((e.data as ProcessorReport).type === "tls-reloaded") waiting.get(worker)?.shift()?.();
    };
  }
  const reload = new TlsReload(config, listeners, log);
  reload.post = (name, tls) => {
    const at = listeners.findIndex((l) => l.name === name);
    const workers = processors.slice(at * perListener, (at + 1) * perListener);
    return Promise.all(workers.map((worker) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RELOAD_ANSWER_MS);
        waiting.get(worker)!.push(() => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage({ type: "tls-settings", tls } satisfies ProcessorCommand);
      })
    )).then(() => {});
  };
  controller.tlsReload = reload;
  await reload.apply(controller.brokerConfigs.image().perBroker, null);
}
