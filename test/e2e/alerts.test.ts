import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../gateway/alerts/index.js';
import type { Alert } from '../../gateway/feed/types.js';
import { loadScenario, localAcquirer, runScenario } from '../../terminal-sim/scenario/index.js';
import { parseTarget } from '../../terminal-sim/transport/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale } from './terminal-client.js';

const MERCHANT = 'MERCHANT0000001';
const MIN = 60_000;

/** The system clock plus an offset the test moves forward: minutes of gateway time pass in a moment. */
const clock = {
  offset: 0,
  now: (): number => Date.now() + clock.offset,
};

/** Step indexes of terminal-sim/scenarios/acquirer-outage.json. */
const Step = { SILENT: 3, NORMAL: 7 } as const;

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.close();
});

async function metric(s: Stack, rule: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${s.gw.ports.http}/metrics`);
  const text = await res.text();
  return new RegExp(`^posgw_alert_active\\{rule="${rule}",scope="acquirer:stub"\\} (\\d+)$`, 'm').exec(text)?.[1];
}

describe('alerts through the acquirer-outage scenario', () => {
  it('raises the upstream timeout and approval-rate alerts during the outage and clears them after it, in /metrics too', async () => {
    const alerts = {
      ...defaultAlertsConfig(),
      evaluateEveryMs: 50,
      clearAfterMs: 30_000,
      // the scenario is a handful of sales: small samples, the default windows (5 min against the hour before)
      approvalRate: { ...defaultAlertsConfig().approvalRate, minSamples: 2, minBaselineSamples: 4 },
      upstreamTimeouts: { ...defaultAlertsConfig().upstreamTimeouts, minSamples: 2 },
    };
    const terminals = ['TERM0001', 'TERM0002', 'TERM0003'].map((id) => ({ id, merchantId: MERCHANT, enabled: true }));
    stack = await startStack({ clock, config: { terminals, alerts } });
    const s = stack;
    let lastStep = -1;
    const changes: { change: string; alert: Alert; afterStep: number }[] = [];
    s.gw.alerts.onChange((alert, change) => changes.push({ change, alert, afterStep: lastStep }));

    // the baseline: an ordinary quarter of an hour of approvals before the day's scenario
    const t = await s.terminal();
    for (let i = 0; i < 4; i++) {
      const reply = await t.request(sale(t, { amount: 1000 + i, terminalId: 'TERM0003', invoice: String(i + 1).padStart(6, '0') }));
      expect(reply.fields[39]).toBe('00');
    }
    clock.offset += 10 * MIN;

    // /metrics watched while the scenario runs: what it shows while the acquirer is silent
    const seenDuringOutage = new Set<string>();
    let running = true;
    const watcher = (async () => {
      for (let i = 0; i < 2000 && running; i++) {
        const step = lastStep;
        const [timeouts, approvals] = await Promise.all([metric(s, 'upstream_timeouts'), metric(s, 'approval_rate')]);
        if (step >= Step.SILENT && lastStep < Step.NORMAL) {
          if (timeouts === '1') seenDuringOutage.add('upstream_timeouts');
          if (approvals === '1') seenDuringOutage.add('approval_rate');
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const report = await runScenario(loadScenario('acquirer-outage', process.cwd()), {
      target: parseTarget(`tcp://127.0.0.1:${s.port}`),
      acquirer: localAcquirer(s.stub),
      dataDir: mkdtempSync(join(tmpdir(), 'tsim-')),
      onStep: (r) => {
        lastStep = Math.max(lastStep, r.step);
      },
    });
    running = false;
    await watcher;
    expect(report.steps.filter((x) => x.responseCode === '91').map((x) => x.step)).toEqual([4, 6]);

    // raised while the acquirer was silent, before it came back; acquirer-wide, naming the merchant
    const raised = changes.filter((c) => c.change === 'raised');
    expect(raised.map((c) => c.alert.id).sort()).toEqual(['approval_rate:acquirer:stub', `approval_rate:merchant:${MERCHANT}`, 'upstream_timeouts:acquirer:stub']);
    for (const c of raised) expect(c.afterStep).toBeGreaterThanOrEqual(Step.SILENT);
    for (const c of raised) expect(c.afterStep).toBeLessThan(Step.NORMAL);
    const timeouts = raised.find((c) => c.alert.rule === 'upstream_timeouts')!.alert;
    expect(timeouts).toMatchObject({ severity: 'critical', scope: { kind: 'acquirer', id: 'stub' }, merchantIds: [MERCHANT], clearedAt: null, threshold: 20 });
    expect(timeouts.message).toMatch(/^\d+(\.\d)?% of the \d+ requests to acquirer stub in the last 5 min got no answer/);
    expect(timeouts.firstAction).toContain('POST /acquirers/stub/drain');
    expect([...seenDuringOutage].sort()).toEqual(['approval_rate', 'upstream_timeouts']);
    expect(s.gw.alerts.active(MERCHANT).map((a) => a.id).sort()).toEqual(raised.map((c) => c.alert.id).sort());

    // after the outage: the reversals go through, the window moves past the timeouts, the calm lasts clearAfterMs
    await waitFor(async () => (await s.gw.store.safStats()).depth === 0, 5_000, 'store-and-forward drained');
    expect(changes.filter((c) => c.change === 'cleared')).toEqual([]);
    clock.offset += 6 * MIN;
    await new Promise((r) => setTimeout(r, 200));
    expect(s.gw.alerts.active()).toHaveLength(3);
    clock.offset += 31_000;
    await waitFor(() => s.gw.alerts.active().length === 0, 5_000, 'alerts cleared');
    expect(changes.filter((c) => c.change === 'cleared').map((c) => c.alert.id).sort()).toEqual(raised.map((c) => c.alert.id).sort());
    expect(await metric(s, 'upstream_timeouts')).toBe('0');
    expect(await metric(s, 'approval_rate')).toBe('0');
    const text = await (await fetch(`http://127.0.0.1:${s.gw.ports.http}/metrics`)).text();
    expect(text).toContain('posgw_alerts_raised_total{rule="upstream_timeouts",severity="critical"} 1');
  });
});
