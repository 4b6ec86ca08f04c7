import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../terminal-sim/commands/index.js';
import { TestCards } from '../../../terminal-sim/device/index.js';
import { LatencyRecorder, loadCommand, loadTerminalIds, renderSummary, runLoad, type LoadOptions, type LoadSummary } from '../../../terminal-sim/load/index.js';
import { parseTarget } from '../../../terminal-sim/transport/index.js';
import { waitFor, type Stack } from '../../e2e/stack.js';
import { simStack, tempDir } from '../device/sim-stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await simStack();
});
afterAll(async () => {
  await stack?.close();
});

let batch = 100;
function options(over: Partial<LoadOptions>): LoadOptions {
  return {
    target: parseTarget(`tcp://127.0.0.1:${stack.port}`),
    terminals: 20,
    prefix: 'TERM',
    first: 1,
    merchantId: 'MERCHANT0000001',
    currency: '840',
    mode: 'open',
    rate: 2000,
    amount: 1000,
    card: { ...TestCards.visa },
    emv: true,
    timeoutMs: 5000,
    connectTimeoutMs: 2000,
    // each run its own batch: the same STANs again would be duplicates to the gateway
    batch: batch++,
    ...over,
  };
}

/** The stub's rows of one run: by amount, which each test picks apart from the others. */
const rowsOf = (amount: number) => stack.stub.ledger().filter((r) => r.amount === amount);

describe('load', () => {
  it('open loop, 20 terminals, 300 purchases: the summary counts are what the acquirer recorded', async () => {
    const s = await runLoad(options({ count: 300, amount: 1111 }));
    expect(s).toMatchObject({ mode: 'open', terminals: 20, sent: 300, approved: 300, declined: 0, timedOut: 0, errors: 0, notSent: 0, responseCodes: { '00': 300 } });
    const rows = rowsOf(1111);
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => r.status === 'approved' && r.kind === 'purchase')).toBe(true);
    expect(new Set(rows.map((r) => r.terminalId))).toEqual(new Set(loadTerminalIds('TERM', 1, 20)));
    expect(s.histogram.reduce((n, b) => n + b.count, 0)).toBe(300);
    expect(s.latencyMs.p50).not.toBeNull();
    expect(s.latencyMs.p50!).toBeLessThanOrEqual(s.latencyMs.p99!);
    expect(renderSummary(s)).toContain('sent 300  approved 300  declined 0  timed out 0');
  });

  it('closed loop bounded by a duration stops by itself; declines are counted as the acquirer declined them', async () => {
    const s = await runLoad(options({ mode: 'closed', rate: undefined, terminals: 5, durationMs: 400, amount: 1205 }));
    expect(s.sent).toBeGreaterThan(5);
    expect(s).toMatchObject({ approved: 0, declined: s.sent, timedOut: 0, responseCodes: { '05': s.sent } });
    expect(s.elapsedMs).toBeLessThan(2000);
    expect(rowsOf(1205)).toHaveLength(s.sent);
    expect(rowsOf(1205).every((r) => r.status === 'declined')).toBe(true);
  });

  it('without chip data (the patched-template path) every purchase is its own: distinct STANs, all approved', async () => {
    const s = await runLoad(options({ emv: false, terminals: 4, count: 200, amount: 2400 }));
    expect(s).toMatchObject({ sent: 200, approved: 200, timedOut: 0, errors: 0 });
    const rows = rowsOf(2400);
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((r) => `${r.terminalId}/${r.stan}`)).size).toBe(200);
  });

  it('a warm-up sends purchases that the summary does not count, and the window opens after it', async () => {
    const events: string[] = [];
    const began = performance.now();
    let openedAfter = -1;
    const s = await runLoad(
      options({
        mode: 'closed',
        rate: undefined,
        terminals: 3,
        durationMs: 300,
        warmupMs: 300,
        amount: 2600,
        onWindow: {
          open: () => {
            openedAfter = performance.now() - began;
            events.push('open');
          },
          close: () => events.push('close'),
        },
      }),
    );
    expect(events).toEqual(['open', 'close']);
    expect(openedAfter).toBeGreaterThanOrEqual(290);
    expect(s.sent).toBeGreaterThan(0);
    expect(s.approved).toBe(s.sent);
    // the acquirer saw the warm-up's purchases too
    expect(rowsOf(2600).length).toBeGreaterThan(s.sent);
    await expect(runLoad(options({ count: 1, warmupMs: -1 }))).rejects.toThrow('"warmupMs" must be an integer');
  });

  it('a purchase with no answer is reversed before the next one, and the last one before the run ends', async () => {
    // 71: the stub answers after 3 s, the gateway gives up after 1 s; the terminals after 200 ms
    const s = await runLoad(options({ mode: 'closed', rate: undefined, terminals: 2, count: 4, amount: 1271, timeoutMs: 200 }));
    expect(s).toMatchObject({ sent: 4, approved: 0, timedOut: 4, reversals: { sent: 4, acknowledged: 4 } });
    await waitFor(() => rowsOf(1271).length === 4 && rowsOf(1271).every((r) => r.status === 'reversed'), 5000, 'every timed-out purchase reversed at the acquirer');
  });

  it('terminal-sim load: live progress on a TTY, a JSON summary, exit codes', async () => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const out: string[] = [];
    const err: string[] = [];
    stdout.on('data', (c: Buffer) => out.push(c.toString()));
    stderr.on('data', (c: Buffer) => err.push(c.toString()));
    const io: CommandIo = { stdout, stderr, env: {}, cwd: tempDir() };
    const args = ['--target', `tcp://127.0.0.1:${stack.port}`, '--terminals', '10', '--first', '21', '--rate', '500', '--count', '350', '--amount', '13.13', '--batch', String(batch++)];
    const code = await loadCommand.run([...args, '--json'], io);
    expect(code).toBe(0);
    const s = JSON.parse(out.join('')) as LoadSummary;
    expect(s).toMatchObject({ sent: 350, approved: 350, rate: 500, count: 350 });
    expect(rowsOf(1313)).toHaveLength(350);
    expect(new Set(rowsOf(1313).map((r) => r.terminalId))).toEqual(new Set(loadTerminalIds('TERM', 21, 10)));
    const live = err.join('');
    expect(live).toMatch(/\r\x1b\[K +0\.\ds  sent \d+  approved \d+  declined 0  timed out 0  \d+\/s  p50 [\d.-]+ ms  p99 [\d.-]+ ms/);
    expect(live.endsWith('\n')).toBe(true);

    const usage = async (extra: string[]): Promise<number> => loadCommand.run(extra, { ...io, stdout: new PassThrough(), stderr: new PassThrough() });
    expect(await usage(['--target', 'tcp://127.0.0.1:1', '--rate', '10'])).toBe(64);
    expect(await usage(['--target', 'tcp://127.0.0.1:1', '--count', '10'])).toBe(64);
    expect(await usage(['--target', 'tcp://127.0.0.1:1', '--closed', '--count', '10', '--prefix', 'TOOLONGX'])).toBe(64);
    expect(await usage(['--target', 'tcp://127.0.0.1:1', '--closed', '--count', '10'])).toBe(3);
  });

  it('percentiles are nearest-rank over every sample; the histogram buckets them', () => {
    const l = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) l.add(i / 10);
    expect(l.percentiles([0.5, 0.99, 1])).toEqual([50, 99, 100]);
    expect(l.histogram().slice(0, 4)).toEqual([
      { upToMs: 1, count: 9 },
      { upToMs: 2, count: 10 },
      { upToMs: 5, count: 30 },
      { upToMs: 10, count: 50 },
    ]);
    expect(l.takeWindow()).toEqual({ p50: 50, p99: 99 });
    expect(l.takeWindow()).toEqual({ p50: null, p99: null });
  });
});
