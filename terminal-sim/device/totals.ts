import type { JournalEntry, Totals } from './journal.js';

/** In the batch: approved (online or offline) sales, completions and refunds, not voided and not reversed. */
export function isCaptured(e: JournalEntry): boolean {
  return e.status === 'approved' && (e.kind === 'purchase' || e.kind === 'completion' || e.kind === 'refund');
}

export function batchTotals(entries: readonly JournalEntry[]): Totals {
  const t: Totals = { saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 };
  for (const e of entries) {
    if (!isCaptured(e)) continue;
    if (e.kind === 'refund') {
      t.refundCount++;
      t.refundAmount += e.amount;
    } else {
      t.saleCount++;
      t.saleAmount += e.amount;
    }
  }
  return t;
}

/** Field 63 of an 0500: sale count (3), sale amount (12), refund count (3), refund amount (12). */
export function formatTotals(t: Totals): string {
  const n = (v: number, w: number): string => String(v % 10 ** w).padStart(w, '0');
  return n(t.saleCount, 3) + n(t.saleAmount, 12) + n(t.refundCount, 3) + n(t.refundAmount, 12);
}

export function parseTotals(s: string | undefined): Totals | null {
  if (s === undefined || !/^\d{30}/.test(s)) return null;
  return { saleCount: +s.slice(0, 3), saleAmount: +s.slice(3, 15), refundCount: +s.slice(15, 18), refundAmount: +s.slice(18, 30) };
}
