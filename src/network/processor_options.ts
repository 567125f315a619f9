/**
 * What a processor is given by its Worker (processor_worker.ts): settings,
 * the shared buffers' views, and the handler ports, plus seams for tests
 * (a clock) and for TLS listeners (the principal from the certificate).
 */
import type { OwnerTable } from "./produce_owner.ts";
import type { TcpConnection } from "../runtime/types.ts";
import type { Logger } from "../util/logger.ts";
import type { ProcessorMetrics } from "../metrics/layout.ts";
import type { Clock } from "./clock.ts";
import type { ConnectionQuotas } from "./connection_quotas.ts";
import type { MemoryPool } from "./memory_pool.ts";
import type { RequestEnvelope, RequestQueueCounter } from "./request_channel.ts";
import type { SupportedVersions } from "./supported_versions.ts";
import type { UnsentBudget } from "./unsent_budget.ts";
import type { SaslListenerSettings } from "../config/sasl_settings.ts";
import type { ScramLookup } from "./sasl/scram.ts";

export interface ProcessorOptions {
  /** Global processor index (metrics region). */
  index: number;
  listenerIndex: number;
  listenerName: string;
  maxRequestBytes: number;
  idleTimeoutMs: number;
  /** A request started but not complete after this long closes its connection. */
  requestReadTimeoutMs: number;
  /** With the unsent budget low, a connection whose output has not moved for this long is closed. */
  writeStallMs: number;
  supported: SupportedVersions;
  /** One port per handler Worker. */
  handlers: HandlerPort[];
  /** Which handler owns which topic's partitions, for owner-aware Produce dispatch; absent: round robin. */
  owners?: OwnerTable;
  quotas: ConnectionQuotas;
  pool: MemoryPool;
  unsent: UnsentBudget;
  queue: RequestQueueCounter;
  metrics: ProcessorMetrics;
  log: Logger;
  /** Set on SASL listeners: connections must authenticate first. */
  sasl?: SaslListenerSettings | null;
  /** SCRAM credentials (kept current by the Worker). */
  scram?: ScramLookup;
  /** Time and timers (the runtime's unless a test gives its own). */
  clock?: Clock;
  /** Wall time shared by every Worker, for the connection creation rates (a test may give its own). */
  sharedNow?: () => number;
  /** SSL listeners: the principal of a connection from its client certificate; null refuses it. */
  principalOf?: (socket: TcpConnection) => string | null;
}

/** What the processor uses of a handler Worker's MessagePort (unit tests give a fake). */
export interface HandlerPort {
  postMessage(message: RequestEnvelope, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}
