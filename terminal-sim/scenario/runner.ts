import type { LedgerRow } from '../acquirer/index.js';
import {
  batchTotals,
  DeviceError,
  exponentOf,
  isCaptured,
  isDeviceError,
  parseAmount,
  testCardNamed,
  type ClosedBatch,
  type Clock,
  type Housekeeping,
  type JournalEntry,
  type Receipt,
  type SaleInput,
  type Terminal,
  type Totals,
} from '../device/index.js';
import { describeFaults, openRiggedTerminal, parseFaults, withFaults, type AppliedFault, type FaultRig, type FaultSet } from '../faults/index.js';
import { isTransportError, openTransport, resolveLinkOptions, type LinkOptions, type Target, type TlsOptions } from '../transport/index.js';
import type { AcquirerAccess } from './acquirer.js';
import { entryKey, reconcile, type AcquirerView, type Complaint, type CreditCheck, type UnprintedCharge } from './reconcile.js';
import { pick, seededRandom, weighted } from './random.js';
import type { MixSpec, Ref, SaleParams, Scenario, SettlementStep, Step, TerminalSpec, TerminalStep } from './schema.js';

export interface RunOptions {
  target: Target;
  link?: LinkOptions;
  tls?: TlsOptions;
  /** The stub's control API or an in-process stub; without it, acquirer steps are refused and the report has no ledger. */
  acquirer?: AcquirerAccess;
  /** Where the terminals' journals live. */
  dataDir: string;
  dataKey?: Buffer;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** fsync journal writes. Default true. */
  durable?: boolean;
  /** Overrides every terminal's reply timeout. */
  timeoutMs?: number;
  clock?: Clock;
  /** Called as each step (each transaction of a mix) ends: for a progress display. */
  onStep?: (r: StepResult) => void;
}

export interface StepResult {
  /** Index of the step in the file. */
  step: number;
  action: string;
  terminalId: string | null;
  outcome: 'approved' | 'declined' | 'no_answer' | 'error' | 'done';
  responseCode: string | null;
  text: string;
  invoice: string | null;
  amount: number | null;
  faults: string[];
  ms: number;
}

export interface PrintedReceipt extends Receipt {
  /** Device faults that acted on the transaction. */
  faults: string[];
}

export interface TerminalReport {
  terminalId: string;
  merchantId: string;
  merchantName: string;
  /** Every receipt printed during the run, in order. */
  printed: PrintedReceipt[];
  /** What the terminal believes its open batch holds. */
  openBatch: { batch: string; totals: Totals; transactions: { invoice: string; type: string; amount: number; rrn: string | null; authCode: string | null; offline: boolean }[] };
  /** Batches it closed during the run, with the totals it settled. */
  closedBatches: ClosedBatch[];
  pendingReversal: { invoice: string; stan: string; reason: string } | null;
  pendingAdvices: number;
  /** Wire faults that were applied. */
  wireFaults: AppliedFault[];
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  seed: number;
  target: string;
  acquirer: string | null;
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  terminals: TerminalReport[];
  /** Null when no acquirer was given: nothing to reconcile against. */
  acquirerView: AcquirerView | null;
  /** Receipts printed APPROVED that the acquirer does not show charged: the calls a merchant makes. */
  complaints: Complaint[];
  /** Charges at the acquirer with no APPROVED receipt: the calls a customer makes. */
  unprinted: UnprintedCharge[];
  /** Null when the scenario ran no settlement step. */
  settlement: SettlementView | null;
  notes: string[];
}

export interface SettlementView {
  /** The stub's lag at the last cutover: a sale approved on day T is paid at the cutover of day T + this. */
  settleAfterDays: number | null;
  /** Reports the stub made during the run (the run's cutovers and any scheduled one). */
  reports: { reportId: string; settlementDate: string; credits: number; creditTotal: number }[];
  /** Sales whose credit the run told the stub to leave out. */
  omitted: { terminalId: string; invoice: string; rrn: string }[];
  /** True when the run's last cutover was due to pay its sales: each charge before it was looked for in the reports. */
  checked: boolean;
  /** Why the credits were not checked, when they were not. */
  note: string | null;
}

/** What the settlement steps did, for the credit check at the end. */
interface SettlementRun {
  reportsAtStart: Set<string>;
  omitted: SettlementView['omitted'];
  settleAfterDays: number | null;
  cutovers: number;
  /** Ledger rows up to this id were there at the last cutover. */
  upToRowId: number;
  /** Waits, as the report does, for reversals still on their way: a cutover pays what is approved when it runs. */
  quiet: () => Promise<unknown>;
}

export class ScenarioRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioRunError';
  }
}

interface Live {
  spec: TerminalSpec;
  terminal: Terminal;
  rig: FaultRig;
  receiptsAtStart: number;
  batchesAtStart: number;
  /** The latest known state of every journal entry seen during the run (entries leave the journal at settlement). */
  entries: Map<string, JournalEntry>;
}

/** Runs a scenario against a gateway and returns the report; closes every terminal it opened. */
export async function runScenario(s: Scenario, o: RunOptions): Promise<ScenarioReport> {
  const acquirerSteps = s.steps.filter((st) => st.kind === 'acquirer' || st.kind === 'settlement');
  if (o.acquirer === undefined && (s.acquirer !== undefined || acquirerSteps.length > 0)) {
    const where = s.acquirer !== undefined ? 'scenario.acquirer' : acquirerSteps[0].path;
    throw new ScenarioRunError(`${where} changes the acquirer stub: give its control API (--acquirer-url) or start one (--acquirer-port)`);
  }
  const started = Date.now();
  const link = o.link ?? resolveLinkOptions();
  const seed = o.seed ?? s.seed;
  const live: Live[] = [];
  const steps: StepResult[] = [];
  const record = (r: StepResult): void => {
    steps.push(r);
    o.onStep?.(r);
  };
  try {
    for (const spec of s.terminals) {
      const { terminal, rig } = await openRiggedTerminal({
        terminalId: spec.id,
        merchantId: spec.merchant,
        merchantName: spec.merchantName,
        dataDir: o.dataDir,
        transport: openTransport(o.target, link, o.tls),
        spec: link.spec,
        currency: spec.currency,
        floorLimit: parseAmount(spec.floorLimit, exponentOf(spec.currency), { allowZero: true }),
        timeoutMs: o.timeoutMs ?? spec.timeoutMs,
        keySet: spec.keySet,
        durable: o.durable ?? true,
        dataKey: o.dataKey,
        clock: o.clock,
      });
      const journal = terminal.journal;
      const l: Live = { spec, terminal, rig, receiptsAtStart: journal.receipts.length, batchesAtStart: journal.batches.length, entries: new Map() };
      snapshot(l);
      live.push(l);
    }
    const byId = new Map(live.map((l) => [l.spec.id, l]));
    const rowsBefore = o.acquirer === undefined ? [] : await o.acquirer.ledger();
    const firstRowId = rowsBefore.reduce((m, r) => Math.max(m, r.id), 0) + 1;
    if (s.acquirer !== undefined) await o.acquirer!.apply(s.acquirer);
    const random = seededRandom(seed);
    const settling = s.steps.some((st) => st.kind === 'settlement');
    const sr: SettlementRun | null = settling
      ? { reportsAtStart: new Set((await o.acquirer!.settlementReports()).map((r) => r.reportId)), omitted: [], settleAfterDays: null, cutovers: 0, upToRowId: 0, quiet: () => settledLedger(o.acquirer!, live, firstRowId, s.reconcileWaitMs) }
      : null;
    for (const step of s.steps) await runStep(step, byId, o, random, record, sr);

    let rows: LedgerRow[] | null = null;
    if (o.acquirer !== undefined) rows = await settledLedger(o.acquirer, live, firstRowId, s.reconcileWaitMs);
    const receipts = live.flatMap((l) => l.terminal.receipts().slice(l.receiptsAtStart));
    const entries = new Map(live.flatMap((l) => [...l.entries]));
    const settled = sr === null ? null : await settlementView(o.acquirer!, sr);
    const rec = rows === null ? null : reconcile(receipts, entries, rows, settled?.check);
    return {
      scenario: s.name,
      description: s.description,
      seed,
      target: `${o.target.scheme}://${o.target.host}:${o.target.port}`,
      acquirer: o.acquirer?.description ?? null,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      steps,
      terminals: live.map(terminalReport),
      acquirerView: rec?.acquirer ?? null,
      complaints: rec?.complaints ?? [],
      unprinted: rec?.unprinted ?? [],
      settlement: settled?.view ?? null,
      notes: s.notes,
    };
  } finally {
    for (const l of live) await l.terminal.close().catch(() => undefined);
  }
}

async function runStep(
  step: Step,
  byId: Map<string, Live>,
  o: RunOptions,
  random: () => number,
  record: (r: StepResult) => void,
  sr: SettlementRun | null,
): Promise<void> {
  const t0 = Date.now();
  const done = (action: string, text: string): void =>
    record({ step: step.index, action, terminalId: null, outcome: 'done', responseCode: null, text, invoice: null, amount: null, faults: [], ms: Date.now() - t0 });
  switch (step.kind) {
    case 'wait':
      await new Promise((r) => setTimeout(r, step.ms));
      done('wait', `waited ${step.ms} ms`);
      return;
    case 'acquirer':
      await o.acquirer!.apply(step.change);
      done('acquirer', `acquirer stub: ${JSON.stringify({ ...step.change, rules: step.change.rules === undefined ? undefined : '(new rules)' })}`);
      return;
    case 'terminal':
      for (const id of step.terminals) {
        const l = byId.get(id)!;
        record(await runAction(l, step, { ...l.spec.faults, ...step.faults }, step.index));
      }
      return;
    case 'mix':
      await runMix(step.mix, step.index, byId, random, record);
      return;
    case 'settlement': {
      const text = await runSettlement(step.settlement, byId, o.acquirer!, sr!);
      record({ step: step.index, action: 'settlement', terminalId: null, outcome: text.error ? 'error' : 'done', responseCode: null, text: text.text, invoice: null, amount: null, faults: [], ms: Date.now() - t0 });
      return;
    }
  }
}

/** Omits credits (by the RRN each named sale got), then cuts over; a sale that cannot be named is the step's error. */
async function runSettlement(st: SettlementStep, byId: Map<string, Live>, acquirer: AcquirerAccess, sr: SettlementRun): Promise<{ text: string; error: boolean }> {
  const said: string[] = [];
  const missing: string[] = [];
  for (const ref of st.omit) {
    const rrn = saleRrn(byId.get(ref.terminal)!, ref.invoice);
    if (rrn === null) missing.push(`${ref.terminal} invoice ${ref.invoice}`);
    else if (!sr.omitted.some((x) => x.rrn === rrn)) sr.omitted.push({ terminalId: ref.terminal, invoice: ref.invoice, rrn });
  }
  if (st.omit.length > 0) {
    await acquirer.omitCredits(sr.omitted.map((x) => x.rrn));
    said.push(`credits left out: ${sr.omitted.map((x) => `${x.terminalId}/${x.invoice} RRN ${x.rrn}`).join(', ') || 'none'}`);
  }
  if (missing.length > 0) said.push(`no approved sale with an RRN to leave out: ${missing.join(', ')}`);
  if (st.cutover) {
    await sr.quiet();
    sr.settleAfterDays = await acquirer.settleAfterDays();
    sr.upToRowId = (await acquirer.ledger()).reduce((m, r) => Math.max(m, r.id), 0);
    const report = await acquirer.cutover();
    sr.cutovers++;
    said.push(
      report === null
        ? 'cutover: nothing due'
        : `cutover: report ${report.reportId}, ${report.counts.credit} credit(s) ${report.totals.credit}, net ${report.totals.net}`,
    );
    if (sr.settleAfterDays > 0) said.push(`the stub settles ${sr.settleAfterDays} day(s) after approval: today's sales are not in it`);
  }
  return { text: `settlement: ${said.join('; ')}`, error: missing.length > 0 };
}

/** The RRN of the last sale printed APPROVED this run on that terminal with that invoice. */
function saleRrn(l: Live, invoice: string): string | null {
  const receipt = l.terminal
    .receipts()
    .slice(l.receiptsAtStart)
    .filter((r) => r.approved && (r.kind === 'purchase' || r.kind === 'completion') && r.invoice === invoice)
    .at(-1);
  if (receipt === undefined) return null;
  return receipt.rrn ?? l.entries.get(entryKey(l.spec.id, receipt))?.rrn ?? null;
}

/** The reports made during the run and, when its last cutover was due to pay its sales, what to check them against. */
async function settlementView(acquirer: AcquirerAccess, sr: SettlementRun): Promise<{ view: SettlementView; check?: CreditCheck }> {
  const made = (await acquirer.settlementReports()).filter((r) => !sr.reportsAtStart.has(r.reportId));
  const credited = new Set<string>();
  for (const r of made) for (const line of await acquirer.settlementLines(r.reportId)) if (line.record === 'CREDIT' && line.rrn !== null) credited.add(line.rrn);
  let note: string | null = null;
  if (sr.cutovers === 0) note = 'the scenario forced no cutover: the credits were not checked';
  else if (sr.settleAfterDays !== 0) {
    note =
      `the stub settles ${sr.settleAfterDays} day(s) after approval, so the cutover did not pay today's sales and the credits were not checked ` +
      '("charged, never credited" cannot show): start the stub with --settle-after-days 0, or let the scenario start its own (--acquirer-port)';
  }
  const view: SettlementView = {
    settleAfterDays: sr.settleAfterDays,
    reports: made.map((r) => ({ reportId: r.reportId, settlementDate: r.settlementDate, credits: r.counts.credit, creditTotal: r.totals.credit })),
    omitted: sr.omitted,
    checked: note === null,
    note,
  };
  return note === null ? { view, check: { credited, upToRowId: sr.upToRowId, reportIds: made.map((r) => r.reportId) } } : { view };
}

/** A mix: the plan is drawn up front from the seed, then each terminal works through its share while the others do theirs. */
async function runMix(mix: MixSpec, index: number, byId: Map<string, Live>, random: () => number, record: (r: StepResult) => void): Promise<void> {
  const plans = new Map<string, { step: TerminalStep; faults: FaultSet; instead: TerminalStep }[]>();
  for (let i = 0; i < mix.count; i++) {
    const id = mix.terminals[i % mix.terminals.length];
    const kind = weighted(random, mix.kinds);
    const faultFlags: Record<string, true> = {};
    for (const [name, p] of Object.entries(mix.faults)) if (random() < (p as number)) faultFlags[name] = true;
    const faults = parseFaults(faultFlags, 'mix.faults');
    const sale = { amount: drawAmount(random, mix, byId.get(id)!.spec), card: pick(random, mix.cards), entry: pick(random, mix.entry) };
    const step: TerminalStep = kind === 'void' ? { action: 'void', params: { ref: { last: true } } } : { action: kind, params: sale };
    // nothing to void yet when its turn comes: a sale instead, as a cashier would ring one up
    plans.set(id, [...(plans.get(id) ?? []), { step, faults, instead: { action: 'purchase', params: sale } }]);
  }
  await Promise.all(
    [...plans].map(async ([id, plan]) => {
      const l = byId.get(id)!;
      for (const { step, faults, instead } of plan) {
        const s = step.action === 'void' && voidable(l) === undefined ? instead : step;
        record(await runAction(l, s, { ...l.spec.faults, ...faults }, index));
      }
    }),
  );
}

function drawAmount(random: () => number, mix: MixSpec, spec: TerminalSpec): string {
  const e = exponentOf(spec.currency);
  const [min, max, step] = [mix.amount.min, mix.amount.max, mix.amount.step].map((t) => parseAmount(t, e, { allowZero: true }));
  const steps = Math.floor((max - min) / step);
  const minor = min + step * Math.floor(random() * (steps + 1));
  const whole = String(minor).padStart(e + 1, '0');
  return e === 0 ? whole : `${whole.slice(0, -e)}.${whole.slice(-e)}`;
}

async function runAction(l: Live, step: TerminalStep, faults: FaultSet, index: number): Promise<StepResult> {
  const t0 = Date.now();
  const t = l.terminal;
  const base = { step: index, action: step.action, terminalId: l.spec.id, faults: describeFaults(faults), invoice: null as string | null, amount: null as number | null };
  const result = (r: Omit<StepResult, 'step' | 'action' | 'terminalId' | 'faults' | 'ms' | 'invoice' | 'amount'> & { invoice?: string | null; amount?: number | null }): StepResult => ({
    ...base,
    ...r,
    invoice: r.invoice ?? null,
    amount: r.amount ?? null,
    ms: Date.now() - t0,
  });
  try {
    return await withFaults(t, l.rig, step.action, faults, async () => {
      switch (step.action) {
        case 'signon':
        case 'echo': {
          const r = step.action === 'signon' ? await t.signOn() : await t.echo();
          return result({ outcome: r.outcome, responseCode: r.responseCode, text: r.responseText });
        }
        case 'purchase':
        case 'refund':
        case 'preauth': {
          const r = await t[step.action](saleInput(step.params, l.spec));
          return result({
            outcome: r.outcome,
            responseCode: r.responseCode,
            text: withHousekeeping(r.receipt !== null && r.receipt.approved ? `${r.responseText}${r.offline ? ' (offline)' : ''}` : r.responseText, r.housekeeping),
            invoice: r.entry?.invoice,
            amount: r.entry?.amount,
          });
        }
        case 'void':
        case 'complete': {
          const ref = resolveRef(l, step.params.ref, step.action);
          const r = step.action === 'void' ? await t.void(ref) : await t.complete(ref, step.params.amount === undefined ? undefined : parseAmount(step.params.amount, exponentOf(l.spec.currency)));
          return result({ outcome: r.outcome, responseCode: r.responseCode, text: withHousekeeping(r.responseText, r.housekeeping), invoice: r.entry?.invoice, amount: r.entry?.amount });
        }
        case 'reverse': {
          const ref = step.params.ref;
          const r = await t.reverse(ref === null ? {} : 'last' in ref ? { last: true } : { invoice: ref.invoice });
          if (r === null) return result({ outcome: 'done', responseCode: null, text: 'no pending reversal' });
          return result({ outcome: r.outcome, responseCode: r.responseCode, text: `reversal ${r.mti}: ${r.cleared ? 'cleared' : 'still pending'}`, invoice: r.entry.invoice, amount: r.entry.amount });
        }
        case 'settle': {
          const r = await t.settle();
          const text = `batch ${r.batch}: ${r.responseText}${r.uploaded > 0 ? `, ${r.uploaded} uploaded` : ''}${r.closed ? `, next batch ${r.nextBatch}` : ', batch still open'}`;
          return result({ outcome: r.outcome, responseCode: r.responseCode, text: withHousekeeping(text, r.housekeeping) });
        }
      }
    });
  } catch (e) {
    if (!isDeviceError(e) && !isTransportError(e)) throw e;
    return result({ outcome: 'error', responseCode: null, text: `${e.code}: ${e.message}` });
  } finally {
    snapshot(l);
  }
}

function saleInput(p: SaleParams, spec: TerminalSpec): SaleInput {
  const input: SaleInput = { amount: parseAmount(p.amount, exponentOf(spec.currency)), card: testCardNamed(p.card ?? spec.card) };
  if (p.entry !== undefined) input.entryMode = p.entry;
  if (p.pin !== undefined) input.pin = p.pin;
  if (p.emv !== undefined) input.emv = p.emv;
  if (p.offline === true) input.offline = true;
  return input;
}

function voidable(l: Live): JournalEntry | undefined {
  return l.terminal.journal.entries
    .filter((e) => (e.kind === 'purchase' || e.kind === 'completion') && e.status === 'approved' && e.closedBy === null && e.rrn !== null)
    .at(-1);
}

/** "last": the last approved sale (void) or pre-auth (complete) still open. */
function resolveRef(l: Live, ref: Ref, action: 'void' | 'complete'): { invoice: string } {
  if ('invoice' in ref) return ref;
  const entry =
    action === 'void'
      ? voidable(l)
      : l.terminal.journal.entries.filter((e) => e.kind === 'preauth' && e.status === 'approved' && e.closedBy === null).at(-1);
  // reported as the step's error, and the day goes on
  if (entry === undefined) throw new DeviceError('NOT_FOUND', action === 'void' ? 'nothing to void in the open batch' : 'no approved pre-authorization to complete');
  return { invoice: entry.invoice };
}

function withHousekeeping(text: string, hk: Housekeeping): string {
  const before: string[] = [];
  if (hk.reversal !== null) before.push(`reversal ${hk.reversal.mti} ${hk.reversal.responseCode ?? 'no answer'}`);
  for (const a of hk.advices) before.push(`advice ${a.mti} ${a.responseCode ?? 'no answer'}`);
  return before.length === 0 ? text : `${text} [first: ${before.join(', ')}]`;
}

function snapshot(l: Live): void {
  for (const e of l.terminal.journal.entries) l.entries.set(entryKey(l.spec.id, e), e);
}

/**
 * The acquirer's ledger for this run's terminals, once reversals still on their way have arrived: those the terminals
 * had acknowledged, and those the gateway sends on its own for receipts printed after a timeout (bounded by `waitMs`).
 */
async function settledLedger(acquirer: AcquirerAccess, live: Live[], firstRowId: number, waitMs: number): Promise<LedgerRow[]> {
  const ids = new Set(live.map((l) => l.spec.id));
  const entries = live.flatMap((l) => [...l.entries.values()]);
  const expectReversed = entries.filter((e) => e.status === 'reversed' && e.reversalResponseCode === '00' && e.rrn !== null).map((e) => e.rrn!);
  const printedBlind = entries.filter((e) => e.status === 'approved' && e.faults.includes('print-approved-on-timeout'));
  const end = Date.now() + waitMs;
  for (;;) {
    const rows = (await acquirer.ledger()).filter((r) => r.id >= firstRowId && r.terminalId !== null && ids.has(r.terminalId.trim()));
    const reversedRrns = new Set(rows.filter((r) => r.status === 'reversed').map((r) => r.rrn));
    const pending =
      expectReversed.some((rrn) => rows.some((r) => r.rrn === rrn) && !reversedRrns.has(rrn)) ||
      printedBlind.some((e) => rows.some((r) => r.amount === e.amount && r.panMasked === e.panMasked && r.status === 'approved' && r.kind === 'purchase'));
    if (!pending || Date.now() >= end) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function terminalReport(l: Live): TerminalReport {
  const j = l.terminal.journal;
  const faultsOf = (r: Receipt): string[] => l.entries.get(entryKey(l.spec.id, r))?.faults ?? [];
  const captured = j.entries.filter(isCaptured);
  const pending = j.reversal === null ? undefined : j.entries.find((e) => e.id === j.reversal!.entryId);
  return {
    terminalId: l.spec.id,
    merchantId: j.merchantId,
    merchantName: l.terminal.merchantName,
    printed: j.receipts.slice(l.receiptsAtStart).map((r) => ({ ...r, faults: faultsOf(r) })),
    openBatch: {
      batch: l.terminal.batch,
      totals: batchTotals(j.entries),
      transactions: captured.map((e) => ({ invoice: e.invoice, type: e.kind, amount: e.amount, rrn: e.rrn, authCode: e.authCode, offline: e.offline })),
    },
    closedBatches: j.batches.slice(l.batchesAtStart),
    pendingReversal: pending === undefined ? null : { invoice: pending.invoice, stan: pending.stan, reason: j.reversal!.reason },
    pendingAdvices: j.entries.filter((e) => e.advice?.pending === true).length,
    wireFaults: l.rig.transport?.applied ?? [],
  };
}
