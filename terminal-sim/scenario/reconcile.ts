import type { LedgerRow } from '../acquirer/index.js';
import type { JournalEntry, Receipt } from '../device/index.js';

/** A receipt printed APPROVED for money the acquirer does not have: what the merchant calls about. */
export interface Complaint {
  terminalId: string;
  batch: string;
  invoice: string;
  stan: string;
  type: string;
  amount: number;
  currency: string;
  panMasked: string;
  /** What the receipt says: "00 APPROVED", "Y1 APPROVED OFFLINE". */
  printed: string;
  authCode: string | null;
  rrn: string | null;
  /** What the acquirer shows for it: its ledger, or (charged) its settlement reports leaving the credit out. */
  acquirer: 'reversed' | 'declined' | 'missing' | 'not credited';
  /** The ledger row's RRN, when one was found. */
  acquirerRrn: string | null;
  /** Device faults that acted on the transaction. */
  faults: string[];
  why: string;
}

/** A charge at the acquirer with no APPROVED receipt behind it: what the customer calls about. */
export interface UnprintedCharge {
  terminalId: string | null;
  rrn: string;
  kind: string;
  amount: number;
  panMasked: string | null;
  /** What the terminal knows of it, if anything: "no answer", "reversal skipped". */
  terminalView: string;
}

export interface AcquirerView {
  /** Ledger rows of this run's terminals, written during the run. */
  rows: number;
  charged: { count: number; amount: number };
  reversed: { count: number; amount: number };
  refunded: { count: number; amount: number };
  declined: number;
  /** RRNs charged more than once. */
  doubleCharged: { rrn: string; count: number; amount: number }[];
}

/** What the acquirer's settlement reports paid, for the check "charged, never credited". */
export interface CreditCheck {
  /** RRNs of the CREDIT lines of the reports the run's cutovers made. */
  credited: ReadonlySet<string>;
  /** Charges up to this ledger row id were due at the last cutover; later ones are not checked. */
  upToRowId: number;
  /** The reports looked at, for the explanation. */
  reportIds: readonly string[];
}

export interface Reconciliation {
  complaints: Complaint[];
  unprinted: UnprintedCharge[];
  acquirer: AcquirerView;
}

const CHARGES = new Set(['purchase', 'advice', 'completion']);

/** Where a receipt's transaction is in the journal snapshots: terminal, batch, invoice, kind, STAN. */
export function entryKey(terminalId: string, e: { batch: string; invoice: string; kind: string; stan: string }): string {
  return `${terminalId}|${e.batch}|${e.invoice}|${e.kind}|${e.stan}`;
}

/**
 * Matches what the terminals printed (`receipts`) against the acquirer's ledger (`rows`: this run's terminals only): by RRN first (the gateway's RRN is what the
 * acquirer holds), then offline sales by their auth code, then receipts with neither (printed with no answer) by
 * terminal, amount and masked PAN.
 */
export function reconcile(receipts: readonly Receipt[], entries: ReadonlyMap<string, JournalEntry>, rows: readonly LedgerRow[], credit?: CreditCheck): Reconciliation {
  const unmatched = new Set(rows.filter((r) => CHARGES.has(r.kind)));
  const byRrn = new Map<string, LedgerRow[]>();
  for (const r of unmatched) byRrn.set(r.rrn, [...(byRrn.get(r.rrn) ?? []), r]);
  const voided = new Set(receipts.filter((r) => r.kind === 'void' && r.approved).map((r) => `${r.terminalId}|${r.batch}|${r.invoice}`));
  const sales = receipts.filter((r) => r.approved && (r.kind === 'purchase' || r.kind === 'completion'));
  const found = new Map<Receipt, LedgerRow | undefined>();
  const take = (receipt: Receipt, row: LedgerRow | undefined): void => {
    found.set(receipt, row);
    if (row !== undefined) unmatched.delete(row);
  };
  const entryOf = (r: Receipt): JournalEntry | undefined => entries.get(entryKey(r.terminalId, r));
  // by RRN
  for (const r of sales) {
    const rrn = r.rrn ?? entryOf(r)?.rrn ?? null;
    if (rrn !== null) take(r, byRrn.get(rrn)?.find((row) => unmatched.has(row)) ?? byRrn.get(rrn)?.[0]);
  }
  // offline sales by auth code, then anything else by what the receipt shows
  for (const r of sales.filter((s) => !found.has(s) && s.offline && s.authCode !== null)) {
    take(r, [...unmatched].find((row) => row.terminalId === r.terminalId && row.authCode === r.authCode && row.amount === r.amount));
  }
  for (const r of sales.filter((s) => !found.has(s))) {
    take(r, [...unmatched].find((row) => row.terminalId === r.terminalId && row.amount === r.amount && row.panMasked === r.panMasked));
  }

  const complaints: Complaint[] = [];
  for (const r of sales) {
    if (voided.has(`${r.terminalId}|${r.batch}|${r.invoice}`)) continue;
    const row = found.get(r);
    const charged = row !== undefined && row.status === 'approved';
    const uncredited = charged && credit !== undefined && row.id <= credit.upToRowId && !credit.credited.has(row.rrn);
    if (charged && !uncredited) continue;
    const entry = entryOf(r);
    const acquirer = row === undefined ? 'missing' : uncredited ? 'not credited' : row.status === 'reversed' ? 'reversed' : 'declined';
    complaints.push({
      terminalId: r.terminalId,
      batch: r.batch,
      invoice: r.invoice,
      stan: r.stan,
      type: r.type,
      amount: r.amount,
      currency: r.currency,
      panMasked: r.panMasked,
      printed: `${r.responseCode} ${r.responseText}`,
      authCode: r.authCode,
      rrn: r.rrn,
      acquirer,
      acquirerRrn: row?.rrn ?? null,
      faults: entry?.faults ?? [],
      why: acquirer === 'not credited' ? notCredited(row!, credit!) : explain(r, entry, acquirer),
    });
  }

  const unprinted: UnprintedCharge[] = [];
  for (const row of unmatched) {
    if (row.status !== 'approved') continue;
    const entry = [...entries.values()].find((e) => e.rrn === row.rrn) ?? guessEntry(entries, row);
    unprinted.push({
      terminalId: row.terminalId,
      rrn: row.rrn,
      kind: row.kind,
      amount: row.amount,
      panMasked: row.panMasked,
      terminalView: entry === undefined ? 'not in its journal' : describeEntry(entry),
    });
  }
  return { complaints, unprinted, acquirer: viewOf(rows) };
}

function explain(r: Receipt, e: JournalEntry | undefined, acquirer: Complaint['acquirer']): string {
  const faults = e?.faults ?? [];
  const at = acquirer === 'missing' ? 'the acquirer never received it' : acquirer === 'reversed' ? 'the acquirer reversed the charge' : 'the acquirer declined it';
  if (faults.includes('print-approved-on-timeout')) {
    const by =
      e?.status === 'reversed'
        ? "the terminal's own saved reversal cancelled it"
        : faults.includes('skip-reversal')
          ? 'the terminal never reversed it and keeps it in its batch, but the gateway timed out upstream and reversed it'
          : 'it was reversed upstream';
    return `printed APPROVED after the terminal's own timeout, with no answer from the host; ${acquirer === 'reversed' ? by : at}`;
  }
  if (r.offline) {
    return faults.includes('skip-advice')
      ? 'approved offline below the floor limit; the terminal never sent the advice and dropped it from its batch, so it was never uploaded'
      : `approved offline below the floor limit; ${at}`;
  }
  return `printed ${r.responseText}; ${at}`;
}

function notCredited(row: LedgerRow, credit: CreditCheck): string {
  const reports = credit.reportIds.length === 1 ? `its settlement report ${credit.reportIds[0]}` : `its settlement reports ${credit.reportIds.join(', ') || '(none made)'}`;
  return `charged, never credited: the acquirer approved and charged it (RRN ${row.rrn}) but ${reports} pays no credit for it`;
}

function describeEntry(e: JournalEntry): string {
  const parts = [`invoice ${e.invoice}`, e.status === 'no_answer' ? 'no answer' : e.status];
  if (e.faults.includes('skip-reversal')) parts.push('its reversal was never sent (skip-reversal)');
  return parts.join(', ');
}

/** A charge the terminal got no answer for has no RRN in its journal: found by amount and masked PAN. */
function guessEntry(entries: ReadonlyMap<string, JournalEntry>, row: LedgerRow): JournalEntry | undefined {
  return [...entries.values()].find(
    (e) => e.rrn === null && e.amount === row.amount && e.panMasked === row.panMasked && row.terminalId !== null && (e.status === 'no_answer' || e.status === 'approved'),
  );
}

function viewOf(rows: readonly LedgerRow[]): AcquirerView {
  const view: AcquirerView = { rows: rows.length, charged: { count: 0, amount: 0 }, reversed: { count: 0, amount: 0 }, refunded: { count: 0, amount: 0 }, declined: 0, doubleCharged: [] };
  const charges = new Map<string, { count: number; amount: number }>();
  for (const r of rows) {
    if (r.status === 'declined') view.declined++;
    if (r.kind === 'refund' && r.status === 'approved') add(view.refunded, r.amount);
    if (!CHARGES.has(r.kind)) continue;
    if (r.status === 'reversed') add(view.reversed, r.amount);
    if (r.status !== 'approved') continue;
    add(view.charged, r.amount);
    const c = charges.get(r.rrn) ?? { count: 0, amount: 0 };
    add(c, r.amount);
    charges.set(r.rrn, c);
  }
  for (const [rrn, c] of charges) if (c.count > 1) view.doubleCharged.push({ rrn, ...c });
  return view;
}

function add(t: { count: number; amount: number }, amount: number): void {
  t.count++;
  t.amount += amount;
}
