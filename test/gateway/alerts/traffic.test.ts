import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEngine } from '../../../gateway/alerts/index.js';
import { alertsConfig, DAY, HOUR, journal, M1, M2, MIN, ManualClock, rig, T0, tempStore, type Rig } from './fixtures.js';

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

async function start(...args: Parameters<typeof rig>): Promise<Rig> {
  const r = await rig(...args);
  rigs.push(r);
  return r;
}

interface Burst {
  n: number;
  at: number;
  approved?: number;
  failed?: number;
  latencyMs?: number;
  merchantId?: string;
  acquirerId?: string;
}

/** `n` outcomes at `at`: the first `approved` approved, the next `failed` without an answer, the rest declined. */
function burst(engine: AlertEngine, b: Burst): void {
  for (let i = 0; i < b.n; i++) {
    const approved = i < (b.approved ?? 0);
    const timedOut = !approved && i < (b.approved ?? 0) + (b.failed ?? 0);
    engine.record({ merchantId: b.merchantId ?? M1, acquirerId: b.acquirerId ?? 'acq-a', approved, timedOut, latencyMs: timedOut ? null : (b.latencyMs ?? 50), at: b.at });
  }
}

const briefly = (r: Rig) => r.changes.map(([change, a]) => `${change} ${a.id}`);

describe('approval rate against its baseline', () => {
  const config = alertsConfig({
    clearAfterMs: 30_000,
    approvalRate: { recentMs: MIN, baselineMs: 10 * MIN, minSamples: 5, minBaselineSamples: 10, raiseDropPoints: 20, clearDropPoints: 10 },
  });

  it('waits for the minimum sample, raises per merchant and per acquirer, and clears once the rate is back for clearAfterMs', async () => {
    const r = await start(config);
    for (let i = 0; i < 20; i++) burst(r.engine, { n: 1, approved: 1, at: T0 + i * 10_000 });
    r.clock.t = T0 + 5 * MIN;
    for (const ago of [40_000, 30_000, 20_000, 10_000]) burst(r.engine, { n: 1, at: r.clock.t - ago });
    await r.engine.evaluate();
    // four declines in a row are below the minimum sample: nobody is paged
    expect(r.changes).toEqual([]);

    burst(r.engine, { n: 1, at: r.clock.t - 5_000 });
    await r.engine.evaluate();
    expect(r.ids()).toEqual(['approval_rate:acquirer:acq-a', `approval_rate:merchant:${M1}`]);
    const [merchant] = r.engine.active(M1).filter((a) => a.scope.kind === 'merchant');
    expect(merchant).toEqual({
      id: `approval_rate:merchant:${M1}`,
      rule: 'approval_rate',
      severity: 'warning',
      scope: { kind: 'merchant', id: M1 },
      merchantIds: [M1],
      startedAt: T0 + 5 * MIN,
      clearedAt: null,
      message: `Approval rate of merchant ${M1} is 0% over the last 60 s (5 requests) against 100% over the 10 min before (20 requests): down 100 points (alert at 20 points down, clears under 10).`,
      firstAction: expect.stringContaining('response codes') as string,
      value: 100,
      threshold: 20,
    });
    // the acquirer-wide alert concerns the merchants that used the acquirer lately
    expect(r.engine.active().find((a) => a.scope.kind === 'acquirer')?.merchantIds).toEqual([M1]);
    expect(r.engine.active(M2)).toEqual([]);

    // approvals are back: calm, but the alert stays until the calm has lasted clearAfterMs
    r.clock.t = T0 + 7 * MIN;
    burst(r.engine, { n: 10, approved: 10, at: r.clock.t - 5_000 });
    await r.engine.evaluate();
    r.clock.t += 29_999;
    await r.engine.evaluate();
    expect(r.ids()).toHaveLength(2);
    r.clock.t += 1;
    await r.engine.evaluate();
    expect(r.ids()).toEqual([]);
    expect(briefly(r)).toEqual([
      'raised approval_rate:merchant:MERCHANT0000001',
      'raised approval_rate:acquirer:acq-a',
      'cleared approval_rate:merchant:MERCHANT0000001',
      'cleared approval_rate:acquirer:acq-a',
    ]);
    const cleared = r.changes[2][1];
    expect(cleared).toMatchObject({ startedAt: T0 + 5 * MIN, clearedAt: r.clock.t });
  });

  it('needs a baseline: a merchant with no history is not compared with nothing', async () => {
    const r = await start(config);
    burst(r.engine, { n: 20, at: T0 });
    await r.engine.evaluate(T0 + 1000);
    expect(r.changes).toEqual([]);
  });
});

describe('upstream timeouts', () => {
  const config = alertsConfig({ clearAfterMs: 30_000, upstreamTimeouts: { windowMs: MIN, minSamples: 10, raisePercent: 20, clearPercent: 5 } });

  it('raises at the raise level, holds between the levels, clears only after clearAfterMs below the clear level', async () => {
    const r = await start(config);
    // 10 %: between the levels, and nothing active: nothing raised
    burst(r.engine, { n: 10, failed: 1, at: T0 });
    await r.engine.evaluate(T0);
    expect(r.changes).toEqual([]);

    let t = T0 + 2 * MIN;
    burst(r.engine, { n: 10, failed: 2, at: t });
    await r.engine.evaluate(t);
    expect(r.ids()).toEqual(['upstream_timeouts:acquirer:acq-a']);
    expect(r.engine.active()[0]).toMatchObject({
      severity: 'critical',
      value: 20,
      threshold: 20,
      message: '20% of the 10 requests to acquirer acq-a in the last 60 s got no answer (timed out or could not be sent) (alert at 20%, clears under 5%).',
    });

    // 10 % for longer than clearAfterMs: between the levels, so it stays; 30 % again raises nothing new
    t += 2 * MIN;
    burst(r.engine, { n: 10, failed: 1, at: t });
    await r.engine.evaluate(t);
    await r.engine.evaluate(t + 40_000);
    expect(r.ids()).toEqual(['upstream_timeouts:acquirer:acq-a']);
    t += 2 * MIN;
    burst(r.engine, { n: 10, failed: 3, at: t });
    await r.engine.evaluate(t);
    expect(r.engine.active()[0].value).toBe(30);

    // calm (0 %), then back between the levels before clearAfterMs: the calm starts over
    t += 2 * MIN;
    burst(r.engine, { n: 20, at: t });
    await r.engine.evaluate(t);
    burst(r.engine, { n: 10, failed: 2, at: t + 20_000 });
    await r.engine.evaluate(t + 20_000);
    await r.engine.evaluate(t + 40_000);
    expect(r.ids()).toHaveLength(1);

    // calm for good: cleared exactly clearAfterMs after the calm began
    t += 2 * MIN;
    burst(r.engine, { n: 10, at: t });
    await r.engine.evaluate(t);
    await r.engine.evaluate(t + 29_999);
    expect(r.ids()).toHaveLength(1);
    await r.engine.evaluate(t + 30_000);
    expect(r.ids()).toEqual([]);
    expect(briefly(r)).toEqual(['raised upstream_timeouts:acquirer:acq-a', 'cleared upstream_timeouts:acquirer:acq-a']);
    expect(r.changes[1][1]).toMatchObject({ startedAt: T0 + 2 * MIN, clearedAt: t + 30_000 });
  });

  it('shows in /metrics and in the log: warn on raise, info on clear', async () => {
    const r = await start(alertsConfig({ clearAfterMs: 0, upstreamTimeouts: { windowMs: MIN, minSamples: 4 } }));
    burst(r.engine, { n: 4, failed: 4, at: T0 });
    await r.engine.evaluate(T0);
    let text = await r.metrics.registry.metrics();
    expect(text).toContain('posgw_alert_active{rule="upstream_timeouts",scope="acquirer:acq-a"} 1');
    expect(text).toContain('posgw_alerts_raised_total{rule="upstream_timeouts",severity="critical"} 1');
    await r.engine.evaluate(T0 + 2 * MIN);
    text = await r.metrics.registry.metrics();
    expect(text).toContain('posgw_alert_active{rule="upstream_timeouts",scope="acquirer:acq-a"} 0');
    const logged = r.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('alert '));
    expect(logged.map((l) => [l.level, (l.alert as { id: string }).id])).toEqual([
      [40, 'upstream_timeouts:acquirer:acq-a'],
      [30, 'upstream_timeouts:acquirer:acq-a'],
    ]);
    expect(logged[0].msg).toBe('alert raised: 100% of the 4 requests to acquirer acq-a in the last 60 s got no answer (timed out or could not be sent) (alert at 20%, clears under 5%).');
  });

  it('holds while the acquirer is unreachable and has no traffic left to measure (it failed over), then clears', async () => {
    const down = new Set(['acq-a']);
    const r = await start(config, { down });
    burst(r.engine, { n: 10, failed: 10, at: T0 });
    await r.engine.evaluate(T0);
    await r.engine.evaluate(T0 + 5 * MIN);
    await r.engine.evaluate(T0 + 10 * MIN);
    expect(r.ids()).toEqual(['upstream_timeouts:acquirer:acq-a']);
    expect(r.engine.active()[0].message).toContain('Acquirer acq-a is unreachable (link down or circuit breaker open) and had 0 requests in the last 60 s');
    down.delete('acq-a');
    await r.engine.evaluate(T0 + 11 * MIN);
    await r.engine.evaluate(T0 + 11 * MIN + 30_000);
    expect(r.ids()).toEqual([]);
  });

  it('is switchable: a disabled rule raises nothing', async () => {
    const r = await start(alertsConfig({ upstreamTimeouts: { enabled: false, minSamples: 1 } }));
    burst(r.engine, { n: 10, failed: 10, at: T0 });
    await r.engine.evaluate(T0);
    expect(r.changes).toEqual([]);
    const off = await start({ ...alertsConfig({ upstreamTimeouts: { minSamples: 1 } }), enabled: false });
    burst(off.engine, { n: 10, failed: 10, at: T0 });
    await off.engine.evaluate(T0);
    expect(off.changes).toEqual([]);
  });
});

describe('upstream latency', () => {
  it('raises on the 95th percentile of reply times, ignoring requests without a reply, and clears when it falls', async () => {
    const r = await start(alertsConfig({ clearAfterMs: 0, upstreamLatency: { windowMs: MIN, minSamples: 10, raiseP95Ms: 200, clearP95Ms: 100 } }));
    burst(r.engine, { n: 9, approved: 9, latencyMs: 300, at: T0 });
    burst(r.engine, { n: 5, failed: 5, at: T0 });
    await r.engine.evaluate(T0);
    expect(r.changes).toEqual([]);
    burst(r.engine, { n: 1, approved: 1, latencyMs: 300, at: T0 });
    await r.engine.evaluate(T0);
    expect(r.ids()).toEqual(['upstream_latency:acquirer:acq-a']);
    const a = r.engine.active()[0];
    // the histogram's bins are about 25 % wide: the value is the upper bound of the bin holding the 95th percentile
    expect(a.value).toBeGreaterThanOrEqual(300);
    expect(a.value).toBeLessThan(375);
    expect(a.message).toBe(`Acquirer acq-a answers in up to ${a.value} ms (95th percentile of 10 replies in the last 60 s; alert at 200 ms, clears under 100 ms).`);

    burst(r.engine, { n: 20, approved: 20, latencyMs: 20, at: T0 + 2 * MIN });
    await r.engine.evaluate(T0 + 2 * MIN);
    expect(briefly(r)).toEqual(['raised upstream_latency:acquirer:acq-a', 'cleared upstream_latency:acquirer:acq-a']);
  });
});

describe('volume against the same time on previous days', () => {
  const volume = { windowMs: HOUR, lookbackDays: 7, minBaseline: 5, raisePercent: 30, clearPercent: 60 };

  it('raises when a merchant sends far less than usual at this time of day, and clears when it is back', async () => {
    const r = await start(alertsConfig({ clearAfterMs: 0, volume }));
    for (let d = 1; d <= 7; d++) {
      burst(r.engine, { n: 40, approved: 40, at: T0 - d * DAY - 30 * MIN });
      burst(r.engine, { n: 40, approved: 40, at: T0 - d * DAY + 30 * MIN });
    }
    burst(r.engine, { n: 8, approved: 8, at: T0 - 30 * MIN });
    // 10:01: the window is 09:00-10:00, complete 15-minute buckets only
    await r.engine.evaluate(T0 + MIN);
    expect(r.ids()).toEqual([`volume_drop:merchant:${M1}`]);
    expect(r.engine.active()[0]).toMatchObject({
      value: 20,
      threshold: 30,
      merchantIds: [M1],
      message: `Merchant ${M1} sent 8 requests in the last 60 min, 20% of the usual 40 at this time of day (mean of the previous 7 days; alert at 30% or less, clears over 60%).`,
    });
    burst(r.engine, { n: 30, approved: 30, at: T0 + 30 * MIN });
    await r.engine.evaluate(T0 + 61 * MIN);
    expect(briefly(r)).toEqual([`raised volume_drop:merchant:${M1}`, `cleared volume_drop:merchant:${M1}`]);
  });

  it('is seeded from the journal at start: the previous days survive a restart', async () => {
    const clock = new ManualClock(T0 + MIN);
    const store = await tempStore();
    for (let d = 1; d <= 7; d++) for (let i = 0; i < 10; i++) await journal(store, { state: 'approved', at: T0 - d * DAY - 30 * MIN + i });
    for (let i = 0; i < 2; i++) await journal(store, { state: 'declined', at: T0 - 30 * MIN + i });
    const r = await start(alertsConfig({ volume }), { clock, store });
    await r.engine.evaluate();
    expect(r.engine.active().map((a) => [a.id, a.value])).toEqual([[`volume_drop:merchant:${M1}`, 20]]);
  });
});
