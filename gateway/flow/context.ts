import type { Logger } from 'pino';
import type { IsoMessage } from '../../protocol/index.js';
import type { HostLink } from '../acquirer/index.js';
import type { Outcome } from '../alerts/signals.js';
import type { ChurnTable } from '../churn-table.js';
import type { Clock } from '../clock.js';
import type { AcquirerConfig, GatewayConfig, MerchantConfig, TerminalConfig } from '../config/types.js';
import type { EventLog } from '../feed/log.js';
import type { Metrics } from '../metrics.js';
import type { AcquirerGate } from '../routing/gate.js';
import type { Router } from '../routing/router.js';
import type { RrnGenerator } from '../rrn.js';
import type { Store } from '../store/types.js';
import type { BatchGate } from './batch-gate.js';

/** A request being processed: duplicates of it wait for its answer instead of being forwarded again. */
export interface InFlight {
  fingerprint: string;
  done: Promise<IsoMessage | undefined>;
}

/** Everything the message handlers need, built once by the app. */
export interface FlowContext {
  config: GatewayConfig;
  store: Store;
  links: Map<string, HostLink>;
  /** Per acquirer: link, circuit breaker, drain switch. */
  gates: Map<string, AcquirerGate>;
  router: Router;
  acquirers: Map<string, AcquirerConfig>;
  terminals: Map<string, TerminalConfig>;
  merchants: Map<string, MerchantConfig>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  rrn: RrnGenerator;
  panKey: Buffer;
  inflight: ChurnTable<InFlight>;
  /** Batches ("terminal|batch") known open or closed, so the hot path need not ask the journal each time. */
  openBatches: Set<string>;
  closedBatches: Set<string>;
  /** Batches being looked up in the journal right now, so that one lookup serves every request that waits on it. */
  openingBatches: Map<string, Promise<boolean>>;
  /** Requests in progress per batch, and settlements that wait for them. */
  batches: BatchGate;
  /** Tells the store-and-forward queue of an acquirer that it has new work. */
  wakeSaf(acquirerId: string): void;
  /** The merchants' live feed: outcomes are published in the turn they are recorded (absent: no feed). */
  feed?: EventLog;
  /** Early-warning alerts: fed each authorization's outcome, in memory (absent: no alerts). */
  alerts?: { record(outcome: Outcome): void };
}

/** Where a request came from: a session of a terminal listener. */
export interface Origin {
  listener: string;
  remote: string;
}

export type Handler = (req: IsoMessage, ctx: FlowContext, origin: Origin) => Promise<IsoMessage>;
