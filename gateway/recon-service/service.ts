import type { Clock } from '../clock.js';
import { fullRun, Reconciler, type Batch, type Case, type CaseFilter, type Credit, type JournalEntry, type Receipt, type ReconData, type ReconOptions, type ReversalState, type Whereabouts } from '../recon/index.js';
import { importSettlement, type ImportResult } from '../settlement/import.js';
import type { BatchRecord, CreditRecord, ReportSummary, Store, Totals, TxRecord, UploadRecord } from '../store/types.js';

/** What the service remembers of a sale for lookups and batch totals (no card data beyond the last 4 digits). */
interface SaleIndex {
  rrn: string;
  merchantId: string;
  terminalId: string;
  batchNo: string;
  last4: string | null;
  amount: number;
  /** YYYY-MM-DD of the journal entry (gateway clock, UTC). */
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
}

const EMPTY: Totals = Object.freeze({ saleCount: 0, saleAmount: 0, refundCount: 0, refundAmount: 0 });

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
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
 * clock forward first, so a credit that did not come within its window becomes a case without new data. The cases
 * live in memory: a restart recomputes them from the store (people's actions on cases are not kept yet).
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
  private readonly creditLines: CreditRecord[] = [];
  private lastSync = Number.NEGATIVE_INFINITY;
  private advancedTo = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> = Promise.resolve();

  constructor(opts: ReconServiceOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.options = opts.recon ?? {};
    this.maxStalenessMs = opts.maxStalenessMs ?? 1000;
    this.engine = new Reconciler(this.options);
  }

  /** Imports a report (all or nothing; the same report twice changes nothing) and reconciles what it brought. */
  async importReport(csv: string): Promise<ImportResult> {
    const result = await importSettlement(this.store, csv, this.clock.now());
    await this.sync();
    return result;
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
    this.engine.advance(this.advancedTo);
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
    else for (const c of this.creditLines) if (c.rrn === rrn) out.add(c.merchantId);
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

  /** Each batch with the terminal's, the journal's (host) and the acquirer's (funded) totals side by side. */
  async batches(merchantId?: string): Promise<BatchView[]> {
    const funded = new Map<string, Totals>();
    for (const c of this.creditLines) {
      if (c.record === 'PAYOUT' || c.rrn === null) continue;
      const s = this.sales.get(c.rrn);
      if (s === undefined || s.merchantId !== c.merchantId) continue;
      const key = `${s.terminalId}/${s.batchNo}`;
      funded.set(key, add(funded.get(key) ?? EMPTY, c.record === 'DEBIT', c.amount));
    }
    const out: BatchView[] = [];
    for (const b of await this.store.batches()) {
      if (merchantId !== undefined && b.merchantId !== merchantId) continue;
      const host = await this.store.journalTotals(b.terminalId, b.batchNo);
      const f = funded.get(`${b.terminalId}/${b.batchNo}`) ?? { ...EMPTY };
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
    const incremental = this.engine.cases();
    const sig = (c: Case): string => `${c.id} ${c.class} ${c.status} ${c.cleared} ${c.explanation}`;
    const a = new Set(incremental.map(sig));
    const b = new Set(full.map(sig));
    const differences = [...[...a].filter((s) => !b.has(s)).map((s) => `incremental only: ${s}`), ...[...b].filter((s) => !a.has(s)).map((s) => `full only: ${s}`)];
    return { cases: incremental.length, agrees: differences.length === 0, differences };
  }

  private now(): number {
    return this.clock.now();
  }

  private async load(): Promise<void> {
    const started = this.now();
    // a row updated in the same millisecond as the last sync may have come after it: read from that millisecond again
    const txs = await this.store.transactions(this.lastSync);
    const states = await this.reversalStates();
    const journal: JournalEntry[] = [];
    for (const tx of await this.allIfStatesChanged(txs, states)) {
      const e = toEntry(tx, states.get(tx.id) ?? null);
      const version = `${tx.updatedAt}|${e.reversalState}`;
      if (this.versions.get(tx.id) === version) continue;
      this.versions.set(tx.id, version);
      journal.push(e);
      this.sales.set(tx.rrn, {
        rrn: tx.rrn,
        merchantId: tx.merchantId,
        terminalId: tx.terminalId,
        batchNo: tx.batchNo,
        last4: tx.panMasked === null ? null : tx.panMasked.slice(-4),
        amount: tx.amount,
        day: isoDay(tx.createdAt),
        procCode: tx.procCode,
      });
    }
    const credits: Credit[] = [];
    for (const r of await this.store.reports()) {
      if (this.reportsSeen.has(r.reportId)) continue;
      const lines = await this.store.credits(r.reportId);
      this.creditLines.push(...lines);
      credits.push(...toCredits(lines));
      this.reportsSeen.add(r.reportId);
    }
    const { batches, receipts } = await this.batchData();
    this.engine.addJournal(journal);
    this.engine.addReceipts(receipts);
    this.engine.addCredits(credits);
    this.engine.addBatches(batches);
    this.tick();
    this.lastSync = started;
  }

  /** A reversal's state lives in the store-and-forward queue, not on the transaction: a change there re-reads all. */
  private lastStates = '';
  private async allIfStatesChanged(txs: TxRecord[], states: Map<number, ReversalState>): Promise<TxRecord[]> {
    const sig = [...states].map(([id, s]) => `${id}:${s}`).join(',');
    if (sig === this.lastStates) return txs;
    this.lastStates = sig;
    return this.store.transactions();
  }

  private async reversalStates(): Promise<Map<number, ReversalState>> {
    const states = new Map<number, ReversalState>();
    for (const p of await this.store.pendingSaf()) states.set(p.txId, 'pending');
    for (const e of await this.store.exceptions()) if (e.kind === 'REVERSAL_ABANDONED' && e.txId !== null) states.set(e.txId, 'abandoned');
    return states;
  }

  private async batchData(): Promise<{ batches: Batch[]; receipts: Receipt[] }> {
    const batches: Batch[] = [];
    const receipts: Receipt[] = [];
    for (const b of await this.store.batches()) {
      const hostTotals = await this.store.journalTotals(b.terminalId, b.batchNo);
      batches.push({ ...b, hostTotals });
      for (const u of await this.store.uploads(b.terminalId, b.batchNo)) receipts.push(toReceipt(u));
    }
    return { batches, receipts };
  }

  private async data(): Promise<ReconData> {
    const states = await this.reversalStates();
    const { batches, receipts } = await this.batchData();
    return {
      journal: (await this.store.transactions()).map((tx) => toEntry(tx, states.get(tx.id) ?? null)),
      credits: toCredits(await this.store.credits()),
      batches,
      receipts,
    };
  }
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
