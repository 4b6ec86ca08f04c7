/**
 * The settlement report as the acquirer sends it (the contract with the gateway): CSV, UTF-8, one header line, '\n'
 * line ends, no quoting (no cell holds a comma), amounts in integer minor units, dates YYYY-MM-DD.
 */

export const SETTLEMENT_COLUMNS = [
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

export const SettlementRecords = {
  CREDIT: 'a sale, offline sale or completion paid to the merchant',
  DEBIT: 'a refund taken back from the merchant (amount positive, subtracted in the payout)',
  PAYOUT: 'one per merchant and currency: credits - debits, total fee, net',
} as const;
export type SettlementRecord = keyof typeof SettlementRecords;

export interface SettlementLine {
  record: SettlementRecord;
  reportId: string;
  acquirerId: string;
  settlementDate: string;
  merchantId: string;
  /** Null on a PAYOUT. */
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

const HEADER = SETTLEMENT_COLUMNS.join(',');

export function formatSettlementCsv(lines: readonly SettlementLine[]): string {
  let out = HEADER + '\n';
  for (const l of lines) {
    out += `${l.record},${l.reportId},${l.acquirerId},${l.settlementDate},${l.merchantId},${l.terminalId ?? ''},${l.rrn ?? ''},${
      l.authCode ?? ''},${l.panMasked ?? ''},${l.amount},${l.currency},${l.transactionDate ?? ''},${l.fee},${l.netAmount}\n`;
  }
  return out;
}

/** Identifiers come from the wire (field 42 is ans): a comma, quote or line break in one becomes '_'. */
export function csvSafe(v: string): string {
  return v.replace(/[,"\r\n]/g, '_');
}

/** Reads a report the stub wrote back into lines; throws naming the line and column on anything else. */
export function parseSettlementCsv(text: string): SettlementLine[] {
  const rows = text.split('\n');
  if (rows.at(-1) === '') rows.pop();
  if (rows[0] !== HEADER) throw new Error('line 1: not the settlement report header');
  return rows.slice(1).map((row, i) => {
    const n = i + 2;
    const c = row.split(',');
    if (c.length !== SETTLEMENT_COLUMNS.length) throw new Error(`line ${n}: ${c.length} columns, expected ${SETTLEMENT_COLUMNS.length}`);
    const int = (j: number): number => {
      if (!/^-?\d+$/.test(c[j])) throw new Error(`line ${n}, column ${SETTLEMENT_COLUMNS[j]}: not an integer`);
      return Number(c[j]);
    };
    const opt = (j: number): string | null => (c[j] === '' ? null : c[j]);
    if (!Object.hasOwn(SettlementRecords, c[0])) throw new Error(`line ${n}, column record: unknown record`);
    return {
      record: c[0] as SettlementRecord,
      reportId: c[1],
      acquirerId: c[2],
      settlementDate: c[3],
      merchantId: c[4],
      terminalId: opt(5),
      rrn: opt(6),
      authCode: opt(7),
      panMasked: opt(8),
      amount: int(9),
      currency: c[10],
      transactionDate: opt(11),
      fee: int(12),
      netAmount: int(13),
    };
  });
}
