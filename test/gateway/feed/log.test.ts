import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../../gateway/feed/log.js';
import type { FeedEvent, NewFeedEvent } from '../../../gateway/feed/types.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';

const clock = { now: () => 1_000 };
const logger = pino({ level: 'silent' });
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function open(path = join(mkdtempSync(join(tmpdir(), 'posgw-feed-')), 'j.db')): { store: SqliteStore; path: string } {
  const store = new SqliteStore({ path });
  stores.push(store);
  return { store, path };
}

const ev = (merchantId: string, n: number): NewFeedEvent => ({ merchantId, type: 'transaction.approved', at: n, data: { n } });

describe('feed event log', () => {
  it('hands events to listeners only once they are committed, in order', async () => {
    const { store, path } = open();
    const log = new EventLog(store, clock, logger);
    await log.init(['A', 'B']);
    const seen: FeedEvent[] = [];
    const reader = open(path).store;
    const committedWhenSeen: Promise<FeedEvent[]>[] = [];
    // a second connection sees only committed rows; better-sqlite3 reads at the call
    log.subscribe((events) => {
      seen.push(...events);
      committedWhenSeen.push(reader.eventsSince(null, 0, 100));
    });
    const first = log.publish([ev('A', 1), ev('B', 2)]);
    const second = log.publish([ev('A', 3)]);
    expect(seen).toEqual([]);
    expect(log.cursor('A')).toBe(0);
    await Promise.all([first, second]);
    expect(seen.map((e) => [e.merchantId, e.seq])).toEqual([['A', 1], ['B', 1], ['A', 2]]);
    const [firstView] = await Promise.all(committedWhenSeen);
    expect(firstView.map((e) => e.id)).toEqual(seen.map((e) => e.id));
    expect(log.cursor('A')).toBe(2);
    expect(log.cursor('B')).toBe(1);
    expect(log.cursor(null)).toBe(seen[2].id);
  });

  it('starts from where the journal stands', async () => {
    const { store, path } = open();
    await store.appendEvents([ev('A', 1), ev('A', 2), ev('B', 3)]);
    const log = new EventLog(open(path).store, clock, logger);
    await log.init(['A', 'B', 'C']);
    expect([log.cursor('A'), log.cursor('B'), log.cursor('C'), log.cursor(null)]).toEqual([2, 1, 0, 3]);
  });

  it('logs a failed write instead of throwing, and a throwing listener does not stop the others', async () => {
    const { store } = open();
    const errors: string[] = [];
    const log = new EventLog(store, clock, pino({ level: 'error' }, { write: (l: string) => errors.push(l) }));
    await log.init(['A']);
    const got: number[] = [];
    log.subscribe(() => {
      throw new Error('listener bug');
    });
    log.subscribe((events) => got.push(...events.map((e) => e.seq)));
    await log.publish([ev('A', 1)]);
    expect(got).toEqual([1]);
    await store.close();
    stores.splice(0);
    await expect(log.publish([ev('A', 2)])).resolves.toBeUndefined();
    expect(errors.join('')).toContain('feed listener failed');
    expect(errors.join('')).toContain('feed events not journaled');
  });

  it('journals an alert for each merchant it concerns and lists the active ones of a merchant', async () => {
    const { store } = open();
    const log = new EventLog(store, clock, logger);
    await log.init(['A', 'B']);
    const got: FeedEvent[] = [];
    log.subscribe((events) => got.push(...events));
    const alert = { id: 'x:gateway:', rule: 'x', severity: 'warning', scope: { kind: 'gateway' }, merchantIds: ['A', 'B'], startedAt: 1, clearedAt: null, message: 'm', firstAction: 'f', value: 1, threshold: 0 } as const;
    await log.alert({ ...alert, merchantIds: [...alert.merchantIds] }, 'raised');
    expect(got.map((e) => [e.merchantId, e.type, e.at])).toEqual([['A', 'alert.raised', 1_000], ['B', 'alert.raised', 1_000]]);
    expect(log.alertsNow('A')).toEqual([]);
    log.setActiveAlerts(() => [{ ...alert, merchantIds: ['B'] }]);
    expect(log.alertsNow('A')).toEqual([]);
    expect(log.alertsNow('B')).toHaveLength(1);
    expect(log.alertsNow(null)).toHaveLength(1);
  });
});
