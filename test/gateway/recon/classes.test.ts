import { describe, expect, it } from 'vitest';
import { caseId, Subject } from '../../../gateway/recon/index.js';
import { batch, credit, day, entry, HOUR, only, receipt, run, T0 } from './fixtures.js';

describe('a clean sale', () => {
  it('gives no case once paid, whether or not its receipt is in', () => {
    expect(run({ journal: [entry()], receipts: [receipt()], credits: [credit()], batches: [batch()] })).toEqual([]);
    expect(run({ journal: [entry()], credits: [credit()] })).toEqual([]);
  });

  it('gives no case for an offline sale whose advice reached the gateway', () => {
    const j = entry({ mti: '0220', authCode: 'Y1A2B3' });
    const r = receipt({ kind: 'offline', rrn: null, authCode: 'Y1A2B3' });
    expect(run({ journal: [j], receipts: [r], credits: [credit({ authCode: 'Y1A2B3' })] })).toEqual([]);
  });

  it('gives no case for a refund debited, a decline, a void, or a reversed timeout the terminal never printed', () => {
    const refund = entry({ procCode: '200000' });
    expect(run({ journal: [refund], receipts: [receipt({ kind: 'refund' })], credits: [credit({ record: 'DEBIT' })] })).toEqual([]);
    expect(run({ journal: [entry({ state: 'declined', responseCode: '05', captured: false, authCode: null })] })).toEqual([]);
    expect(run({ journal: [entry({ captured: false })] })).toEqual([]);
    expect(run({ journal: [entry({ state: 'timed_out', captured: false, reversal: 'timeout', reversalState: 'done' })] })).toEqual([]);
  });
});

describe('RECEIPT_WITHOUT_CREDIT', () => {
  it('is the approved sale with no credit after its window and grace', () => {
    const c = only(run({ journal: [entry()], receipts: [receipt()] }));
    expect(c).toMatchObject({
      class: 'RECEIPT_WITHOUT_CREDIT',
      severity: 'critical',
      id: caseId('RECEIPT_WITHOUT_CREDIT', Subject.tx('406500000001')),
      merchantId: 'M00000000000001',
      terminalId: 'T0000001',
      batchNo: '000001',
      stan: '000001',
      rrn: '406500000001',
      amount: 1234,
      status: 'open',
      explanation: 'credit missing: receipt 12.34 approved on 2024-03-05, no credit by 2024-03-07',
      likelyCause: 'the acquirer approved the sale but left it out of its settlement',
    });
    expect(c.audit).toEqual([{ at: day(4), actor: 'recon', action: 'opened', note: c.explanation }]);
    expect(only(run({ journal: [entry()] })).explanation).toBe('credit missing: journal 12.34 approved on 2024-03-05, no credit by 2024-03-07');
  });

  it('names the timeout the terminal printed through, at once', () => {
    const j = entry({ state: 'timed_out', responseCode: '91', captured: false, reversal: 'timeout', reversalState: 'done' });
    const c = only(run({ journal: [j], receipts: [receipt()] }, T0 + HOUR));
    expect(c.class).toBe('RECEIPT_WITHOUT_CREDIT');
    expect(c.explanation).toBe('approval differs: receipt approved 12.34, gateway journal timed out and reversed');
    expect(c.likelyCause).toBe('the terminal printed an approval after its own timeout; the gateway reversed it');
    expect(c.suggestedAction).toBe('the customer was not charged: ask for the payment again');
    const pending = only(run({ journal: [{ ...j, reversalState: 'pending' }], receipts: [receipt()] }, T0 + HOUR));
    expect(pending.likelyCause).toBe('the terminal printed an approval after its own timeout; the gateway is still reversing it');
  });

  it('names a decline the terminal printed as an approval', () => {
    const j = entry({ state: 'declined', responseCode: '05', captured: false, authCode: null });
    expect(only(run({ journal: [j], receipts: [receipt({ authCode: null })] }, T0 + HOUR)).explanation).toBe(
      'approval differs: receipt approved 12.34, gateway journal declined (response 05)',
    );
  });

  it('is a receipt the gateway never saw', () => {
    const c = only(run({ receipts: [receipt()] }, T0 + HOUR));
    expect(c.class).toBe('RECEIPT_WITHOUT_CREDIT');
    expect(c.id).toBe(caseId('RECEIPT_WITHOUT_CREDIT', Subject.receipt('T0000001', '000001', '0305', '000001')));
    expect(c.explanation).toBe('sale missing: receipt 12.34 from terminal T0000001 batch 000001 STAN 000001, no such sale in the gateway journal');
  });

  it('is a receipt whose RRN or auth code disagrees with the journal at its terminal key', () => {
    const rrn = only(run({ journal: [entry()], receipts: [receipt({ rrn: '999999999999' })], credits: [credit()] }));
    expect(rrn.explanation).toBe('RRN differs: receipt 999999999999, journal 406500000001');
    const auth = only(run({ journal: [entry()], receipts: [receipt({ authCode: 'ZZZZZZ' })], credits: [credit()] }));
    expect(auth.explanation).toBe('auth code differs: receipt ZZZZZZ, journal A1B2C3');
  });

  it('never matches on STAN alone: another terminal, batch or date with the same STAN is another sale', () => {
    for (const other of [{ terminalId: 'T0000002' }, { batchNo: '000002' }, { localDate: '0306' }]) {
      const c = only(run({ journal: [entry()], receipts: [receipt({ ...other, rrn: null, authCode: null })], credits: [credit()] }));
      expect(c.class).toBe('RECEIPT_WITHOUT_CREDIT');
      expect(c.explanation).toMatch(/^sale missing: receipt 12\.34 from terminal/);
    }
  });
});

describe('OFFLINE_NOT_UPLOADED', () => {
  it('is an offline receipt with no advice in the journal', () => {
    const c = only(run({ receipts: [receipt({ kind: 'offline', rrn: null, authCode: 'Y12345' })] }, T0 + HOUR));
    expect(c).toMatchObject({ class: 'OFFLINE_NOT_UPLOADED', severity: 'critical' });
    expect(c.explanation).toBe(
      'offline sale missing: receipt 12.34 with auth code Y12345 from terminal T0000001 batch 000001 STAN 000001, no advice in the gateway journal',
    );
    expect(c.likelyCause).toMatch(/never sent the advice/);
  });
});

describe('REVERSAL_ABANDONED', () => {
  it('is a reversal given up on while the acquirer credits the sale', () => {
    const j = entry({ state: 'timed_out', responseCode: '91', captured: false, reversal: 'timeout', reversalState: 'abandoned' });
    const c = only(run({ journal: [j], credits: [credit()] }));
    expect(c).toMatchObject({ class: 'REVERSAL_ABANDONED', severity: 'high' });
    expect(c.explanation).toBe('reversal missing: gateway reversal of 12.34 abandoned, acquirer credit 12.34 on 2024-03-06');
  });

  it('waits while the reversal is still being retried', () => {
    const j = entry({ state: 'timed_out', captured: false, reversal: 'timeout', reversalState: 'pending' });
    expect(run({ journal: [j], credits: [credit()] })).toEqual([]);
  });
});

describe('OUT_OF_BALANCE and STALE_OPEN_BATCH', () => {
  it('names each total that differs, with both values', () => {
    const c = only(run({ batches: [batch({ status: 'out_of_balance', terminalTotals: { saleCount: 2, saleAmount: 11000, refundCount: 0, refundAmount: 0 }, hostTotals: { saleCount: 1, saleAmount: 10000, refundCount: 0, refundAmount: 0 } })] }));
    expect(c).toMatchObject({ class: 'OUT_OF_BALANCE', severity: 'high', terminalId: 'T0000001', batchNo: '000001' });
    expect(c.explanation).toBe('sale count differs: terminal 2, host 1; sale amount differs: terminal 110.00, host 100.00');
  });

  it('flags a batch open past its expected close, and clears it once closed', () => {
    const open = batch({ status: 'open', closedAt: null, openedAt: T0 });
    expect(run({ batches: [open] }, T0 + 23 * HOUR)).toEqual([]);
    const c = only(run({ batches: [open] }, T0 + 25 * HOUR));
    expect(c.class).toBe('STALE_OPEN_BATCH');
    expect(c.explanation).toBe('batch still open: opened 2024-03-05 10:00, due to close by 2024-03-06 10:00');
  });
});

describe('DUPLICATE', () => {
  it('is a sale credited twice, naming both report lines', () => {
    const c = only(run({ journal: [entry()], credits: [credit(), credit({ line: 3 })] }));
    expect(c).toMatchObject({ class: 'DUPLICATE', severity: 'high', id: caseId('DUPLICATE', Subject.tx('406500000001')) });
    expect(c.explanation).toBe(
      'credit repeated: 12.34 credited 2 times (report acq-a-2024-03-06-1 line 2 on 2024-03-06, report acq-a-2024-03-06-1 line 3 on 2024-03-06)',
    );
    expect(c.refs.credits.map((r) => r.line)).toEqual([2, 3]);
  });
});

describe('AMOUNT_MISMATCH', () => {
  it('names the field and both values', () => {
    const c = only(run({ journal: [entry()], receipts: [receipt()], credits: [credit({ amount: 1243 })] }));
    expect(c).toMatchObject({ class: 'AMOUNT_MISMATCH', severity: 'medium' });
    expect(c.explanation).toBe('amount differs: receipt 12.34, credit 12.43');
    expect(only(run({ journal: [entry()], credits: [credit({ amount: 1200 })] }))).toMatchObject({
      explanation: 'amount differs: journal 12.34, credit 12.00',
      severity: 'high',
    });
  });

  it('catches a receipt that differs from the journal', () => {
    const c = only(run({ journal: [entry({ amount: 1243 })], receipts: [receipt()], credits: [credit({ amount: 1243 })] }));
    expect(c.explanation).toBe('amount differs: receipt 12.34, journal 12.43');
  });

  it('catches a refund booked as a sale', () => {
    const c = only(run({ journal: [entry({ procCode: '200000' })], credits: [credit()] }));
    expect(c.explanation).toBe('record differs: journal refund, credit CREDIT');
  });

  it('formats amounts in the currency\'s minor units', () => {
    const yen = only(run({ journal: [entry({ currency: '392', amount: 1500 })], credits: [credit({ currency: '392', amount: 1600 })] }));
    expect(yen.explanation).toBe('amount differs: journal 1500, credit 1600');
    const dinar = only(run({ journal: [entry({ currency: '048', amount: 1500 })], credits: [credit({ currency: '048', amount: 1600 })] }));
    expect(dinar.explanation).toBe('amount differs: journal 1.500, credit 1.600');
  });
});

describe('CREDIT_WITHOUT_RECEIPT', () => {
  it('is a credit for a sale the gateway never sent', () => {
    const phantom = credit({ rrn: '900000000001', authCode: 'QQQQQQ', line: 7 });
    const c = only(run({ journal: [entry()], credits: [credit(), phantom] }));
    expect(c).toMatchObject({ class: 'CREDIT_WITHOUT_RECEIPT', severity: 'medium', id: caseId('CREDIT_WITHOUT_RECEIPT', Subject.credit('acq-a-2024-03-06-1', 7)) });
    expect(c.explanation).toBe('sale missing: acquirer credit 12.34 with RRN 900000000001 on 2024-03-06, no such sale in the gateway journal');
  });

  it('is a credit for a sale the gateway reversed or that was declined', () => {
    const reversed = entry({ state: 'timed_out', captured: false, reversal: 'timeout', reversalState: 'done' });
    expect(only(run({ journal: [reversed], credits: [credit()] })).explanation).toBe('approval differs: acquirer credit 12.34 on 2024-03-06, gateway journal reversed');
    const declined = entry({ state: 'declined', responseCode: '51', captured: false });
    expect(only(run({ journal: [declined], credits: [credit()] })).explanation).toBe(
      'approval differs: acquirer credit 12.34 on 2024-03-06, gateway journal declined (response 51)',
    );
  });

  it('is a credit carrying another merchant\'s RRN', () => {
    const c = only(run({ journal: [entry()], credits: [credit(), credit({ line: 3, merchantId: 'M00000000000999', authCode: null })] }));
    expect(c.explanation).toBe('merchant differs: credit M00000000000999, journal M00000000000001 for RRN 406500000001');
  });
});

describe('matching a credit without the right RRN', () => {
  it('falls back to auth code, amount and merchant', () => {
    expect(run({ journal: [entry()], credits: [credit({ rrn: null })] })).toEqual([]);
    expect(run({ journal: [entry()], credits: [credit({ rrn: '123123123123' })] })).toEqual([]);
  });

  it('does not fall back across amounts or merchants', () => {
    const cases = run({ journal: [entry()], credits: [credit({ rrn: null, amount: 999 })] });
    expect(cases.map((c) => c.class).sort()).toEqual(['CREDIT_WITHOUT_RECEIPT', 'RECEIPT_WITHOUT_CREDIT']);
  });

  it('pairs each credit once: the second of two fallback credits is not the same sale\'s', () => {
    const cases = run({ journal: [entry()], credits: [credit({ rrn: null }), credit({ rrn: null, line: 3 })] });
    expect(only(cases)).toMatchObject({ class: 'CREDIT_WITHOUT_RECEIPT', id: caseId('CREDIT_WITHOUT_RECEIPT', Subject.credit('acq-a-2024-03-06-1', 3)) });
  });
});

describe('LATE_CREDIT', () => {
  it('is a credit paid after the window and grace, and keeps the missing credit\'s id', () => {
    const c = only(run({ journal: [entry()], credits: [credit({ reportId: 'acq-a-2024-03-08-1', settlementDate: '2024-03-08' })] }));
    expect(c).toMatchObject({ class: 'LATE_CREDIT', severity: 'low', id: caseId('RECEIPT_WITHOUT_CREDIT', Subject.tx('406500000001')) });
    expect(c.explanation).toBe('credit date differs: due by 2024-03-07, credited on 2024-03-08');
  });

  it('is not a credit paid within the grace', () => {
    expect(run({ journal: [entry()], credits: [credit({ settlementDate: '2024-03-07' })] })).toEqual([]);
  });
});

describe('EXPECTED', () => {
  it('lists the sales inside their window on demand, never as stored cases', () => {
    const r = run({ journal: [entry()] }, day(2));
    expect(r).toEqual([]);
  });
});
