import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSettlement } from '../../../gateway/settlement/import.js';
import { parseReport, REPORT_COLUMNS, ReportError } from '../../../gateway/settlement/report.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';

const HEADER = REPORT_COLUMNS.join(',');
const credit = (rrn: string, amount: number, fee = 19): string =>
  `CREDIT,stub-2026-11-22-1,stub,2026-11-22,MERCHANT0000001,TERM0001,${rrn},A1B2C3,476173******0119,${amount},840,2026-11-21,${fee},${amount - fee}`;
const payout = 'PAYOUT,stub-2026-11-22-1,stub,2026-11-22,MERCHANT0000001,,,,,2234,840,,38,2196';
const REPORT = [HEADER, credit('632500000001', 1234), credit('632500000002', 1000), payout].join('\n') + '\n';

function expectError(text: string, line: number, col: number, detail: RegExp): void {
  try {
    parseReport(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ReportError);
    const r = e as ReportError;
    expect({ line: r.line, column: r.column }).toEqual({ line, column: col });
    expect(r.detail).toMatch(detail);
    expect(r.message).toBe(`line ${line}, column ${col}: ${r.detail}`);
    return;
  }
  throw new Error('expected a ReportError');
}

describe('settlement report', () => {
  it('parses credits and payouts with integer minor units', () => {
    const r = parseReport(REPORT);
    expect(r).toMatchObject({ reportId: 'stub-2026-11-22-1', acquirerId: 'stub', settlementDate: '2026-11-22' });
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0]).toMatchObject({ line: 2, record: 'CREDIT', rrn: '632500000001', amount: 1234, fee: 19, netAmount: 1215, panMasked: '476173******0119' });
    expect(r.lines[2]).toMatchObject({ record: 'PAYOUT', terminalId: null, rrn: null, amount: 2234 });
  });

  it('names the line and column of the first problem', () => {
    expectError(REPORT.replace('record,', 'recrod,'), 1, 1, /expected column "record", found "recrod"/);
    expectError(REPORT.replace(',1234,840,', ',12.34,840,'), 2, 104, /^amount: must be an integer number of minor units$/);
    expectError([HEADER, credit('632500000001', 1234).replace('CREDIT', 'REFUND')].join('\n'), 2, 1, /^record: must be one of CREDIT, DEBIT, PAYOUT$/);
    expectError([HEADER, credit('632500000001', 1234).replace('476173******0119', '4761739001010119')].join('\n'), 2, 87, /^pan_masked: must be masked/);
    expectError([HEADER, credit('632500000001', 1234), credit('632500000002', 5).replace('stub-2026-11-22-1', 'other-1')].join('\n'), 3, 8, /one report per file/);
    expectError([HEADER, credit('632500000001', 1234).replace(',1215', ',1216')].join('\n'), 2, 127, /^net_amount: must be amount - fee \(1215\)$/);
    expectError([HEADER, 'CREDIT,x'].join('\n'), 2, 9, /expected 14 columns, found 2/);
    expectError(HEADER + '\n', 2, 1, /no lines/);
  });

  it('never echoes a full PAN in its error', () => {
    try {
      parseReport([HEADER, credit('632500000001', 1234).replace('476173******0119', '4761739001010119')].join('\n'));
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('4761739001010119');
    }
  });

  it('imports a report whole and once: the same report again changes nothing, a broken one imports nothing', async () => {
    const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'posgw-report-')), 'j.db') });
    const first = await importSettlement(store, REPORT, 1_000);
    expect(first).toEqual({ reportId: 'stub-2026-11-22-1', acquirerId: 'stub', settlementDate: '2026-11-22', imported: true, lines: 3 });
    expect((await importSettlement(store, REPORT, 2_000)).imported).toBe(false);
    expect(await store.credits()).toHaveLength(3);
    expect(await store.reports()).toEqual([{ reportId: 'stub-2026-11-22-1', acquirerId: 'stub', settlementDate: '2026-11-22', lines: 3, importedAt: 1_000 }]);
    const broken = [HEADER, credit('632500000009', 500).replace('stub-2026-11-22-1', 'stub-2026-11-23-1'), 'CREDIT,bad'].join('\n');
    await expect(importSettlement(store, broken, 3_000)).rejects.toBeInstanceOf(ReportError);
    expect(await store.reports()).toHaveLength(1);
    expect(await store.credits()).toHaveLength(3);
    await store.close();
  });
});
