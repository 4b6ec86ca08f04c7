import type { ReceiptRecord } from '../store/types.js';

/**
 * A terminal's receipt export (`terminal-sim receipts --json`): an array of the receipts it printed. Only approved
 * purchases, completions, refunds and offline sales promise money; voids, pre-authorizations and declines are skipped.
 */
export interface ExportedReceipt {
  terminalId: string;
  merchantId: string;
  batch: string;
  invoice?: string;
  stan: string;
  kind: string;
  panMasked?: string | null;
  amount: number;
  currency: string;
  approved: boolean;
  offline?: boolean;
  authCode?: string | null;
  rrn?: string | null;
  /** ISO 8601 local date and time: its month and day are the request's field 13. */
  dateTime: string;
}

export class ExportError extends Error {
  readonly code = 'RECEIPTS_INVALID';
  constructor(
    readonly index: number,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`receipts[${index}].${field}: ${detail}`);
    this.name = 'ExportError';
  }
}

/** The request schema of one exported receipt (what the route checks before `parseReceiptExport`). */
export const exportedReceiptSchema = {
  type: 'object',
  required: ['terminalId', 'merchantId', 'batch', 'stan', 'kind', 'amount', 'currency', 'approved', 'dateTime'],
  properties: {
    terminalId: { type: 'string', minLength: 1, maxLength: 8 },
    merchantId: { type: 'string', minLength: 1, maxLength: 15 },
    batch: { type: 'string', pattern: '^[0-9]{6}$' },
    invoice: { type: 'string', maxLength: 6 },
    stan: { type: 'string', pattern: '^[0-9]{6}$' },
    kind: { type: 'string', enum: ['purchase', 'refund', 'void', 'preauth', 'completion'] },
    panMasked: { type: ['string', 'null'], pattern: '^[0-9]{0,6}\\*+[0-9]{0,4}$' },
    amount: { type: 'integer', minimum: 0, description: 'minor units' },
    currency: { type: 'string', pattern: '^[0-9]{3}$' },
    approved: { type: 'boolean' },
    offline: { type: 'boolean' },
    authCode: { type: ['string', 'null'], maxLength: 6 },
    rrn: { type: ['string', 'null'], maxLength: 12 },
    dateTime: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' },
  },
} as const;

const PROMISES_MONEY = new Set(['purchase', 'completion', 'refund']);

/**
 * The receipts of an export that promise money, as the store keeps them. `owns(merchantId, terminalId)` says
 * whether the uploader may speak for that terminal; one it may not refuses the whole export, naming the receipt.
 */
export function parseReceiptExport(
  receipts: readonly ExportedReceipt[],
  at: number,
  owns: (merchantId: string, terminalId: string) => boolean,
): { records: ReceiptRecord[]; skipped: number } {
  const records: ReceiptRecord[] = [];
  let skipped = 0;
  receipts.forEach((r, i) => {
    if (!owns(r.merchantId, r.terminalId)) throw new ExportError(i, 'terminalId', `terminal ${r.terminalId} of merchant ${r.merchantId} is not this token's`);
    const month = r.dateTime.slice(5, 7);
    const day = r.dateTime.slice(8, 10);
    if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) throw new ExportError(i, 'dateTime', 'must start with a date YYYY-MM-DD');
    if (!r.approved || !PROMISES_MONEY.has(r.kind)) {
      skipped++;
      return;
    }
    records.push({
      terminalId: r.terminalId,
      merchantId: r.merchantId,
      batchNo: r.batch,
      stan: r.stan,
      localDate: month + day,
      kind: r.kind === 'refund' ? 'refund' : r.offline === true ? 'offline' : 'sale',
      amount: r.amount,
      currency: r.currency,
      rrn: r.rrn ?? null,
      authCode: r.authCode ?? null,
      panMasked: r.panMasked ?? null,
      invoice: r.invoice ?? null,
      source: 'export',
      createdAt: at,
    });
  });
  return { records, skipped };
}
