import { exponentOf, formatAmount, type SettlementResult, type Totals } from '../device/index.js';
import { defineCommand } from './command.js';
import { currencyOf } from './context.js';
import { faultOptions, linkOptions, terminalOptions } from './options.js';
import { describeHousekeeping, exitCodeOf, publicHousekeeping, writeJson } from './output.js';
import { withTerminal } from './transactions.js';

export const settleCommand = defineCommand({
  name: 'settle',
  summary: 'settle the open batch (0500/920000; on 95 the 0320 upload and 0500/960000)',
  synopsis: '[options]',
  description: `Settles the open batch: pending reversal and advices first, then 0500 with processing code 920000 and the batch
totals in field 63 (sale count and amount, refund count and amount). On 95 (totals differ) it uploads every captured,
non-reversed transaction (0320) and sends the 0500/960000 trailer. The batch number advances only when the host
answers 00.`,
  groups: [['Terminal', terminalOptions], ['Link', linkOptions], ['Faults', faultOptions]],
  async action(values, io) {
    return withTerminal(values, io, 'settle', async (t) => {
      const r = await t.settle();
      const exitCode = exitCodeOf(r.outcome);
      if (values.json === true) {
        writeJson(io, { command: 'settle', terminalId: t.terminalId, exitCode, ...r, housekeeping: publicHousekeeping(r.housekeeping) });
      } else {
        io.stdout.write(settlementReport(t.terminalId, r, exponentOf(currencyOf(values))));
      }
      return exitCode;
    });
  },
});

function settlementReport(terminalId: string, r: SettlementResult, exponent: number): string {
  const money = (n: number): string => formatAmount(n, exponent);
  const row = (label: string, t: Totals | null): string =>
    t === null
      ? ''
      : `  ${label.padEnd(9)} sales ${String(t.saleCount).padStart(3)} ${money(t.saleAmount).padStart(12)}   refunds ${String(t.refundCount).padStart(3)} ${money(t.refundAmount).padStart(12)}\n`;
  const lines = describeHousekeeping(r.housekeeping).map((l) => l + '\n');
  lines.push(`SETTLEMENT terminal ${terminalId} batch ${r.batch}\n`, row('terminal', r.totals), row('host', r.hostTotals));
  if (r.uploaded > 0) lines.push(`  batch upload: ${r.uploaded} transaction(s) sent (0320)\n`);
  const status = r.closed ? `BATCH CLOSED, next batch ${r.nextBatch}` : r.outcome === 'no_answer' ? 'NO ANSWER: batch still open' : 'NOT ACCEPTED: batch still open';
  lines.push(`  ${r.responseCode ?? '--'} ${r.responseText}: ${status}\n`);
  return lines.join('');
}
