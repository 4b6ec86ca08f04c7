/**
 * The acquirer's settlement report: CSV, one header line, integer minor units, ISO dates. Parsing is all or nothing:
 * the first problem is reported with its line and column, and nothing of a malformed report is imported.
 */

export const REPORT_COLUMNS = [
  'record',
  'report_id',
  'acquirer_id',
  'settlement_date',
  'merchant_id',
  'terminal_id',
  'rrn',
  'auth_code',
  'pan_masked',
  'amount',
  'currency',
  'transaction_date',
  'fee',
  'net_amount',
] as const;

export const RecordTypes = ['CREDIT', 'DEBIT', 'PAYOUT'] as const;
export type RecordType = (typeof RecordTypes)[number];

export interface ReportLine {
  line: number;
  record: RecordType;
  merchantId: string;
  terminalId: string | null;
  rrn: string | null;
  authCode: string | null;
  panMasked: string | null;
  amount: number;
  currency: string;
  transactionDate: string | null;
  fee: number;
  netAmount: number;
}

export interface SettlementReport {
  reportId: string;
  acquirerId: string;
  settlementDate: string;
  lines: ReportLine[];
}

export class ReportError extends Error {
  readonly code = 'REPORT_INVALID';
  constructor(
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.name = 'ReportError';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INTEGER = /^-?\d{1,15}$/;
// a masked PAN shows at most the first 6 and last 4 digits: a full PAN in a report is refused, not stored
const MASKED = /^\d{0,6}\*+\d{0,4}$/;

export function parseReport(text: string): SettlementReport {
  const rows = text.split(/\r?\n/);
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  if (rows.length === 0) throw new ReportError(1, 1, 'the report is empty');
  const header = rows[0].split(',');
  REPORT_COLUMNS.forEach((name, i) => {
    if (header[i] !== name) throw new ReportError(1, column(rows[0], i), `expected column "${name}", found "${header[i] ?? ''}"`);
  });
  if (header.length !== REPORT_COLUMNS.length) throw new ReportError(1, column(rows[0], REPORT_COLUMNS.length), 'unexpected extra column');

  let reportId = '';
  let acquirerId = '';
  let settlementDate = '';
  const lines: ReportLine[] = [];
  for (let i = 1; i < rows.length; i++) {
    const n = i + 1;
    const raw = rows[i];
    const cells = raw.split(',');
    if (cells.length !== REPORT_COLUMNS.length) {
      throw new ReportError(n, column(raw, Math.min(cells.length, REPORT_COLUMNS.length)), `expected ${REPORT_COLUMNS.length} columns, found ${cells.length}`);
    }
    const at = (c: (typeof REPORT_COLUMNS)[number]): number => column(raw, REPORT_COLUMNS.indexOf(c));
    const get = (c: (typeof REPORT_COLUMNS)[number]): string => cells[REPORT_COLUMNS.indexOf(c)];
    const fail = (c: (typeof REPORT_COLUMNS)[number], why: string): never => {
      throw new ReportError(n, at(c), `${c}: ${why}`);
    };
    const record = get('record') as RecordType;
    if (!RecordTypes.includes(record)) fail('record', `must be one of ${RecordTypes.join(', ')}`);
    const same = (c: 'report_id' | 'acquirer_id' | 'settlement_date', current: string): string => {
      const v = get(c);
      if (v === '') fail(c, 'is empty');
      if (current !== '' && v !== current) fail(c, `differs from line 2 ("${current}"): one report per file`);
      return v;
    };
    reportId = same('report_id', reportId);
    acquirerId = same('acquirer_id', acquirerId);
    settlementDate = same('settlement_date', settlementDate);
    if (!DATE.test(settlementDate)) fail('settlement_date', 'must be a date YYYY-MM-DD');
    const int = (c: 'amount' | 'fee' | 'net_amount'): number => {
      const v = get(c);
      if (!INTEGER.test(v)) fail(c, 'must be an integer number of minor units');
      return Number(v);
    };
    const optional = (c: 'terminal_id' | 'rrn' | 'auth_code' | 'pan_masked' | 'transaction_date'): string | null => (get(c) === '' ? null : get(c));
    const entry: ReportLine = {
      line: n,
      record,
      merchantId: get('merchant_id'),
      terminalId: optional('terminal_id'),
      rrn: optional('rrn'),
      authCode: optional('auth_code'),
      panMasked: optional('pan_masked'),
      amount: int('amount'),
      currency: get('currency'),
      transactionDate: optional('transaction_date'),
      fee: int('fee'),
      netAmount: int('net_amount'),
    };
    if (entry.merchantId === '') fail('merchant_id', 'is empty');
    if (!/^\d{3}$/.test(entry.currency)) fail('currency', 'must be a 3-digit ISO 4217 code');
    if (entry.record !== 'PAYOUT') {
      if (entry.rrn === null) fail('rrn', `is empty on a ${entry.record}`);
      if (entry.transactionDate === null || !DATE.test(entry.transactionDate)) fail('transaction_date', 'must be a date YYYY-MM-DD');
      if (entry.amount < 0) fail('amount', 'must not be negative');
    }
    if (entry.panMasked !== null && !MASKED.test(entry.panMasked)) fail('pan_masked', 'must be masked (first 6 and last 4 digits at most)');
    if (entry.netAmount !== entry.amount - entry.fee) fail('net_amount', `must be amount - fee (${entry.amount - entry.fee})`);
    lines.push(entry);
  }
  if (lines.length === 0) throw new ReportError(2, 1, 'the report has no lines');
  return { reportId, acquirerId, settlementDate, lines };
}

/** The 1-based column (character position) where cell `index` of a CSV line starts. */
function column(line: string, index: number): number {
  let pos = 0;
  for (let i = 0; i < index; i++) {
    const next = line.indexOf(',', pos);
    if (next < 0) return line.length + 1;
    pos = next + 1;
  }
  return pos + 1;
}
