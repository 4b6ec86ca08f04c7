import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AlertsConfig } from '../config/types.js';
import type { Alert } from '../feed/types.js';
import type { Metrics } from '../metrics.js';
import type { Case } from '../recon/index.js';
import { changedPages } from '../store/pages.js';
import type { WritesFailing } from '../store/health.js';
import type { Store } from '../store/types.js';
import { Rules, type Reading, type Rule, type RuleInput, type RuleName } from './reading.js';
import { openBatch, receiptsWithoutCredit, safBacklog } from './rules/backlog.js';
import { journalFailed, journalWritesFailing } from './rules/journal.js';
import { approvalRate, upstreamLatency, upstreamTimeouts, volumeDrop } from './rules/traffic.js';
import { Signals, type Outcome } from './signals.js';
import { WebhookSender } from './webhook.js';

/** Journal rows read per page when the engine seeds its counts at start. */
const SEED_PAGE = 5_000;

export type AlertChange = 'raised' | 'cleared';
export type AlertListener = (alert: Alert, change: AlertChange) => void;

export interface AlertEngineOptions {
  config: AlertsConfig;
  clock: Clock;
  store: Pick<Store, 'safStats' | 'pendingSaf' | 'openBatches' | 'changedTransactions' | 'failure'>;
  logger: Logger;
  metrics?: Metrics;
  /** Configured merchant ids: who an acquirer-wide alert concerns when no merchant used that acquirer lately. */
  merchants: readonly string[];
  /** Per acquirer: whether it is unreachable now (link down, breaker open) and not drained on purpose. */
  acquirerDown?: (acquirerId: string) => boolean;
  /** The spell of writes the journal's file is refusing now, if it is. */
  journalWrites?: () => WritesFailing | undefined;
}

/** Where the open RECEIPT_WITHOUT_CREDIT cases come from (the gateway's ReconService). */
export interface CaseSource {
  cases(filter: { class: 'RECEIPT_WITHOUT_CREDIT'; status: 'open'; includeCleared: false }): Case[];
}

interface Active {
  alert: Alert;
  /** Since when the reading has been calm (or absent); null while it is not. */
  calmSince: number | null;
}

/** Each rule with the switch that turns it on. */
const RULES: readonly [RuleName, (c: AlertsConfig) => boolean, Rule][] = [
  [Rules.APPROVAL_RATE, (c) => c.approvalRate.enabled, approvalRate],
  [Rules.UPSTREAM_TIMEOUTS, (c) => c.upstreamTimeouts.enabled, upstreamTimeouts],
  [Rules.UPSTREAM_LATENCY, (c) => c.upstreamLatency.enabled, upstreamLatency],
  [Rules.VOLUME_DROP, (c) => c.volume.enabled, volumeDrop],
  [Rules.RECEIPTS_WITHOUT_CREDIT, (c) => c.receiptsWithoutCredit.enabled, receiptsWithoutCredit],
  [Rules.SAF_BACKLOG, (c) => c.safBacklog.enabled, safBacklog],
  [Rules.OPEN_BATCH, (c) => c.openBatch.enabled, openBatch],
  // no switch: with the journal stopped nothing else the gateway does counts
  [Rules.JOURNAL_FAILED, () => true, journalFailed],
  [Rules.JOURNAL_WRITES_FAILING, () => true, journalWritesFailing],
];

/**
 * Early-warning alerts. The flow feeds it each authorization's outcome (`record`, in memory); every
 * `evaluateEveryMs` it reads those figures and the store's backlogs, raises an alert when a rule passes its raise
 * level, and clears it once the rule has stayed past its clear level (or stopped reporting) for `clearAfterMs`.
 * Changes go to listeners (the feed), the log, /metrics and the webhook.
 */
export class AlertEngine {
  private readonly config: AlertsConfig;
  private readonly signals: Signals;
  private readonly listeners: AlertListener[] = [];
  private readonly alerts = new Map<string, Active>();
  private readonly webhook: WebhookSender | undefined;
  /** Outcomes the journal holds from before this moment are seeded; later ones were fed live. */
  private readonly liveSince: number;
  private cases: CaseSource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Evaluations started and not finished: the timer skips a tick rather than queue behind a slow one. */
  private pending = 0;
  private stopped = false;

  constructor(private readonly opts: AlertEngineOptions) {
    this.config = opts.config;
    this.signals = new Signals(opts.config);
    this.liveSince = opts.clock.now();
    const w = opts.config.webhook;
    this.webhook = w === undefined || !opts.config.enabled ? undefined : new WebhookSender({ ...w, logger: opts.logger, metrics: opts.metrics });
  }

  /** One authorization's outcome: counted in memory, nothing else (the hot path calls this). */
  record(outcome: Outcome): void {
    if (this.config.enabled) this.signals.record(outcome);
  }

  /** Called on every raise and clear, with a copy of the alert. A throwing listener is logged, not fatal. */
  onChange(listener: AlertListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The alerts active now, oldest first; with a merchant id, those that concern it. */
  active(merchantId?: string): Alert[] {
    const out: Alert[] = [];
    for (const { alert } of this.alerts.values()) {
      if (merchantId === undefined || alert.merchantIds.includes(merchantId)) out.push(copy(alert));
    }
    return out.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
  }

  /**
   * Seeds the traffic figures from the journal (what happened before this engine was fed live), then evaluates every
   * `evaluateEveryMs`. `cases` gives the receipts-without-credit rule its cases.
   */
  async start(cases?: CaseSource): Promise<void> {
    this.cases = cases;
    if (!this.config.enabled) return;
    const now = this.opts.clock.now();
    // a page at a time, keeping only counts: a busy week's journal never sits in memory whole
    const since = this.signals.seedSince(now);
    for await (const page of changedPages(this.opts.store, -1, SEED_PAGE)) {
      this.signals.seed(
        page.rows.filter((tx) => tx.updatedAt >= since),
        this.liveSince,
      );
    }
    if (this.stopped) return;
    this.timer = setInterval(() => {
      if (this.pending > 0) return;
      this.evaluate().catch((e: unknown) => this.opts.logger.error({ error: String(e) }, 'alert evaluation failed'));
    }, this.config.evaluateEveryMs);
    this.timer.unref();
  }

  /** Stops evaluating, lets a running evaluation finish, and drops what the webhook has not delivered. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.webhook?.close();
  }

  /** Evaluates every enabled rule at `now` (gateway clock). One evaluation at a time: a call during one waits for it. */
  evaluate(now = this.opts.clock.now()): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    this.pending++;
    const next = previous
      .catch(() => undefined)
      .then(() => this.run(now))
      .finally(() => this.pending--);
    this.running = next;
    return next;
  }

  private async run(now: number): Promise<void> {
    if (!this.config.enabled) return;
    const input = this.input(now);
    const seen = new Set<string>();
    const failed = new Set<RuleName>();
    for (const [name, on, rule] of RULES) {
      if (!on(this.config)) continue;
      let readings: Reading[];
      try {
        readings = await rule(input);
      } catch (e) {
        failed.add(name);
        this.opts.logger.error({ rule: name, error: String(e) }, 'alert rule failed: its alerts stay as they are');
        continue;
      }
      for (const r of readings) {
        const id = `${r.rule}:${r.scope.kind}:${r.scope.id ?? ''}`;
        seen.add(id);
        this.apply(id, r, now);
      }
    }
    for (const [id, a] of this.alerts) {
      const rule = a.alert.rule as RuleName;
      // a rule switched off or silent about a scope: its condition is gone; a failed rule tells nothing
      if (!seen.has(id) && !failed.has(rule)) a.calmSince ??= now;
      if (a.calmSince !== null && now - a.calmSince >= this.config.clearAfterMs) this.clear(id, a, now);
    }
  }

  private apply(id: string, r: Reading, now: number): void {
    const a = this.alerts.get(id);
    if (a === undefined) {
      if (r.level === 'raise') this.raise(id, r, now);
      return;
    }
    Object.assign(a.alert, { message: r.message, value: r.value, threshold: r.threshold, merchantIds: union(a.alert.merchantIds, r.merchantIds) });
    if (r.level === 'calm') a.calmSince ??= now;
    else a.calmSince = null;
  }

  private raise(id: string, r: Reading, now: number): void {
    const alert: Alert = {
      id,
      rule: r.rule,
      severity: r.severity,
      scope: { ...r.scope },
      merchantIds: [...r.merchantIds],
      startedAt: now,
      clearedAt: null,
      message: r.message,
      firstAction: r.firstAction,
      value: r.value,
      threshold: r.threshold,
    };
    this.alerts.set(id, { alert, calmSince: null });
    this.opts.metrics?.alertActive.set({ rule: r.rule, scope: scopeLabel(alert) }, 1);
    this.opts.metrics?.alertsRaised.inc({ rule: r.rule, severity: r.severity });
    this.opts.logger.warn({ alert: summary(alert) }, `alert raised: ${alert.message}`);
    this.emit(alert, 'raised');
  }

  private clear(id: string, a: Active, now: number): void {
    this.alerts.delete(id);
    a.alert.clearedAt = now;
    this.opts.metrics?.alertActive.set({ rule: a.alert.rule, scope: scopeLabel(a.alert) }, 0);
    this.opts.logger.info({ alert: summary(a.alert), lastedMs: now - a.alert.startedAt }, `alert cleared: ${a.alert.id}`);
    this.emit(a.alert, 'cleared');
  }

  private emit(alert: Alert, change: AlertChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(copy(alert), change);
      } catch (e) {
        this.opts.logger.error({ alert: alert.id, change, error: String(e) }, 'alert listener failed');
      }
    }
    this.webhook?.send({ alert: copy(alert), change });
  }

  private input(now: number): RuleInput {
    const cases = this.cases;
    return {
      now,
      config: this.config,
      signals: this.signals,
      store: this.opts.store,
      merchants: this.opts.merchants,
      journalWrites: this.opts.journalWrites,
      merchantsOf: (acquirerId, since) => {
        const recent = this.signals.usersOf(acquirerId, since);
        return recent.length > 0 ? recent.sort() : [...this.opts.merchants];
      },
      acquirerDown: (id) => this.opts.acquirerDown?.(id) ?? false,
      receiptsWithoutCredit:
        cases === undefined
          ? undefined
          : // no sync first: a sale journaled since the last one is days from its credit being overdue, and imports
            // sync on their own; a sync here would read the busy hours' journal every few seconds on the event loop
            async () => cases.cases({ class: 'RECEIPT_WITHOUT_CREDIT', status: 'open', includeCleared: false }),
      anyActive: (rule) => [...this.alerts.values()].some((a) => a.alert.rule === rule),
    };
  }
}

function copy(a: Alert): Alert {
  return { ...a, scope: { ...a.scope }, merchantIds: [...a.merchantIds] };
}

function union(a: string[], b: string[]): string[] {
  return b.every((x) => a.includes(x)) ? a : [...new Set([...a, ...b])].sort();
}

/** The `scope` label of posgw_alert_active: "acquirer:stub", "merchant:M1", "gateway". */
function scopeLabel(a: Alert): string {
  return a.scope.id === undefined ? a.scope.kind : `${a.scope.kind}:${a.scope.id}`;
}

function summary(a: Alert) {
  return { id: a.id, rule: a.rule, severity: a.severity, scope: a.scope, merchantIds: a.merchantIds, value: a.value, threshold: a.threshold, startedAt: a.startedAt };
}
