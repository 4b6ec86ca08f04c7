import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { AlertEngine, defaultAlertsConfig, type AlertChange, type CaseSource } from '../../../gateway/alerts/index.js';
import type { AlertsConfig } from '../../../gateway/config/types.js';
import type { Alert } from '../../../gateway/feed/types.js';
import { createMetrics, type Metrics } from '../../../gateway/metrics.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import { newTx } from '../store/tx-fixture.js';
import type { NewTransaction, TxRecord } from '../../../gateway/store/types.js';

export const M1 = 'MERCHANT0000001';
export const M2 = 'MERCHANT0000002';
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-11-21 10:00 UTC. */
export const T0 = Date.UTC(2026, 10, 21, 10);

export class ManualClock {
  constructor(public t = T0) {}
  now = (): number => this.t;
}

type Patch<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

/**
 * The default `alerts` section with every rule off and no timer tick within a test (tests call evaluate()), then
 * `patch` (a rule given in `patch` is on unless it says not).
 */
export function alertsConfig(patch: Patch<AlertsConfig> = {}): AlertsConfig {
  const c = { ...defaultAlertsConfig(), evaluateEveryMs: 2_147_483_647 } as unknown as Record<string, unknown>;
  for (const v of Object.values(c)) if (typeof v === 'object' && v !== null && 'enabled' in v) (v as { enabled: boolean }).enabled = false;
  for (const [k, v] of Object.entries(patch)) {
    c[k] = typeof v === 'object' && v !== null && typeof c[k] === 'object' ? { ...(c[k] as object), enabled: true, ...v } : v;
  }
  return c as unknown as AlertsConfig;
}

/** A pino logger writing into an array of parsed lines. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export async function tempStore(): Promise<SqliteStore> {
  const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'posgw-alerts-')), 'gateway.db') });
  await store.init();
  return store;
}

export interface Rig {
  engine: AlertEngine;
  clock: ManualClock;
  store: SqliteStore;
  metrics: Metrics;
  lines: Record<string, unknown>[];
  changes: [AlertChange, Alert][];
  /** Ids of the active alerts, sorted. */
  ids(): string[];
  close(): Promise<void>;
}

/** An engine over a real SQLite store, on a manual clock, with its changes collected. Not started: tests call evaluate(). */
export async function rig(
  config: AlertsConfig,
  o: { clock?: ManualClock; store?: SqliteStore; cases?: CaseSource; down?: Set<string>; merchants?: string[] } = {},
): Promise<Rig> {
  const clock = o.clock ?? new ManualClock();
  const store = o.store ?? (await tempStore());
  const metrics = createMetrics();
  const { logger, lines } = memoryLogger();
  const engine = new AlertEngine({ config, clock, store, logger, metrics, merchants: o.merchants ?? [M1, M2], acquirerDown: (id) => o.down?.has(id) ?? false });
  const changes: [AlertChange, Alert][] = [];
  engine.onChange((alert, change) => changes.push([change, alert]));
  await engine.start(o.cases);
  return {
    engine,
    clock,
    store,
    metrics,
    lines,
    changes,
    ids: () => engine.active().map((a) => a.id).sort(),
    async close() {
      await engine.stop();
      await store.close();
    },
  };
}

let stanSeq = 0;

/** A transaction journaled as the flow does it, with its outcome. */
export async function journal(store: SqliteStore, o: Partial<NewTransaction> & { state: TxRecord['state']; at: number }): Promise<TxRecord> {
  stanSeq++;
  const stan = String(stanSeq).padStart(6, '0');
  const { state, at, ...rest } = o;
  const tx = await store.insertTransaction(
    newTx(stanSeq, { localTime: '100000', fingerprint: `fp-${stan}`, acquirerId: 'acq-a', route: 'default: acq-a', rrn: `6325${stan.padStart(8, '0')}`, transmittedAt: '1121100000', createdAt: at, ...rest }),
  );
  await store.recordOutcome(tx.id, { state, responseCode: state === 'approved' ? '00' : state === 'declined' ? '05' : '91', authCode: state === 'approved' ? 'A1B2C3' : null, captured: state === 'approved', at });
  return (await store.getTransaction(tx.id))!;
}
