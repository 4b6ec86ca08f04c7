import { Schemes, type Scheme } from './cards.js';
import type { EntryMode, JournalEntry, TxKind } from './journal.js';
import { CurrencyLetters, exponentOf, formatAmount } from './money.js';
import { isApproved, responseText } from './responses.js';

export const ReceiptTypes: Readonly<Record<TxKind, string>> = {
  purchase: 'SALE',
  refund: 'REFUND',
  void: 'VOID',
  preauth: 'PRE-AUTH',
  completion: 'COMPLETION',
};

/** What the terminal printed, as data: the export for reconciliation. The PAN is masked (first 6, last 4). */
export interface Receipt {
  terminalId: string;
  merchantId: string;
  merchantName: string;
  batch: string;
  invoice: string;
  stan: string;
  type: string;
  kind: TxKind;
  scheme: string;
  panMasked: string;
  entryMode: EntryMode;
  /** Minor units; a void and a refund print as the money going back, but the amount is positive here. */
  amount: number;
  currency: string;
  approved: boolean;
  offline: boolean;
  responseCode: string;
  responseText: string;
  authCode: string | null;
  rrn: string | null;
  /** ISO 8601 local date and time of the transaction. */
  dateTime: string;
  aid: string | null;
  cvm: 'PIN VERIFIED' | 'SIGNATURE' | 'NO CVM';
}

export interface ReceiptHeader {
  terminalId: string;
  merchantId: string;
  merchantName: string;
}

export function receiptOf(entry: JournalEntry, header: ReceiptHeader): Receipt {
  const rc = entry.responseCode ?? '';
  return {
    ...header,
    batch: entry.batch,
    invoice: entry.invoice,
    stan: entry.stan,
    type: ReceiptTypes[entry.kind],
    kind: entry.kind,
    scheme: Schemes[entry.scheme as Scheme]?.label ?? 'CARD',
    panMasked: entry.panMasked,
    entryMode: entry.entryMode,
    amount: entry.amount,
    currency: entry.currency,
    approved: isApproved(entry.responseCode),
    offline: entry.offline,
    responseCode: rc,
    responseText: responseText(entry.responseCode),
    authCode: isApproved(entry.responseCode) ? entry.authCode : null,
    rrn: entry.rrn,
    dateTime: entry.at,
    aid: entry.emv ? Schemes[entry.scheme as Scheme]?.aid ?? null : null,
    cvm: entry.pin ? 'PIN VERIFIED' : entry.kind === 'refund' || entry.kind === 'void' ? 'NO CVM' : 'SIGNATURE',
  };
}

export const ReceiptCopies = ['merchant', 'customer'] as const;
export type ReceiptCopy = (typeof ReceiptCopies)[number];

const WIDTH = 32;

/** A 32-column slip, as a terminal's printer does it. */
export function renderReceipt(r: Receipt, copy: ReceiptCopy): string {
  const lines: string[] = [];
  const center = (s: string): string => s.padStart(Math.floor((WIDTH + s.length) / 2)).padEnd(WIDTH);
  const pair = (left: string, right: string): string => {
    const gap = WIDTH - left.length - right.length;
    return gap >= 1 ? left + ' '.repeat(gap) + right : `${left}\n${right.padStart(WIDTH)}`;
  };
  const [date, time] = r.dateTime.slice(0, 19).split('T');
  const negative = r.kind === 'refund' || r.kind === 'void';
  const money = `${CurrencyLetters[r.currency] ?? r.currency} ${negative ? '-' : ''}${formatAmount(r.amount, exponentOf(r.currency))}`;
  lines.push(center(r.merchantName.toUpperCase()), center(`MID ${r.merchantId}`), '-'.repeat(WIDTH));
  lines.push(pair('TID', r.terminalId), pair('BATCH', r.batch), pair('INVOICE', r.invoice), pair('TRACE', r.stan));
  lines.push(pair('DATE', date ?? ''), pair('TIME', time ?? ''), '');
  lines.push(pair(r.scheme, r.entryMode.toUpperCase()), r.panMasked);
  if (r.aid !== null) lines.push(pair('AID', r.aid));
  lines.push('', center(r.type + (r.offline ? ' (OFFLINE)' : '')), '', pair('TOTAL', money), '');
  lines.push(pair('RESP', `${r.responseCode} ${r.responseText}`));
  if (r.authCode !== null) lines.push(pair('AUTH CODE', r.authCode));
  if (r.rrn !== null) lines.push(pair('RRN', r.rrn));
  lines.push('');
  if (r.approved) {
    if (copy === 'merchant' && r.cvm === 'SIGNATURE') lines.push('SIGNATURE', '', 'X' + '_'.repeat(WIDTH - 1));
    else if (r.cvm === 'PIN VERIFIED') lines.push(center('PIN VERIFIED'));
    if (r.kind === 'preauth') lines.push(center('FUNDS HELD, NOT CHARGED'));
  } else {
    lines.push(center('*** NOT APPROVED ***'));
  }
  lines.push('', center(copy === 'merchant' ? '-- MERCHANT COPY --' : '-- CUSTOMER COPY --'));
  return lines.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** A file name for a receipt copy: TERM0001-000001-000012-customer.txt. */
export function receiptFileName(r: Receipt, copy: ReceiptCopy): string {
  return `${r.terminalId}-${r.batch}-${r.invoice}-${r.type.toLowerCase()}-${r.stan}-${copy}.txt`;
}
