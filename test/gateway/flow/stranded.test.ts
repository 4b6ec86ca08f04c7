import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ChurnTable } from '../../../gateway/churn-table.js';
import { txKeyString } from '../../../gateway/flow/authorize.js';
import type { FlowContext, InFlight } from '../../../gateway/flow/context.js';
import { StrandedRequests } from '../../../gateway/flow/stranded.js';
import { createMetrics } from '../../../gateway/metrics.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import type { NewTransaction } from '../../../gateway/store/types.js';
import { newTx } from '../store/tx-fixture.js';

let stan = 0;
const forwarding = (over: Partial<NewTransaction> = {}): NewTransaction => newTx(++stan, over);

let store: SqliteStore;
afterEach(async () => {
  await store?.close();
});

function setUp(): { ctx: FlowContext; woken: string[]; stranded: StrandedRequests } {
  store = new SqliteStore({ path: ':memory:' });
  const woken: string[] = [];
  const ctx = {
    store,
    inflight: new ChurnTable<InFlight>(),
    clock: { now: () => 5_000 },
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    wakeSaf: (id: string) => woken.push(id),
  } as Partial<FlowContext> as FlowContext;
  return { ctx, woken, stranded: new StrandedRequests(ctx) };
}

describe('requests stranded in a run', () => {
  it('a request journaled as forwarding with no flow is reversed at the second check that sees it: 96, reversal queued, queue woken', async () => {
    const { ctx, woken, stranded } = setUp();
    const tx = await store.insertTransaction(forwarding());
    expect(await stranded.check()).toBe(0);
    expect((await store.getTransaction(tx.id))?.state).toBe('forwarding');
    expect(await stranded.check()).toBe(1);
    expect(await store.getTransaction(tx.id)).toMatchObject({ state: 'timed_out', responseCode: '96', reversal: 'recovery' });
    expect((await store.pendingSaf('stub')).map((s) => s.txId)).toEqual([tx.id]);
    expect(woken).toEqual(['stub']);
    expect((await ctx.metrics.registry.getSingleMetric('posgw_stranded_requests_total')!.get()).values[0].value).toBe(1);
    // done: nothing left for the next check
    expect(await stranded.check()).toBe(0);
  });

  it('a request whose flow is still running is never taken for stranded, however long it takes', async () => {
    const { ctx, stranded } = setUp();
    const tx = await store.insertTransaction(forwarding());
    ctx.inflight.set(txKeyString(tx), { fingerprint: tx.fingerprint, done: new Promise(() => undefined) });
    for (let i = 0; i < 4; i++) expect(await stranded.check()).toBe(0);
    expect((await store.getTransaction(tx.id))?.state).toBe('forwarding');
    expect(await store.pendingSaf()).toEqual([]);
  });

  it('a flow that journals its outcome between two checks is left alone', async () => {
    const { stranded } = setUp();
    const tx = await store.insertTransaction(forwarding());
    // read as forwarding, and its key already gone: as when the flow finished between the read and the look at the keys
    expect(await stranded.check()).toBe(0);
    await store.recordOutcome(tx.id, { state: 'approved', responseCode: '00', authCode: 'A1B2C3', captured: true, at: 4_000 });
    expect(await stranded.check()).toBe(0);
    expect(await store.getTransaction(tx.id)).toMatchObject({ state: 'approved', responseCode: '00', captured: true, reversal: null });
    expect(await store.pendingSaf()).toEqual([]);
  });

  it('at start every request journaled as forwarding is reversed at once, with 91', async () => {
    const { woken, stranded } = setUp();
    const a = await store.insertTransaction(forwarding());
    const b = await store.insertTransaction(forwarding({ acquirerId: null }));
    expect(await stranded.recover()).toBe(2);
    expect(await store.getTransaction(a.id)).toMatchObject({ state: 'timed_out', responseCode: '91', reversal: 'recovery' });
    // never sent anywhere: nothing to reverse
    expect(await store.getTransaction(b.id)).toMatchObject({ state: 'timed_out', responseCode: '91', reversal: null });
    expect((await store.pendingSaf()).map((s) => s.txId)).toEqual([a.id]);
    // the queues start after recovery and look at once
    expect(woken).toEqual([]);
  });

  it('a check that cannot journal the reversals tries the same requests again at the next one', async () => {
    const { stranded } = setUp();
    const tx = await store.insertTransaction(forwarding());
    await stranded.check();
    const recordOutcome = store.recordOutcome.bind(store);
    store.recordOutcome = () => Promise.reject(new Error('disk I/O error'));
    await expect(stranded.check()).rejects.toThrow('disk I/O error');
    store.recordOutcome = recordOutcome;
    expect(await stranded.check()).toBe(1);
    expect((await store.getTransaction(tx.id))?.state).toBe('timed_out');
  });
});
