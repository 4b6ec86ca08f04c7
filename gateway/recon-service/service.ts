import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { fullRun, Reconciler, type Batch, type Case, type CaseFilter, type Credit, type JournalEntry, type Receipt, type ReconData, type ReconOptions, type ReversalState, type Whereabouts } from '../recon/index.js';
import { importSettlement, type ImportResult } from '../settlement/import.js';
import { allPages, changedPages, nextTurn } from '../store/pages.js';
import type { BatchRecord, CaseRow, CreditRecord, ReceiptRecord, ReportSummary, Store, Totals, TxRecord, UploadRecord } from '../store/types.js';
import { parseReceiptExport, type ExportedReceipt } from './receipt-export.js';
import { ReconEvents, type CaseListener, type CreditsListener } from './events.js';

/** What the service remembers of a sale for lookups and batch totals (no card data beyond the last 4 digits). */
interface SaleIndex {
  rrn: string;
  merchantId: string;
  terminalId: string;
  batchNo: string;
  last4: string | null;
  amount: number;
  /** YYYY-MM-DD of the journal entry (gateway clock, local day: recon utcOffsetMinutes). */
  day: string;
  procCode: string;
}

export interface BatchView {
  terminalId: string;
  batchNo: string;
  merchantId: string;
  status: BatchRecord['status'];
  openedAt: number;
  closedAt: number | null;
  terminal: Totals | null;
  host: Totals;
  funded: Totals;
  /** Net (sales - refunds) in minor units: host - terminal (null without terminal totals) and funded - host. */
  variance: { terminalVsHost: number | null; fundedVsHost: number };
}

export interface LookupMatch extends Whereabouts {
  rrn: string;
  merchantId: string | null;
  terminalId: string | null;
  amount: number | null;
  day: string | null;
}

export interface ExportResult {
  received: number;
  /** New receipts kept. */
  stored: number;
  /** Receipts kept before (the same terminal, batch, STAN and date). */
  duplicates: number;
  /** Receipts that promise no money: declined, voids, pre-authorizations. */
  skipped: number;
}

export interface RunReport {
  cases: number;
  /** The full run from the store's data gave the same cases (id, class, status, explanation) as the incremental one. */
  agrees: boolean;
  differences: string[];
}

export interface ReconServiceOptions {
  store: Store;
  clock: Clock;
  recon?: ReconOptions;
  /** Reads take in the store's new data first when the last sync is older than this (ms, gateway clock). Default 1000. */
  maxStalenessMs?: number;
  /** Where a case that could not be saved, or a listener that threw, is reported. */
  logger?: Logger;
}

/** What a person may do to a case: each is recorded in its audit trail with who did it. */
export const CaseActions = ['acknowledge', 'resolve', 'reopen', 'note'] as const;
export type CaseAction = (typeof CaseActions)[number];

/** How long before a write reaches the store its clock stamp may be taken (the flow stamps, then writes). */
const SYNC_OVERLAP_MS = 5_000;
/** Journal rows read per page in a sync. */
const SYNC_PAGE = 2_000;
/** Batches whose totals are read from the journal between two turns of the event loop (each is a query). */
const TOTALS_PER_TURN = 100;

const EMPTY: Totals = Object.freeze({ saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 });

function isoDay(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

function net(t: Totals): number {
  return t.saleAmount - t.refundAmount;
}

function add(t: Totals, refund: boolean, amount: number): Totals {
  return refund ? { ...t, refundCount: t.refundCount + 1, refundAmount: t.refundAmount + amount } : { ...t, saleCount: t.saleCount + 1, saleAmount: t.saleAmount + amount };
}

/**
 * The gateway's reconciliation: the journal, the batch uploads and the imported credits of the store, fed into one
 * Reconciler. `sync()` takes in what changed in the store (after each import, and on demand); reads move the engine's
 * clock forward first, so a credit that did not come within its window becomes a case without new data. Every case
 * the engine or a person changes is saved to the store and announced to the listeners (`onCase`); the first sync
 * puts the saved cases back, so statuses people set and the audit trail outlive a restart.
 */
export class ReconService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly options: ReconOptions;
  private readonly maxStalenessMs: number;
  private engine: Reconciler;
  /** Journal id -> the version (updatedAt + reversal state) already given to the engine. */
  private readonly versions = new Map<number, string>();
  private readonly sales = new Map<string, SaleIndex>();
  private readonly reportsSeen = new Set<string>();
  /** Credit and debit lines by RRN (for lookups: a sale the gateway never saw still has its merchant here). */
  private readonly creditsByRrn = new Map<string, CreditRecord[]>();
  /** What the acquirer paid per batch ("terminal/batch"), kept as credits and sales come in. */
  private readonly fundedByBatch = new Map<string, Totals>();
  private lastSync = Number.NEGATIVE_INFINITY;
  /** The journal's change number read up to (-1: nothing yet). */
  private txCursor = -1;
  /** Transactions whose reversal is queued, and those whose reversal was abandoned, as of the last sync. */
  private readonly pendingReversals = new Set<number>();
  private readonly abandonedReversals = new Set<number>();
  private advancedTo = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> = Promise.resolve();
  private restored = false;
  private readonly events: ReconEvents;
  private readonly saves = new Set<Promise<void>>();
  private readonly logger: Logger | undefined;

  constructor(opts: ReconServiceOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.options = opts.recon ?? {};
    this.maxStalenessMs = opts.maxStalenessMs ?? 1000;
    this.engine = new Reconciler(this.options);
    this.logger = opts.logger;
    this.events = new ReconEvents((e, type) => this.logger?.error({ event: type, error: String(e) }, 'reconciliation listener failed'));
  }

  /** Called for every case the engine or a person changed; returns the unsubscribe function. */
  onCase(listener: CaseListener): () => void {
    return this.events.onCase(listener);
  }

  /** Called after an import that brought a report not imported before; returns the unsubscribe function. */
  onCredits(listener: CreditsListener): () => void {
    return this.events.onCredits(listener);
  }

  /** Imports a report (all or nothing; the same report twice changes nothing) and reconciles what it brought. */
  async importReport(csv: string): Promise<ImportResult> {
    const result = await importSettlement(this.store, csv, this.clock.now());
    await this.sync();
    if (result.imported) {
      const lines = await this.store.credits(result.reportId);
      this.events.credits({ reportId: result.reportId, acquirerId: result.acquirerId, settlementDate: result.settlementDate, lines });
    }
    return result;
  }

  /**
   * Keeps the receipts of a terminal's receipt export (the same receipt again is kept once) and reconciles them.
   * `owns` says whether the uploader may speak for a receipt's merchant and terminal (an ExportError otherwise).
   */
  async addReceiptExport(exported: readonly ExportedReceipt[], owns: (merchantId: string, terminalId: string) => boolean): Promise<ExportResult> {
    const { records, skipped } = parseReceiptExport(exported, this.now(), owns);
    const stored = await this.store.addReceipts(records);
    await this.sync();
    return { received: exported.length, stored, duplicates: records.length - stored, skipped };
  }

  /**
   * A person acts on a case: `actor` is who (recorded in the audit trail), `text` the note or, to resolve, the reason
   * (required). The change is saved before this resolves. Undefined when there is no such case.
   */
  async act(id: string, action: CaseAction, actor: string, text: string): Promise<Case | undefined> {
    this.tick();
    const at = this.advancedTo;
    const c = this.engine[action](id, actor, text, at);
    if (c === undefined) return undefined;
    this.changed([c], at);
    await this.flush();
    return c;
  }

  /** Waits for the cases changed so far to be saved. */
  async flush(): Promise<void> {
    while (this.saves.size > 0) await Promise.all([...this.saves]);
  }

  /** Takes in what the store holds that the engine has not seen, then classifies. Calls run one after the other. */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.load());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  /** Before a read: takes in new sales and uploads when the last sync is older than `maxStalenessMs`. */
  async fresh(): Promise<void> {
    if (this.now() - this.lastSync >= this.maxStalenessMs) await this.sync();
  }

  /** Moves the engine's clock to now (never back): what passed its window becomes a case. */
  tick(): void {
    this.advance(this.now());
  }

  private advance(at: number): void {
    this.advancedTo = Math.max(this.advancedTo, at);
    const changed = this.engine.advance(this.advancedTo);
    if (changed.length > 0) this.changed(changed, this.advancedTo);
  }

  /** Saves the changed cases (their write is in the store's open commit at once) and announces them. */
  private changed(cases: readonly Case[], at: number): void {
    const save = this.store.saveCases(cases.map(toRow)).catch((e: unknown) => {
      this.logger?.error({ cases: cases.length, error: String(e) }, 'reconciliation cases not saved');
    });
    this.saves.add(save);
    void save.finally(() => this.saves.delete(save));
    this.events.cases(cases, at);
  }

  /** The cases kept by an earlier run, back into the engine before any data: `advance` then brings them up to date. */
  private async restore(): Promise<void> {
    if (this.restored) return;
    this.restored = true;
    const cases = (await this.store.loadCases()).map((r) => JSON.parse(r.data) as Case);
    this.engine.restore(cases);
    this.events.known(cases);
  }

  cases(filter: CaseFilter): Case[] {
    this.tick();
    return this.engine.cases(filter);
  }

  getCase(id: string): Case | undefined {
    this.tick();
    return this.engine.getCase(id);
  }

  /** The imported reports; for a merchant, those with a line of its own, counting its own lines only. */
  async reports(merchantId?: string): Promise<ReportSummary[]> {
    const all = await this.store.reports();
    if (merchantId === undefined) return all;
    const out: ReportSummary[] = [];
    for (const r of all) {
      const lines = (await this.store.credits(r.reportId)).filter((c) => c.merchantId === merchantId).length;
      if (lines > 0) out.push({ ...r, lines });
    }
    return out;
  }

  /** The merchant a sale's RRN belongs to, from the journal or (for a sale the gateway never saw) the credits. */
  merchantsOfRrn(rrn: string): Set<string> {
    const out = new Set<string>();
    const s = this.sales.get(rrn);
    if (s !== undefined) out.add(s.merchantId);
    else for (const c of this.creditsByRrn.get(rrn) ?? []) out.add(c.merchantId);
    return out;
  }

  locate(rrn: string): LookupMatch {
    this.tick();
    const w = this.engine.locate(rrn);
    const s = this.sales.get(rrn);
    return { rrn, merchantId: s?.merchantId ?? null, terminalId: s?.terminalId ?? null, amount: s?.amount ?? null, day: s?.day ?? null, ...w };
  }

  /** Sales by the card's last 4 digits, amount and day (YYYY-MM-DD), optionally of one merchant. */
  find(last4: string, amount: number, day: string, merchantId?: string): LookupMatch[] {
    const out: LookupMatch[] = [];
    for (const s of this.sales.values()) {
      if (s.last4 === last4 && s.amount === amount && s.day === day && (merchantId === undefined || s.merchantId === merchantId)) out.push(this.locate(s.rrn));
    }
    return out;
  }

  /** What the acquirer paid for one batch so far (as of the last sync). */
  funded(terminalId: string, batchNo: string): Totals {
    return { ...(this.fundedByBatch.get(`${terminalId}/${batchNo}`) ?? EMPTY) };
  }

  /** Each batch with the terminal's, the journal's (host) and the acquirer's (funded) totals side by side. */
  async batches(merchantId?: string, only?: { open: true }): Promise<BatchView[]> {
    const out: BatchView[] = [];
    for (const b of only?.open ? await this.store.openBatches() : await this.store.batches()) {
      if (merchantId !== undefined && b.merchantId !== merchantId) continue;
      const host = await this.store.journalTotals(b.terminalId, b.batchNo);
      const f = this.funded(b.terminalId, b.batchNo);
      out.push({
        terminalId: b.terminalId,
        batchNo: b.batchNo,
        merchantId: b.merchantId,
        status: b.status,
        openedAt: b.openedAt,
        closedAt: b.closedAt,
        terminal: b.terminalTotals,
        host,
        funded: f,
        variance: { terminalVsHost: b.terminalTotals === null ? null : net(host) - net(b.terminalTotals), fundedVsHost: net(f) - net(host) },
      });
    }
    return out;
  }

  /**
   * A full run on demand: everything in the store reconciled from scratch, compared with the incremental cases. The
   * incremental engine stays (it keeps the cases' history); the answer says whether the two agree.
   */
  async run(): Promise<RunReport> {
    await this.sync();
    this.tick();
    const now = this.advancedTo;
    const full = fullRun(await this.data(), now, this.options);
    // a case the data has since cleared has no counterpart in a full run
    const incremental = this.engine.cases({ includeCleared: false });
    // a status a person set is not the data's: the full run cannot know it
    const sig = (c: Case, status = c.status): string => `${c.id} ${c.class} ${status} ${c.cleared} ${c.explanation}`;
    const manual = new Map(incremental.filter((c) => c.manual).map((c) => [c.id, c.status]));
    const a = new Set(incremental.map((c) => sig(c)));
    const b = new Set(full.map((c) => sig(c, manual.get(c.id))));
    const differences = [...[...a].filter((s) => !b.has(s)).map((s) => `incremental only: ${s}`), ...[...b].filter((s) => !a.has(s)).map((s) => `full only: ${s}`)];
    return { cases: incremental.length, agrees: differences.length === 0, differences };
  }

  private now(): number {
    return this.clock.now();
  }

  /** A credit (or debit) line counts toward its sale's batch when it names the sale's merchant. */
  private fund(line: CreditRecord, merchantId: string, terminalId: string, batchNo: string): void {
    if (line.merchantId !== merchantId) return;
    const key = `${terminalId}/${batchNo}`;
    this.fundedByBatch.set(key, add(this.fundedByBatch.get(key) ?? EMPTY, line.record === 'DEBIT', line.amount));
  }

  /**
   * Takes in what changed since the last sync: transactions updated, reversals whose queue state changed, batches
   * opened or closed or whose transactions or uploads changed, new uploads, exports and reports. Transactions come by
   * the store's change numbers, exactly; the other tables by time, and rows are stamped with the clock a little before
   * they reach the store, so those reads start SYNC_OVERLAP_MS before the last sync began (what is read twice is
   * given to the engine once).
   */
  private async load(): Promise<void> {
    await this.restore();
    const started = this.now();
    const since = this.lastSync - SYNC_OVERLAP_MS;
    const moved = await this.reversalChanges(since);
    const journal: JournalEntry[] = [];
    const adviceReceipts: Receipt[] = [];
    const touched = new Map<string, { terminalId: string; batchNo: string }>();
    const touch = (terminalId: string, batchNo: string): void => void touched.set(`${terminalId}\x1f${batchNo}`, { terminalId, batchNo });
    const take = (tx: TxRecord): void => {
      const e = toEntry(tx, this.reversalState(tx.id));
      const version = `${tx.updatedAt}|${e.reversalState}`;
      const seen = this.versions.get(tx.id);
      if (seen === version) return;
      this.versions.set(tx.id, version);
      journal.push(e);
      touch(tx.terminalId, tx.batchNo);
      if (seen === undefined && isAdvice(tx)) adviceReceipts.push(adviceReceipt(tx));
      if (!this.sales.has(tx.rrn)) for (const c of this.creditsByRrn.get(tx.rrn) ?? []) this.fund(c, tx.merchantId, tx.terminalId, tx.batchNo);
      this.sales.set(tx.rrn, {
        rrn: tx.rrn,
        merchantId: tx.merchantId,
        terminalId: tx.terminalId,
        batchNo: tx.batchNo,
        last4: tx.panMasked === null ? null : tx.panMasked.slice(-4),
        amount: tx.amount,
        day: isoDay(tx.createdAt, this.options.utcOffsetMinutes ?? 0),
        procCode: tx.procCode,
      });
    };
    // the journal's changes since the last sync, exactly, a page at a time (a busy day's first sync reads a million
    // rows); what a full page gave goes to the engine before the next is read
    for await (const page of changedPages(this.store, this.txCursor, SYNC_PAGE)) {
      for (const tx of page.rows) {
        moved.delete(tx.id);
        take(tx);
      }
      this.txCursor = page.last;
      if (page.rows.length === SYNC_PAGE) this.engine.addJournal(journal.splice(0));
    }
    // a reversal's state lives in the store-and-forward queue, not on the row: those rows are read one by one
    for (const id of moved) {
      const tx = await this.store.getTransaction(id);
      if (tx !== undefined) take(tx);
    }
    const credits: Credit[] = [];
    for (const r of await this.store.reports()) {
      if (this.reportsSeen.has(r.reportId)) continue;
      const lines = await this.store.credits(r.reportId);
      for (const l of lines) {
        if (l.record === 'PAYOUT' || l.rrn === null) continue;
        const same = this.creditsByRrn.get(l.rrn);
        if (same === undefined) this.creditsByRrn.set(l.rrn, [l]);
        else same.push(l);
        const sale = this.sales.get(l.rrn);
        if (sale !== undefined) this.fund(l, sale.merchantId, sale.terminalId, sale.batchNo);
      }
      credits.push(...toCredits(lines));
      this.reportsSeen.add(r.reportId);
    }
    const uploads = (await this.store.uploadsSince(since)).map((u) => {
      touch(u.terminalId, u.batchNo);
      return toReceipt(u);
    });
    const rows = new Map<string, BatchRecord>();
    for (const b of await this.store.batches(since)) {
      touch(b.terminalId, b.batchNo);
      rows.set(`${b.terminalId}\x1f${b.batchNo}`, b);
    }
    const batches: Batch[] = [];
    for (const [key, { terminalId, batchNo }] of touched) {
      const b = rows.get(key) ?? (await this.store.getBatch(terminalId, batchNo));
      // a transaction outside any batch (a pre-authorization, one refused before its batch opened)
      if (b === undefined) continue;
      batches.push({ ...b, hostTotals: await this.store.journalTotals(terminalId, batchNo) });
      if (batches.length % TOTALS_PER_TURN === 0) await nextTurn();
    }
    const exported = (await this.store.receipts(since)).map(exportReceipt);
    this.engine.addJournal(journal);
    this.engine.addReceipts(uploads);
    this.engine.addReceipts(adviceReceipts);
    this.engine.addReceipts(exported);
    this.engine.addCredits(credits);
    this.engine.addBatches(batches);
    this.tick();
    this.lastSync = started;
  }

  /** Reversals queued, retried to the end, delivered or abandoned since `since`: the transactions whose state moved. */
  private async reversalChanges(since: number): Promise<Set<number>> {
    const moved = new Set<number>();
    for (const item of await this.store.safSince(since)) {
      const was = this.pendingReversals.has(item.txId);
      if (item.state === 'pending') this.pendingReversals.add(item.txId);
      else this.pendingReversals.delete(item.txId);
      if (was !== (item.state === 'pending')) moved.add(item.txId);
    }
    for (const e of await this.store.exceptions(since)) {
      if (e.kind !== 'REVERSAL_ABANDONED' || e.txId === null || this.abandonedReversals.has(e.txId)) continue;
      this.abandonedReversals.add(e.txId);
      moved.add(e.txId);
    }
    return moved;
  }

  /** As `reversalStates` has it: an abandoned reversal stays abandoned; otherwise pending while queued. */
  private reversalState(txId: number): ReversalState | null {
    return this.abandonedReversals.has(txId) ? 'abandoned' : this.pendingReversals.has(txId) ? 'pending' : null;
  }

  private async reversalStates(): Promise<Map<number, ReversalState>> {
    const states = new Map<number, ReversalState>();
    for (const p of await this.store.pendingSaf()) states.set(p.txId, 'pending');
    for (const e of await this.store.exceptions()) if (e.kind === 'REVERSAL_ABANDONED' && e.txId !== null) states.set(e.txId, 'abandoned');
    return states;
  }

  private async batchData(): Promise<{ batches: Batch[]; receipts: Receipt[] }> {
    const batches: Batch[] = [];
    for (const b of await this.store.batches()) {
      batches.push({ ...b, hostTotals: await this.store.journalTotals(b.terminalId, b.batchNo) });
      if (batches.length % TOTALS_PER_TURN === 0) await nextTurn();
    }
    const uploads = await allPages((after, limit) => this.store.uploadsAfter(after, limit), SYNC_PAGE);
    return { batches, receipts: uploads.map(toReceipt) };
  }

  /**
   * Every transaction, in id order, read a page at a time. A row that changes meanwhile comes again in a later page,
   * and that later state is the one kept.
   */
  private async allTransactions(): Promise<TxRecord[]> {
    const byId = new Map<number, TxRecord>();
    for await (const page of changedPages(this.store, -1, SYNC_PAGE)) for (const tx of page.rows) byId.set(tx.id, tx);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Every credit line, a report at a time (in the order a sync takes them in), with the event loop free between
   * reports: a month's reports are a line per sale.
   */
  private async allCredits(): Promise<CreditRecord[]> {
    const lines: CreditRecord[] = [];
    for (const r of await this.store.reports()) {
      for (const line of await this.store.credits(r.reportId)) lines.push(line);
      await nextTurn();
    }
    return lines;
  }

  /** Every receipt merchants exported, a page at a time: an export is a line per sale. */
  private exportedReceipts(): Promise<ReceiptRecord[]> {
    return allPages((after, limit) => this.store.receiptsAfter(after, limit), SYNC_PAGE);
  }

  private async data(): Promise<ReconData> {
    const states = await this.reversalStates();
    const { batches, receipts } = await this.batchData();
    const txs = await this.allTransactions();
    return {
      journal: txs.map((tx) => toEntry(tx, states.get(tx.id) ?? null)),
      credits: toCredits(await this.allCredits()),
      batches,
      receipts: [...receipts, ...txs.filter(isAdvice).map(adviceReceipt), ...(await this.exportedReceipts()).map(exportReceipt)],
    };
  }
}

function isAdvice(tx: TxRecord): boolean {
  return tx.mti === '0220';
}

/**
 * The receipt an 0220 advice stands for: the terminal printed it before it sent the advice. No RRN (the terminal had
 * none) and no auth code: the journal's may since hold the acquirer's, and the receipt must stay the same receipt.
 */
function adviceReceipt(tx: TxRecord): Receipt {
  return {
    terminalId: tx.terminalId,
    merchantId: tx.merchantId,
    batchNo: tx.batchNo,
    stan: tx.stan,
    localDate: tx.localDate,
    rrn: null,
    authCode: null,
    amount: tx.amount,
    currency: tx.currency,
    panMasked: tx.panMasked,
    kind: tx.procCode.startsWith('20') ? 'refund' : 'offline',
    source: 'advice',
  };
}

function exportReceipt(r: ReceiptRecord): Receipt {
  return {
    terminalId: r.terminalId,
    merchantId: r.merchantId,
    batchNo: r.batchNo,
    stan: r.stan,
    localDate: r.localDate,
    rrn: r.rrn,
    authCode: r.authCode,
    amount: r.amount,
    currency: r.currency,
    panMasked: r.panMasked,
    kind: r.kind,
    source: 'export',
  };
}

function toRow(c: Case): CaseRow {
  return { id: c.id, merchantId: c.merchantId, class: c.class, status: c.status, data: JSON.stringify(c), updatedAt: c.updatedAt };
}

function toEntry(tx: TxRecord, queued: ReversalState | null): JournalEntry {
  return {
    id: tx.id,
    terminalId: tx.terminalId,
    merchantId: tx.merchantId,
    batchNo: tx.batchNo,
    stan: tx.stan,
    localDate: tx.localDate,
    mti: tx.mti,
    procCode: tx.procCode,
    rrn: tx.rrn,
    authCode: tx.authCode,
    amount: tx.amount,
    currency: tx.currency,
    state: tx.state,
    responseCode: tx.responseCode,
    captured: tx.captured,
    reversal: tx.reversal,
    // a reversal no longer in the queue and not abandoned was delivered
    reversalState: tx.reversal === null ? null : (queued ?? 'done'),
    acquirerId: tx.acquirerId,
    createdAt: tx.createdAt,
    updatedAt: tx.updatedAt,
  };
}

function toCredits(lines: CreditRecord[]): Credit[] {
  const out: Credit[] = [];
  for (const l of lines) {
    if (l.record === 'PAYOUT') continue;
    const { netAmount, record, ...rest } = l;
    out.push({ ...rest, record, net: netAmount });
  }
  return out;
}

function toReceipt(u: UploadRecord): Receipt {
  return {
    terminalId: u.terminalId,
    merchantId: u.merchantId,
    batchNo: u.batchNo,
    stan: u.originalStan,
    // an upload without field 13: the day it was uploaded stands in
    localDate: u.localDate ?? new Date(u.createdAt).toISOString().slice(5, 10).replace('-', ''),
    rrn: u.rrn,
    authCode: u.authCode,
    amount: u.amount,
    currency: u.currency,
    panMasked: u.panMasked,
    kind: u.procCode.startsWith('20') ? 'refund' : u.originalMti === '0220' ? 'offline' : 'sale',
    source: 'upload',
  };
}
