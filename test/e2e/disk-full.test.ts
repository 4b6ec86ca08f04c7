import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../gateway/store/sqlite.js';
import { SqliteThreadStore } from '../../gateway/store/thread.js';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

// The journal on a small tmpfs of its own, filled up by a file beside it: a real full disk, freed again by deleting
// that file. Mounting needs root (CAP_SYS_ADMIN): skipped where it is refused.
const dir = mkdtempSync(join(tmpdir(), 'posgw-diskfull-'));
const disk = join(dir, 'disk');
mkdirSync(disk);
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]).status === 0;
if (!mounted) console.warn('disk-full test skipped: cannot mount a tmpfs here (needs root)');

let stack: Stack;
let t: TestTerminal;

beforeAll(async () => {
  if (!mounted) return;
  stack = await startStack({
    dir,
    // slow answers (cents 71) take 300 ms: long enough to fill the disk meanwhile
    stub: { rules: { ...defaultRules, cards: {}, timings: { slowMs: 300, lateMs: 1500 } } },
    config: {
      store: { driver: 'sqlite', path: join(disk, 'gateway.db'), synchronous: 'full' },
      saf: { retryInitialMs: 100, retryMaxMs: 1_000, expireAfterMs: 60_000, pollMs: 50, strandedCheckMs: 100 },
    },
  });
  t = await stack.terminal();
});
afterAll(async () => {
  await stack?.close();
  if (mounted) spawnSync('umount', [disk]);
});

/** Fills the disk with a file of its own; returns its path. */
function fill(): string {
  const path = join(disk, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    // bounded by the tmpfs's 8 MiB
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

let amount = 10_000;
/** A purchase of whole units (the stub approves them); its response code. */
const purchase = async (): Promise<string> => (await t.request(sale(t, { amount: (amount += 100) }))).fields[39] as string;

async function health(): Promise<{ status: number; journal: Record<string, unknown> }> {
  const res = await stack.gw.http.inject({ method: 'GET', url: '/health' });
  return { status: res.statusCode, journal: (JSON.parse(res.body) as { journal: Record<string, unknown> }).journal };
}

describe.skipIf(!mounted)('the journal\'s disk fills up', () => {
  it('answers 96 while its file refuses writes, says so (health 503, metric, alert, one log line), and takes requests again once there is room', async () => {
    expect(await purchase()).toBe('00');
    // a sale at the acquirer while the disk fills: approved there, its outcome cannot be journaled
    const slow = t.request(sale(t, { amount: 1071 }));
    await waitFor(() => stack.stub.ledger().length === 2, 5_000, 'the slow sale at the acquirer');
    const filler = fill();
    expect((await slow).fields[39]).toBe('96');

    // the WAL takes what fits in the frames it has; the first write that needs more fails (bounded: 1,000 requests)
    const codes: string[] = [];
    while (codes.length < 1_000 && !codes.includes('96')) codes.push(await purchase());
    expect(codes.at(-1)).toBe('96');
    for (let i = 0; i < 3; i++) expect(await purchase()).toBe('96');

    const during = await health();
    expect(during.status).toBe(503);
    expect(during.journal).toMatchObject({ status: 'failing', code: 'JOURNAL_WRITE_FAILED', message: expect.stringMatching(/full/) });
    expect((await stack.gw.http.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^posgw_journal_write_failures_total [1-9]\d*$/m);
    await stack.gw.alerts.evaluate();
    expect(stack.gw.alerts.active().map((a) => a.id)).toContain('journal_writes_failing:gateway:');
    const log = () => readFileSync(stack.logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log().filter((l) => l.alert === 'JOURNAL_WRITES_FAILING')).toHaveLength(1);

    rmSync(filler);
    let back = '96';
    for (let i = 0; i < 20 && back !== '00'; i++) back = await purchase();
    expect(back).toBe('00');
    expect(await health()).toEqual({ status: 200, journal: { status: 'ok' } });
    expect(log().filter((l) => l.msg === 'journal writes go through again')).toHaveLength(1);

    // the slow sale, forwarded and then not journaled, is reversed: every approval at the acquirer is either journaled
    // as approved or reversed there
    await waitFor(
      async () => {
        for (const row of stack.stub.ledger()) {
          const tx = await stack.gw.store.findByRrn(row.rrn);
          if (tx === undefined || (row.status === 'approved') !== (tx.state === 'approved')) return false;
        }
        return (await stack.gw.store.safStats()).depth === 0;
      },
      10_000,
      'every approval at the acquirer journaled as approved or reversed',
    );
    expect(stack.stub.ledger().filter((r) => r.amount === 1071).map((r) => r.status)).toEqual(['reversed']);
  });
});

describe.skipIf(!mounted).each(['SqliteStore', 'SqliteThreadStore'] as const)('the journal\'s file refusing writes: %s', (cls) => {
  it('tells its observer of each refusal and, once, that writes go through again', async () => {
    const heard: string[] = [];
    const observer = {
      committed: () => undefined,
      synced: () => undefined,
      writeFailed: (e: unknown) => heard.push(`refused ${(e as { code?: string }).code}`),
      writesResumed: () => heard.push('resumed'),
    };
    const path = join(disk, `${cls}.db`);
    const store = cls === 'SqliteStore' ? new SqliteStore({ path, observer }) : new SqliteThreadStore({ path, observer });
    await store.init();
    const exception = (i: number) => ({ kind: 'REVERSAL_ABANDONED' as const, txId: null, terminalId: 'T1', merchantId: 'M1', detail: 'x'.repeat(2000) + i, createdAt: i });
    try {
      await store.addException(exception(0));
      const filler = fill();
      let refused = 0;
      for (let i = 1; i <= 2_000 && refused < 2; i++) await store.addException(exception(i)).catch(() => refused++);
      expect(refused).toBe(2);
      rmSync(filler);
      await store.addException(exception(9_999));
      await store.addException(exception(10_000));
      // the thread's news comes as messages of their own
      await waitFor(() => heard.includes('resumed'), 2_000, 'writes resumed');
      expect(heard).toEqual(['refused SQLITE_FULL', 'refused SQLITE_FULL', 'resumed']);
    } finally {
      await store.close();
    }
  });
});
