import { describe, expect, it } from 'vitest';
import { fullRun, Reconciler } from '../../../gateway/recon/index.js';
import { BatchFaults, DAY_NOW, DAY_OPTIONS, dayChunks, Faults, generateDay, type Injected } from './day.js';

describe('a generated settlement day', () => {
  it('with no fault injected gives no case at all (no false positives)', () => {
    const day = generateDay({ transactions: 20_000, faultRate: 0.001, faults: [] });
    expect(day.injected).toEqual([]);
    expect(fullRun(day, day.now, day.options)).toEqual([]);
  });

  it('with every fault injected gives exactly one case per fault, of its class', () => {
    const day = generateDay({ transactions: 30_000, faultRate: 0.001, perBatch: 10 });
    expect(new Set(day.injected.map((f) => f.fault))).toEqual(new Set([...Faults, ...BatchFaults]));
    const cases = fullRun(day, day.now, day.options);
    const found = new Map(cases.map((c) => [c.id, c.class]));
    expect(day.injected.filter((f) => found.get(f.caseId) !== f.class)).toEqual([]);
    expect(cases).toHaveLength(day.injected.length);
  });

  it('streamed in chunks through one engine gives the same cases as the whole day at once', () => {
    const injected: Injected[] = [];
    const r = new Reconciler(DAY_OPTIONS);
    for (const chunk of dayChunks({ transactions: 10_000, faultRate: 0.002 }, injected, 7)) {
      r.addCredits(chunk.credits);
      r.addBatches(chunk.batches);
      r.addReceipts(chunk.receipts);
      r.addJournal(chunk.journal);
    }
    r.advance(DAY_NOW);
    const day = generateDay({ transactions: 10_000, faultRate: 0.002 });
    expect(r.cases()).toEqual(fullRun(day, DAY_NOW, DAY_OPTIONS));
  });
});
