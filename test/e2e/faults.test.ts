import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

// the gateway's upstream deadline in these tests is 1 s (stack.ts); the stub's "late" answers after 1.5 s
const rules = { ...defaultRules, cards: {}, timings: { slowMs: 200, lateMs: 1500 } };

let stack: Stack;
let t: TestTerminal;

beforeAll(async () => {
  stack = await startStack({ stub: { rules } });
  t = await stack.terminal();
});
afterAll(async () => {
  await stack?.close();
});

async function reversedAtAcquirer(rrn: string): Promise<void> {
  await waitFor(() => stack.stub.ledger({ rrn }).some((r) => r.status === 'reversed'), 5000, `reversal of ${rrn} at the acquirer`);
}

describe('acquirer faults', () => {
  it('a slow answer inside the deadline is an ordinary approval', async () => {
    const res = await t.request(sale(t, { amount: 1071 }));
    expect(res.fields[39]).toBe('00');
  });

  it('an answer after the deadline: 91 to the terminal within its deadline, and the late approval reversed', async () => {
    const started = Date.now();
    const res = await t.request(sale(t, { amount: 1072 }));
    expect(res.fields[39]).toBe('91');
    expect(Date.now() - started).toBeLessThan(1_800);
    const rrn = res.fields[37] as string;
    await reversedAtAcquirer(rrn);
    const tx = await stack.gw.store.findByRrn(rrn);
    expect(tx).toMatchObject({ state: 'timed_out', captured: false, reversal: 'timeout' });
    await waitFor(async () => (await stack.gw.store.findByRrn(rrn))?.lateResponseCode === '00', 3000, 'late reply recorded');
  });

  it('no answer at all: 91, and the reversal reaches the acquirer', async () => {
    const res = await t.request(sale(t, { amount: 1073 }));
    expect(res.fields[39]).toBe('91');
    await reversedAtAcquirer(res.fields[37] as string);
  });

  it('the acquirer drops the connection: 91, the link reconnects, and the reversal goes through', async () => {
    const res = await t.request(sale(t, { amount: 1074 }));
    expect(res.fields[39]).toBe('91');
    await reversedAtAcquirer(res.fields[37] as string);
    const after = await t.request(sale(t, { amount: 1000 }));
    expect(after.fields[39]).toBe('00');
  });

  it('an outage: requests get 91 while the stub is silent, and the queue drains to zero once it is back', async () => {
    stack.stub.setMode('silent');
    const answers = await Promise.all([1, 2, 3].map(() => t.request(sale(t, { amount: 2000 }))));
    expect(answers.map((a) => a.fields[39])).toEqual(['91', '91', '91']);
    // silent: the stub did not record them, so its answers to the reversals will be 25 (nothing to undo)
    expect((await stack.gw.store.safStats()).depth).toBeGreaterThan(0);
    stack.stub.setMode('normal');
    await waitFor(async () => (await stack.gw.store.safStats()).depth === 0, 8000, 'store-and-forward queue drained');
    const ok = await t.request(sale(t, { amount: 2000 }));
    expect(ok.fields[39]).toBe('00');
  });

  it('a request sent five times (duplicates and a repeat) is charged exactly once', async () => {
    const req = sale(t, { amount: 4242 });
    const answers = await Promise.all([t.request(req), t.request(req)].map((p) => p.catch(() => undefined)));
    // two identical in flight at once: both answered the same, one relay
    const again = await t.request(req);
    const repeat = await t.request({ mti: '0201', fields: { ...req.fields } });
    const last = await t.request(req);
    const rrns = new Set([...answers, again, repeat, last].filter((a) => a !== undefined).map((a) => a!.fields[37]));
    expect(rrns.size).toBe(1);
    expect([again, last].map((a) => a.fields[39])).toEqual(['00', '00']);
    expect(stack.stub.ledger().filter((r) => r.amount === 4242)).toHaveLength(1);
  });

  it('the same key with different content gets 94 and is not relayed', async () => {
    const req = sale(t, { amount: 4343 });
    expect((await t.request(req)).fields[39]).toBe('00');
    const changed = { ...req, fields: { ...req.fields, 4: '000000004344' } };
    expect((await t.request(changed)).fields[39]).toBe('94');
    expect(stack.stub.ledger().filter((r) => r.amount === 4344)).toHaveLength(0);
  });
});
