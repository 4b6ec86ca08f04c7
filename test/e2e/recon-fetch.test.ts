import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../gateway/app.js';
import { SettlementFetcher, type FetcherOptions } from '../../gateway/recon-service/fetch.js';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { startStack, testConfig, waitFor, type Stack } from './stack.js';
import { sale } from './terminal-client.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
let offset = 0;
const clock = { now: () => Date.now() + offset };
let stack: Stack;
let reportId = '';
let settlementDate = '';

function logs(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

function fetcher(over: Partial<FetcherOptions> & Pick<FetcherOptions, 'clock' | 'logger' | 'targets'>): SettlementFetcher {
  return new SettlementFetcher({
    utcOffsetMinutes: 0,
    importReport: (csv) => stack.gw.recon.importReport(csv),
    imported: async () => new Set((await stack.gw.store.reports()).map((r) => r.reportId)),
    pollMs: 60_000,
    timeoutMs: 5_000,
    retryInitialMs: 60_000,
    retryMaxMs: 4 * 60_000,
    ...over,
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  stack = await startStack({ clock, stub: { rules: { ...defaultRules, cards: {} }, clock, cutover: null } });
  const t = await stack.terminal();
  for (const amount of [1000, 2000]) expect((await t.request(sale(t, { amount }))).fields[39]).toBe('00');
  offset += DAY;
  const summary = stack.stub.cutover();
  expect(summary).not.toBeNull();
  reportId = summary!.reportId;
  settlementDate = summary!.settlementDate;
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

describe('the automatic settlement fetch, from the acquirer stub over loopback', () => {
  it('fetches the day\'s report once at the set time, and nothing again', async () => {
    const manual = { t: Date.parse(`${settlementDate}T05:59:00Z`), now() { return this.t; } };
    const { logger, lines } = logs();
    const f = fetcher({ clock: manual, logger, targets: [{ acquirerId: 'stub', url: stack.stub.url, at: '06:00', token: 'fetch-token' }] });
    expect(await f.check()).toEqual([]);
    expect(await stack.gw.store.reports()).toEqual([]);

    manual.t += 60_000;
    expect(await f.check()).toEqual([{ acquirerId: 'stub', day: settlementDate, imported: [reportId] }]);
    expect((await stack.gw.store.reports()).map((r) => r.reportId)).toEqual([reportId]);
    expect((await stack.gw.store.credits(reportId)).filter((c) => c.record === 'CREDIT').map((c) => c.amount).sort()).toEqual([1000, 2000]);
    expect(lines.find((l) => l.msg === 'settlement reports fetched')).toMatchObject({ acquirer: 'stub', day: settlementDate, reports: [reportId] });

    // once a day: not again the same day, the next day again (nothing new to import)
    manual.t += HOUR;
    expect(await f.check()).toEqual([]);
    expect(f.nextDue('stub')).toBe(Date.parse(`${settlementDate}T06:00:00Z`) + DAY);
    manual.t = f.nextDue('stub')!;
    const next = await f.check();
    expect(next).toEqual([{ acquirerId: 'stub', day: new Date(Date.parse(settlementDate) + DAY).toISOString().slice(0, 10), imported: [] }]);
    expect(await stack.gw.store.reports()).toHaveLength(1);
  });

  it('logs a failed fetch and retries it with a doubling backoff', async () => {
    const manual = { t: Date.parse(`${settlementDate}T06:00:00Z`), now() { return this.t; } };
    const { logger, lines } = logs();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const f = fetcher({ clock: manual, logger, targets: [{ acquirerId: 'stub', url: dead, at: '06:00' }, { acquirerId: 'other', url: `${stack.stub.url}/missing`, at: '06:00' }] });
    expect(await f.check()).toEqual([]);
    const failures = lines.filter((l) => l.msg === 'settlement fetch failed');
    expect(failures.map((l) => [l.acquirer, l.attempt])).toEqual(expect.arrayContaining([['stub', 1], ['other', 1]]));
    expect(failures.find((l) => l.acquirer === 'other')?.error).toMatch(/HTTP 404$/);
    expect(f.nextDue('stub')).toBe(manual.t + 60_000);

    manual.t += 59_999;
    await f.check();
    expect(lines.filter((l) => l.msg === 'settlement fetch failed')).toHaveLength(2);
    manual.t += 1;
    await f.check();
    expect(f.nextDue('stub')).toBe(manual.t + 120_000);
    manual.t += 120_000;
    await f.check();
    manual.t += 240_000;
    await f.check();
    // capped at retryMaxMs
    expect(f.nextDue('stub')).toBe(manual.t + 240_000);
    expect(lines.filter((l) => l.acquirer === 'stub').map((l) => l.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('runs in the gateway from its config, at the local time set', async () => {
    // a local zone in which it is now about noon; the fetch is set two hours later
    const now = new Date(clock.now());
    const utcOffsetMinutes = 12 * 60 - (now.getUTCHours() * 60 + now.getUTCMinutes());
    const dir = mkdtempSync(join(tmpdir(), 'posgw-fetch-'));
    const base = testConfig(dir, stack.stub.port);
    const { logger } = logs();
    const gw = await startGateway(
      {
        ...base,
        acquirers: [{ ...base.acquirers[0], settlement: { settleAfterDays: 1, graceDays: 1, fetch: { url: stack.stub.url, at: '14:00' } } }],
        recon: {
          utcOffsetMinutes,
          batchStaleAfterMs: DAY,
          rules: { duplicateRefund: false, lateCreditCloses: false },
          fetch: { pollMs: 20, timeoutMs: 5_000, retryInitialMs: 1_000, retryMaxMs: 10_000 },
        },
      },
      { clock, logger },
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await gw.store.reports()).toEqual([]);
      offset += 2 * HOUR + 60_000;
      await waitFor(async () => (await gw.store.reports()).length === 1, 5_000, 'the report fetched');
      expect((await gw.store.reports())[0].reportId).toBe(reportId);
      // the gateway that fetched it never saw the sales: the credits are cases of its own
      await gw.recon.sync();
      expect(gw.recon.cases({}).map((c) => c.class)).toEqual(['CREDIT_WITHOUT_RECEIPT', 'CREDIT_WITHOUT_RECEIPT']);
    } finally {
      await gw.close();
    }
  });
});
