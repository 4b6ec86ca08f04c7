import { describe, expect, it } from 'vitest';
import { Reconciler, resolveOptions, type ReconOptions } from '../../../gateway/recon/index.js';
import { credit, day, entry, OPTIONS, only, receipt, run, T0 } from './fixtures.js';

const withRules = (rules: ReconOptions['rules']): ReconOptions => ({ ...OPTIONS, rules });

describe('automatic rules, each switched on in the options and recorded in the audit trail', () => {
  const twice = { journal: [entry()], credits: [credit(), credit({ line: 3 })] };

  it('marks a duplicate credit for refund', () => {
    const c = only(run(twice, day(4), withRules({ duplicateRefund: true })));
    expect(c).toMatchObject({ class: 'DUPLICATE', status: 'acknowledged', markedForRefund: true, suggestedAction: expect.any(String) });
    expect(c.audit.at(-1)).toMatchObject({ actor: 'rule:duplicate-refund', action: 'acknowledged' });
    expect(c.audit.find((a) => a.action === 'marked_for_refund')).toMatchObject({
      actor: 'rule:duplicate-refund',
      note: 'surplus credit to be refunded: report acq-a-2024-03-06-1 line 3 (12.34)',
    });
    expect(only(run(twice))).toMatchObject({ status: 'open', markedForRefund: false });
  });

  it('accepts an amount variance within the tolerance, and only then', () => {
    const small = only(run({ journal: [entry()], credits: [credit({ amount: 1225 })] }, day(4), withRules({ amountTolerance: 10 })));
    expect(small).toMatchObject({ class: 'AMOUNT_MISMATCH', status: 'resolved', resolution: { by: 'rule:amount-tolerance', reason: 'variance 0.09 within the tolerance of 0.10: accepted' } });
    const big = only(run({ journal: [entry()], credits: [credit({ amount: 1223 })] }, day(4), withRules({ amountTolerance: 10 })));
    expect(big).toMatchObject({ class: 'AMOUNT_MISMATCH', status: 'open', resolution: null });
  });

  it('leaves a late credit open for a person when its rule is off', () => {
    const late = { journal: [entry()], credits: [credit({ settlementDate: '2024-03-09', reportId: 'acq-a-2024-03-09-1' })] };
    expect(only(run(late))).toMatchObject({ class: 'LATE_CREDIT', status: 'open' });
    expect(only(run(late, day(4), withRules({ lateCreditCloses: true })))).toMatchObject({ class: 'LATE_CREDIT', status: 'resolved' });
  });

  it('reopens a case a rule accepted when the data no longer fits the rule', () => {
    const r = new Reconciler(withRules({ amountTolerance: 10 }));
    r.addJournal([entry()]);
    r.addCredits([credit({ amount: 1230, settlementDate: '2024-03-07', reportId: 'b' })]);
    expect(only(r.advance(day(4)))).toMatchObject({ status: 'resolved' });
    // an earlier credit with a bigger difference becomes the credit; the later one is now a duplicate
    r.addCredits([credit({ amount: 1000, reportId: 'a' })]);
    const changed = r.advance(day(4) + 1);
    const amount = changed.find((c) => c.class === 'AMOUNT_MISMATCH')!;
    expect(amount).toMatchObject({ status: 'open', resolution: null, explanation: 'amount differs: journal 12.34, credit 10.00' });
    expect(amount.audit.at(-1)).toMatchObject({ actor: 'recon', action: 'reopened' });
    expect(changed.map((c) => c.class).sort()).toEqual(['AMOUNT_MISMATCH', 'DUPLICATE']);
  });
});

describe('people acting on cases', () => {
  function opened(): { r: Reconciler; id: string } {
    const r = new Reconciler(withRules({ lateCreditCloses: true }));
    r.addJournal([entry()]);
    const [c] = r.advance(day(4));
    return { r, id: c.id };
  }

  it('acknowledge, note, resolve with a reason, reopen: each in the audit trail', () => {
    const { r, id } = opened();
    expect(r.acknowledge(id, 'ops@acme', 'asked the acquirer', day(4) + 1)).toMatchObject({ status: 'acknowledged', manual: true });
    r.note(id, 'ops@acme', 'acquirer ticket 4711', day(4) + 2);
    expect(r.resolve(id, 'ops@acme', 'customer paid again in cash', day(4) + 3)).toMatchObject({
      status: 'resolved',
      resolution: { reason: 'customer paid again in cash', by: 'ops@acme', at: day(4) + 3 },
    });
    const c = r.reopen(id, 'lead@acme', 'cash never booked', day(4) + 4)!;
    expect(c.status).toBe('open');
    expect(c.audit.map((a) => `${a.actor} ${a.action}`)).toEqual([
      'recon opened',
      'ops@acme acknowledged',
      'ops@acme note',
      'ops@acme resolved',
      'lead@acme reopened',
    ]);
  });

  it('keeps a person\'s status when the rules would set another, noting the change', () => {
    const { r, id } = opened();
    r.acknowledge(id, 'ops@acme', 'on it', day(4) + 1);
    r.addCredits([credit({ settlementDate: '2024-03-09', reportId: 'acq-a-2024-03-09-1' })]);
    const [c] = r.advance(day(5));
    expect(c).toMatchObject({ class: 'LATE_CREDIT', status: 'acknowledged' });
    expect(c.audit.at(-1)).toMatchObject({ actor: 'recon', action: 'reclassified' });
  });

  it('refuses an empty reason or an engine actor, and answers undefined for an unknown case', () => {
    const { r, id } = opened();
    expect(() => r.resolve(id, 'ops@acme', ' ', T0)).toThrow('"reason" is required');
    expect(() => r.acknowledge(id, 'recon', 'x', T0)).toThrow(/reserved/);
    expect(() => r.acknowledge(id, 'rule:mine', 'x', T0)).toThrow(/reserved/);
    expect(() => r.acknowledge(id, '', 'x', T0)).toThrow('"actor" is required');
    expect(r.acknowledge('RWC-0000000000000000', 'ops@acme', 'x', T0)).toBeUndefined();
    expect(r.getCase('RWC-0000000000000000')).toBeUndefined();
  });

  it('restores stored cases into a new engine: people\'s statuses stay, cleared data clears them', () => {
    const { r, id } = opened();
    r.acknowledge(id, 'ops@acme', 'on it', day(4) + 1);
    const stored = r.cases();

    const again = new Reconciler(withRules({ lateCreditCloses: true }));
    again.restore(stored);
    again.addJournal([entry()]);
    expect(again.advance(day(4) + 2)).toEqual([]);
    expect(again.getCase(id)).toMatchObject({ status: 'acknowledged', manual: true });

    const paid = new Reconciler(OPTIONS);
    paid.restore(stored);
    paid.addJournal([entry()]);
    paid.addCredits([credit()]);
    const [c] = paid.advance(day(4) + 2);
    expect(c).toMatchObject({ id, cleared: true, status: 'acknowledged' });
  });

  it('returns copies: changing one changes nothing inside', () => {
    const { r, id } = opened();
    const c = r.getCase(id)!;
    c.status = 'resolved';
    c.audit.push({ at: 0, actor: 'x', action: 'note', note: 'x' });
    expect(r.getCase(id)).toMatchObject({ status: 'open' });
    expect(r.getCase(id)!.audit).toHaveLength(1);
  });
});

describe('filters', () => {
  it('by merchant, class, status and severity, most severe first', () => {
    const cases = run({
      journal: [entry(), entry({ id: 2, rrn: '406500000002', stan: '000002', merchantId: 'M2' })],
      credits: [credit({ rrn: '406500000002', merchantId: 'M2', authCode: null, amount: 1000 })],
    });
    expect(cases.map((c) => c.class)).toEqual(['RECEIPT_WITHOUT_CREDIT', 'AMOUNT_MISMATCH']);
    const r = new Reconciler(OPTIONS);
    r.addJournal([entry(), entry({ id: 2, rrn: '406500000002', stan: '000002', merchantId: 'M2' })]);
    r.advance(day(4));
    expect(r.cases({ merchantId: 'M2' }).map((c) => c.merchantId)).toEqual(['M2']);
    expect(r.cases({ class: 'DUPLICATE' })).toEqual([]);
    expect(r.cases({ status: 'open', severity: 'critical' })).toHaveLength(2);
  });
});

describe('options', () => {
  it('are validated once, naming the option', () => {
    expect(() => resolveOptions({ acquirers: { a: { settleAfterDays: -1, graceDays: 1 } } })).toThrow('"acquirers.a.settleAfterDays"');
    expect(() => resolveOptions({ rules: { amountTolerance: 1.5 } })).toThrow('"rules.amountTolerance"');
    expect(() => resolveOptions({ rules: { lateCredit: true } as never })).toThrow('"rules.lateCredit" is not a reconciliation option');
    expect(() => resolveOptions({ windows: {} } as never)).toThrow('"windows" is not a reconciliation option');
    expect(() => resolveOptions({ utcOffsetMinutes: 1000 })).toThrow('"utcOffsetMinutes"');
    expect(resolveOptions().rules).toEqual({ duplicateRefund: false, amountTolerance: null, lateCreditCloses: false });
  });

  it('bad records are refused before anything is added, naming the field and no value', () => {
    const r = new Reconciler(OPTIONS);
    expect(() => r.addJournal([entry(), entry({ id: 2, amount: 12.5 })])).toThrow('journal entry 2: "amount" must be a whole number of minor units');
    expect(r.counts.journal).toBe(0);
    expect(() => r.addReceipts([receipt({ kind: 'void' as never })])).toThrow(/"kind"/);
    expect(() => r.addCredits([credit({ settlementDate: '2024-02-30' })])).toThrow('"settlementDate" must be a date YYYY-MM-DD');
    r.addCredits([credit()]);
    r.addCredits([credit()]);
    expect(r.counts.credits).toBe(1);
    expect(() => r.addCredits([credit({ amount: 1 })])).toThrow('credit acq-a-2024-03-06-1 line 2: given again with other content');
  });
});
