import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalError, JournalErrorCodes } from '../../gateway/store/errors.js';
import { SqliteStore } from '../../gateway/store/sqlite.js';
import type { TxOutcome } from '../../gateway/store/types.js';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale, type TestTerminal } from './terminal-client.js';

/**
 * The journal refuses one write: the approved outcome of the sale for FAILING minor units (a disk that fails on cue
 * cannot be had here; the refusal is what the store's caller sees of one, a JournalError).
 */
const FAILING = 2468;

class JournalFailingOnce extends SqliteStore {
  armed = true;

  override async recordOutcome(id: number, outcome: TxOutcome): Promise<void> {
    if (this.armed && outcome.state === 'approved' && (await this.getTransaction(id))?.amount === FAILING) {
      this.armed = false;
      throw new JournalError(JournalErrorCodes.writeFailed, 'journal write failed: disk I/O error');
    }
    return super.recordOutcome(id, outcome);
  }
}

// slow answers take 600 ms: several of the gateway's checks for stranded requests (every 100 ms) while in flight
const rules = { ...defaultRules, cards: {}, timings: { slowMs: 600, lateMs: 1500 } };

let stack: Stack;
let t: TestTerminal;
let store: JournalFailingOnce;

beforeAll(async () => {
  stack = await startStack({
    stub: { rules },
    config: { saf: { retryInitialMs: 100, retryMaxMs: 1_000, expireAfterMs: 60_000, pollMs: 50, strandedCheckMs: 100 } },
    store: (config) => (store = new JournalFailingOnce({ path: (config.store as { path: string }).path, synchronous: 'full' })),
  });
  t = await stack.terminal();
});
afterAll(async () => {
  await stack?.close();
});

describe('an approval whose outcome the journal could not take', () => {
  it('the terminal gets 96, the approval is reversed at the acquirer in the same run, and requests in flight meanwhile are left alone', async () => {
    // a slow sale in flight the whole time
    const slow = t.request(sale(t, { amount: 1071 }));
    const failed = await t.request(sale(t, { amount: FAILING }));
    expect(failed.fields[39]).toBe('96');
    expect(store.armed).toBe(false);
    // a 96 names no RRN: the journal does
    const journaled = (await stack.gw.store.transactions()).filter((tx) => tx.amount === FAILING);
    expect(journaled.map((tx) => tx.state)).toEqual(['forwarding']);
    const rrn = journaled[0].rrn;
    // the acquirer approved it: without a reversal the customer pays for a sale the terminal declined
    expect(stack.stub.ledger({ rrn }).map((r) => r.status)).toEqual(['approved']);

    await waitFor(() => stack.stub.ledger({ rrn }).some((r) => r.status === 'reversed'), 5_000, `reversal of ${rrn} at the acquirer`);
    expect(await stack.gw.store.findByRrn(rrn)).toMatchObject({ state: 'timed_out', responseCode: '96', captured: false, reversal: 'recovery' });
    const logged = readFileSync(stack.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('no outcome'))
      .map((l) => JSON.parse(l) as { count: number; rrns: string[] });
    expect(logged).toEqual([expect.objectContaining({ count: 1, rrns: [rrn] })]);

    const slowAnswer = await slow;
    expect(slowAnswer.fields[39]).toBe('00');
    const slowRrn = slowAnswer.fields[37] as string;
    expect(await stack.gw.store.findByRrn(slowRrn)).toMatchObject({ state: 'approved', captured: true, reversal: null });
    expect(stack.stub.ledger({ rrn: slowRrn }).map((r) => r.status)).toEqual(['approved']);

    const after = await t.request(sale(t, { amount: FAILING }));
    expect(after.fields[39]).toBe('00');
    expect((await stack.gw.store.safStats()).depth).toBe(0);
  });
});
