import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, CounterChildren } from '../../gateway/metrics.js';

describe('CounterChildren', () => {
  it('shows the same counter, label sets in the same order, as inc() with labels each time, however reads interleave', async () => {
    const step = fc.oneof(fc.tuple(fc.constantFrom('0200', '0100', '0800'), fc.constantFrom('00', '05', '91', '')), fc.constant('read' as const));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const direct = new Registry();
        const counted = new Registry();
        const plain = new Counter({ name: 'c_total', help: 'h', labelNames: ['mti', 'rc'], registers: [direct] });
        const viaChildren: Counter<'mti' | 'rc'> = new Counter({
          name: 'c_total',
          help: 'h',
          labelNames: ['mti', 'rc'],
          registers: [counted],
          collect: (): void => children.flush(),
        });
        const children = new CounterChildren(viaChildren, ['mti', 'rc']);
        for (const s of steps) {
          if (s === 'read') expect(await counted.metrics()).toBe(await direct.metrics());
          else {
            plain.inc({ mti: s[0], rc: s[1] });
            children.of(s[0], s[1]).inc();
          }
        }
        expect(await counted.metrics()).toBe(await direct.metrics());
      }),
    );
  });

  it('leaves the counters where /metrics listed them', async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => !n.startsWith('posgw_process_'));
    expect(names.slice(0, 2)).toEqual(['posgw_requests_total', 'posgw_upstream_latency_seconds']);
    expect(names[names.indexOf('posgw_breaker_transitions_total') + 1]).toBe('posgw_routed_total');
  });

  it("is how the gateway's requests and routed counters are counted", async () => {
    const m = createMetrics();
    m.requestsBy.of('0200', '00').inc();
    m.requestsBy.of('0200', '00').inc();
    m.routedBy.of('stub', 'no').inc();
    expect((await m.requests.get()).values).toEqual([{ labels: { mti: '0200', rc: '00' }, value: 2 }]);
    expect(await m.registry.getSingleMetricAsString('posgw_routed_total')).toContain('posgw_routed_total{acquirer="stub",failover="no"} 1');
  });
});
