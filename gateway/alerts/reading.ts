import type { AlertsConfig } from '../config/types.js';
import type { AlertScope } from '../feed/types.js';
import type { Case } from '../recon/index.js';
import type { WritesFailing } from '../store/health.js';
import type { Store } from '../store/types.js';
import type { Signals } from './signals.js';

export const Rules = {
  APPROVAL_RATE: 'approval_rate',
  UPSTREAM_TIMEOUTS: 'upstream_timeouts',
  UPSTREAM_LATENCY: 'upstream_latency',
  VOLUME_DROP: 'volume_drop',
  RECEIPTS_WITHOUT_CREDIT: 'receipts_without_credit',
  SAF_BACKLOG: 'saf_backlog',
  OPEN_BATCH: 'open_batch',
  JOURNAL_FAILED: 'journal_failed',
  JOURNAL_WRITES_FAILING: 'journal_writes_failing',
} as const;
export type RuleName = (typeof Rules)[keyof typeof Rules];

/**
 * Where a measured value stands: past the raise level, between the two levels (an active alert stays, none is
 * raised), or past the clear level. A scope a rule does not report is calm.
 */
export type Level = 'raise' | 'hold' | 'calm';

/** One rule's measurement for one scope at one evaluation. */
export interface Reading {
  rule: RuleName;
  severity: 'critical' | 'warning';
  scope: AlertScope;
  merchantIds: string[];
  level: Level;
  value: number;
  threshold: number;
  /** One sentence with the value and the threshold; never card data. */
  message: string;
  firstAction: string;
}

/** What a rule reads at an evaluation. */
export interface RuleInput {
  now: number;
  config: AlertsConfig;
  signals: Signals;
  store: Pick<Store, 'safStats' | 'pendingSaf' | 'openBatches' | 'failure'>;
  /** Every configured merchant: whom a gateway-wide alert concerns. */
  merchants: readonly string[];
  /** The spell of writes the journal's file is refusing now, if it is (absent: not watched). */
  journalWrites?: () => WritesFailing | undefined;
  /** Merchants an acquirer-wide alert concerns: those that used the acquirer since `since`, else every configured one. */
  merchantsOf(acquirerId: string, since: number): string[];
  /** The acquirer's link is down or its breaker open (and it is not drained on purpose). */
  acquirerDown(acquirerId: string): boolean;
  /** The open RECEIPT_WITHOUT_CREDIT cases as reconciliation last saw them; undefined without reconciliation. */
  receiptsWithoutCredit?: () => Promise<Case[]>;
  /** Whether an alert of this rule is active now. */
  anyActive(rule: RuleName): boolean;
}

export type Rule = (input: RuleInput) => Reading[] | Promise<Reading[]>;

/** High values are bad: raise at `raise` or above, calm below `clear`. */
export function levelAbove(value: number, raise: number, clear: number): Level {
  if (value >= raise) return 'raise';
  return value < clear ? 'calm' : 'hold';
}

/** Low values are bad: raise at `raise` or below, calm above `clear`. */
export function levelBelow(value: number, raise: number, clear: number): Level {
  if (value <= raise) return 'raise';
  return value > clear ? 'calm' : 'hold';
}

/** "45 s", "12 min", "26 h": durations in words for messages. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** A percentage with at most one decimal. */
export function pct(x: number): number {
  return Math.round(x * 10) / 10;
}
