import { exponentOf, formatAmount, type Totals } from '../device/index.js';
import type { ScenarioReport, StepResult } from './runner.js';

const money = (minor: number, currency = '840'): string => formatAmount(minor, exponentOf(currency));

function totals(t: Totals, currency: string): string {
  return `sales ${t.saleCount} / ${money(t.saleAmount, currency)}, refunds ${t.refundCount} / ${money(t.refundAmount, currency)}`;
}

/** One line per step as the run goes: the progress display of `terminal-sim scenario`. */
export function stepLine(r: StepResult): string {
  const who = r.terminalId === null ? '' : `${r.terminalId} `;
  const what = r.invoice === null ? '' : ` inv ${r.invoice}`;
  const amount = r.amount === null ? '' : ` ${money(r.amount)}`;
  const faults = r.faults.length === 0 ? '' : ` {${r.faults.join(', ')}}`;
  const outcome = r.outcome === 'done' ? '' : ` ${r.outcome.toUpperCase().replace('_', ' ')}`;
  return `[${String(r.step + 1).padStart(2)}] ${who}${r.action}${what}${amount}${faults}:${outcome} ${r.responseCode ?? ''} ${r.text} (${r.ms} ms)`.replace(/ +/g, ' ');
}

function merchantHeadline(r: ScenarioReport): string {
  const n = r.complaints.length;
  const uncredited = r.complaints.filter((c) => c.acquirer === 'not credited').length;
  const paid = r.settlement?.checked === true ? 'paid' : 'charged';
  if (n === 0) return `nothing (every APPROVED receipt is ${paid})`;
  if (uncredited === 0) return `${n} receipt(s) printed APPROVED but not charged`;
  return `${n} receipt(s) printed APPROVED but not paid: ${n - uncredited} not charged, ${uncredited} charged, never credited`;
}

/** The report as text: what each terminal printed and holds, then what the merchant and customers would call about. */
export function renderReport(r: ScenarioReport): string {
  const out: string[] = [];
  out.push(`SCENARIO ${r.scenario} (seed ${r.seed}): ${r.steps.length} steps in ${(r.durationMs / 1000).toFixed(1)} s`);
  out.push(`  gateway ${r.target}, acquirer ${r.acquirer ?? 'not given (no reconciliation)'}`);
  if (r.description !== '') out.push(`  ${r.description}`);
  for (const t of r.terminals) {
    out.push('', `TERMINAL ${t.terminalId} (${t.merchantName}, merchant ${t.merchantId})`);
    out.push(`  printed ${t.printed.length} receipt(s):`);
    for (const p of t.printed) {
      const flags = [p.offline ? 'offline' : '', ...p.faults].filter((f) => f !== '');
      out.push(
        `    ${p.batch}/${p.invoice} ${p.type.padEnd(10)} ${p.panMasked.padEnd(19)} ${money(p.amount, p.currency).padStart(10)}  ${p.responseCode} ${p.responseText}` +
          `${p.authCode ? `  auth ${p.authCode}` : ''}${p.rrn ? `  RRN ${p.rrn}` : ''}${flags.length > 0 ? `  [${flags.join(', ')}]` : ''}`,
      );
    }
    for (const b of t.closedBatches) {
      out.push(`  settled batch ${b.batch}: ${totals(b.totals, '840')}${b.uploaded > 0 ? `, ${b.uploaded} uploaded` : ''}: ${b.responseCode} ${b.responseText ?? ''}`.trimEnd());
    }
    out.push(`  open batch ${t.openBatch.batch} holds: ${totals(t.openBatch.totals, '840')}`);
    if (t.pendingReversal !== null) out.push(`  pending reversal: invoice ${t.pendingReversal.invoice} (STAN ${t.pendingReversal.stan}, ${t.pendingReversal.reason})`);
    if (t.pendingAdvices > 0) out.push(`  pending advices: ${t.pendingAdvices}`);
    if (t.wireFaults.length > 0) out.push(`  wire faults applied: ${t.wireFaults.map((f) => `${f.fault} on ${f.mti} STAN ${f.stan ?? '-'}`).join('; ')}`);
  }
  out.push('');
  if (r.acquirerView === null) {
    out.push('RECONCILIATION: no acquirer given (--acquirer-url), so nothing to reconcile against.');
  } else {
    const a = r.acquirerView;
    out.push(
      `ACQUIRER LEDGER (this run): charged ${a.charged.count} / ${money(a.charged.amount)}, reversed ${a.reversed.count} / ${money(a.reversed.amount)}, ` +
        `refunded ${a.refunded.count} / ${money(a.refunded.amount)}, declined ${a.declined}, double charged ${a.doubleCharged.length}`,
    );
    out.push('', `MERCHANT WOULD CALL ABOUT: ${merchantHeadline(r)}`);
    for (const c of r.complaints) {
      out.push(`  ${c.terminalId} batch ${c.batch} invoice ${c.invoice}: ${c.type} ${money(c.amount, c.currency)} ${c.panMasked}, printed ${c.printed}; acquirer: ${c.acquirer}${c.acquirerRrn ? ` (RRN ${c.acquirerRrn})` : ''}`);
      out.push(`    ${c.why}`);
    }
    out.push('', `CUSTOMER WOULD CALL ABOUT: ${r.unprinted.length === 0 && a.doubleCharged.length === 0 ? 'nothing (no charge without an APPROVED receipt)' : ''}`.trimEnd());
    for (const u of r.unprinted) out.push(`  charged with no APPROVED receipt: ${u.terminalId ?? '?'} ${u.kind} ${money(u.amount)} ${u.panMasked ?? ''} RRN ${u.rrn}; the terminal: ${u.terminalView}`);
    for (const d of a.doubleCharged) out.push(`  charged ${d.count} times: RRN ${d.rrn}, ${money(d.amount)} in all`);
  }
  if (r.settlement !== null) {
    const st = r.settlement;
    out.push('', `ACQUIRER SETTLEMENT (this run): ${st.reports.length} report(s)${st.settleAfterDays === null ? '' : `, settles ${st.settleAfterDays} day(s) after approval`}`);
    for (const rep of st.reports) out.push(`  ${rep.reportId} (${rep.settlementDate}): ${rep.credits} credit(s) ${money(rep.creditTotal)}`);
    if (st.omitted.length > 0) out.push(`  told to leave out the credit of: ${st.omitted.map((x) => `${x.terminalId} invoice ${x.invoice} (RRN ${x.rrn})`).join(', ')}`);
    if (st.note !== null) out.push(`  NOT CHECKED: ${st.note}`);
  }
  if (r.notes.length > 0) out.push('', 'NOTES', ...r.notes.map((n) => `  - ${n}`));
  return out.join('\n') + '\n';
}
