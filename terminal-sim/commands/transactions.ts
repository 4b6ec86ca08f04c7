import type { Terminal, TxResult } from '../device/index.js';
import { defineCommand, type Command } from './command.js';
import { codecFor } from '../../protocol/index.js';
import { ActionRequests, withFaults, type Action } from '../faults/index.js';
import { SerialTransport } from '../transport/index.js';
import { faultsOf, money, openTerminal, saleInputOf, serialFaultsOf, str } from './context.js';
import { ExitCodes, UsageError, type CommandIo } from './io.js';
import { cardOptions, faultOptions, linkOptions, offlineOptions, refOptions, terminalOptions, type OptionTable } from './options.js';
import { describeHousekeeping, emitReceipt, exitCodeOf, publicEntry, publicHousekeeping, writeJson } from './output.js';
import type { OptionValues } from './profiles.js';

/** Opens the terminal, runs `fn` (the command's `action`, with its --fault flags), closes the terminal whatever happens. */
export async function withTerminal<T>(values: OptionValues, io: CommandIo, action: Action, fn: (t: Terminal) => Promise<T>, online = true): Promise<T> {
  const faults = faultsOf(values);
  const lineFaults = serialFaultsOf(values);
  const { terminal: t, rig } = await openTerminal(values, io, online);
  const serial = rig.transport?.inner instanceof SerialTransport ? rig.transport.inner : undefined;
  if (serial !== undefined) {
    // the line faults hit the action's own request, as the wire faults do
    const codec = codecFor(serial.link.spec);
    const isRequest = ActionRequests[action];
    serial.arm(lineFaults, (payload) => {
      try {
        return isRequest(codec.decode(payload));
      } catch {
        return false;
      }
    });
  }
  try {
    return await withFaults(t, rig, action, faults, () => fn(t));
  } finally {
    serial?.disarm();
    await t.close();
  }
}

/** Prints a transaction's outcome (receipts, or JSON) and returns its exit code. */
export function report(command: string, t: Terminal, result: TxResult, values: OptionValues, io: CommandIo): number {
  const exitCode = exitCodeOf(result.outcome);
  const receiptsDir = str(values, 'receipts-dir');
  const json = values.json === true;
  const lines = json ? [] : describeHousekeeping(result.housekeeping);
  if (lines.length > 0) io.stdout.write(lines.join('\n') + '\n');
  lines.length = 0;
  const files = result.receipt !== null && (!json || receiptsDir !== undefined) ? emitReceipt(result.receipt, io, receiptsDir) : [];
  if (json) {
    writeJson(io, {
      command,
      terminalId: t.terminalId,
      outcome: result.outcome,
      exitCode,
      responseCode: result.responseCode,
      responseText: result.responseText,
      offline: result.offline,
      reversalPending: result.reversalPending,
      receipt: result.receipt,
      receiptFiles: files,
      entry: result.entry === null ? null : publicEntry(result.entry),
      housekeeping: publicHousekeeping(result.housekeeping),
    });
    return exitCode;
  }
  const e = result.entry;
  if (result.outcome === 'no_answer') {
    if (e === null) lines.push(`NOT SENT: ${result.responseText.toLowerCase()}; the host must answer it first`);
    else if (e.advice?.pending === true) lines.push(`NO ANSWER: the advice for invoice ${e.invoice} is stored and will be sent before the next transaction`);
    else lines.push(`NO ANSWER: reversal saved for invoice ${e.invoice} (STAN ${e.stan}); it goes out before the next transaction`);
  } else {
    const parts = [`${result.outcome === 'approved' ? '' : 'DECLINED: '}${result.responseText} (${result.responseCode})`];
    if (e?.authCode && result.outcome === 'approved') parts.push(`auth ${e.authCode}`);
    if (e?.rrn) parts.push(`RRN ${e.rrn}`);
    if (e) parts.push(`invoice ${e.invoice}`, `batch ${e.batch}`);
    lines.push(parts.join('  '));
    for (const f of files) lines.push(`receipt: ${f}`);
  }
  io.stdout.write(lines.join('\n') + '\n');
  return exitCode;
}

const terminalGroup: [string, OptionTable] = ['Terminal', terminalOptions];
const linkGroup: [string, OptionTable] = ['Link', linkOptions];
const faultGroup: [string, OptionTable] = ['Faults', faultOptions];

const REVERSAL_NOTE = `Before anything else the terminal sends a reversal it saved earlier (a transaction that got no answer) and
offline advices not yet delivered, as real terminals do.`;

function cardCommand(kind: 'purchase' | 'refund' | 'preauth', summary: string, description: string, extra: OptionTable = {}): Command {
  return defineCommand({
    name: kind,
    summary,
    synopsis: '--amount MONEY [options]',
    description,
    groups: [['Transaction', { ...cardOptions, ...extra }], terminalGroup, linkGroup, faultGroup],
    notes: REVERSAL_NOTE,
    async action(values, io) {
      const amount = money(values, 'amount');
      if (amount === undefined) throw new UsageError('option "--amount" is required');
      const input = saleInputOf(values, amount);
      return withTerminal(values, io, kind, async (t) => report(kind, t, await t[kind](input), values, io));
    },
  });
}

export const purchaseCommand = cardCommand(
  'purchase',
  'a sale (0200, processing code 000000); offline below the floor limit',
  `A sale: 0200 with processing code 000000, the card as read (track 2, chip data in field 55, a PIN block with
--pin). The reversal is saved in the journal before the request goes out. When the host cannot be reached (or
with --offline) a purchase below --floor-limit is approved by the terminal with its own auth code and sent later
as an 0220 advice.`,
  offlineOptions,
);

export const refundCommand = cardCommand('refund', 'a refund to the card (0200, processing code 200000)', 'A refund: 0200 with processing code 200000. Refunds are always online.');

export const preauthCommand = cardCommand(
  'preauth',
  'a pre-authorization: funds held, not captured (0100)',
  'A pre-authorization: 0100, funds held on the card, not in the batch until completed ("terminal-sim complete").',
);

export const voidCommand = defineCommand({
  name: 'void',
  summary: 'void a sale or refund of the open batch by invoice or RRN (0200, 020000)',
  synopsis: '(--invoice N | --rrn RRN) [options]',
  description: `Voids an approved sale or refund of the open batch: 0200 with processing code 020000 and the original's amount,
naming it by RRN (field 37) with --rrn, or by invoice (field 62) with --invoice.`,
  groups: [['Transaction', refOptions], terminalGroup, linkGroup, faultGroup],
  notes: REVERSAL_NOTE,
  async action(values, io) {
    const ref = refOf(values);
    return withTerminal(values, io, 'void', async (t) => report('void', t, await t.void(ref), values, io));
  },
});

export const completeCommand = defineCommand({
  name: 'complete',
  summary: 'complete a pre-authorization (0220 advice, 37 = the pre-auth RRN)',
  synopsis: '(--invoice N | --rrn RRN) [--amount MONEY] [options]',
  description: `Completes an approved pre-authorization: an 0220 advice with field 37 = the pre-auth's RRN and 38 = its auth code,
for --amount (default: the amount held). It joins the batch at once; if the host does not answer, the advice is
resent (0221) before the next transaction.`,
  groups: [['Transaction', { ...refOptions, amount: { type: 'string', arg: 'MONEY', help: 'amount to capture (default: the amount held)' } }], terminalGroup, linkGroup, faultGroup],
  async action(values, io) {
    const ref = refOf(values);
    const amount = money(values, 'amount');
    return withTerminal(values, io, 'complete', async (t) => report('complete', t, await t.complete(ref, amount), values, io));
  },
});

export const reverseCommand = defineCommand({
  name: 'reverse',
  summary: 'send the pending reversal, or reverse a transaction (0400, repeats 0401)',
  synopsis: '[--invoice N | --rrn RRN | --last] [options]',
  description: `Without options: sends the reversal the terminal holds (0400, then 0401 on repeats), if any. With --invoice,
--rrn or --last: reverses that online authorization (the last one still standing with --last), saving the
reversal in the journal first.`,
  groups: [['Transaction', { ...refOptions, last: { type: 'boolean', help: 'the last online authorization still standing' } }], terminalGroup, linkGroup, faultGroup],
  async action(values, io) {
    const ref = { ...optionalRef(values), last: values.last === true };
    return withTerminal(values, io, 'reverse', async (t) => {
      const r = await t.reverse(ref);
      if (r === null) {
        if (values.json === true) writeJson(io, { command: 'reverse', terminalId: t.terminalId, outcome: 'nothing', exitCode: 0 });
        else io.stdout.write('no pending reversal (name one with --invoice, --rrn or --last)\n');
        return ExitCodes.approved;
      }
      const exitCode = exitCodeOf(r.outcome);
      if (values.json === true) {
        writeJson(io, {
          command: 'reverse',
          terminalId: t.terminalId,
          outcome: r.outcome,
          exitCode,
          mti: r.mti,
          responseCode: r.responseCode,
          cleared: r.cleared,
          entry: publicEntry(r.entry),
        });
      } else {
        const what = r.outcome === 'no_answer' ? 'NO ANSWER: the reversal stays pending' : `${r.responseCode} ${r.cleared ? (r.responseCode === '00' ? 'REVERSED' : 'CLEARED (host does not hold it)') : 'REFUSED, still pending'}`;
        io.stdout.write(`reversal ${r.mti} of invoice ${r.entry.invoice} (STAN ${r.entry.stan}, ${r.entry.amount} minor units): ${what}\n`);
      }
      return exitCode;
    });
  },
});

function optionalRef(values: OptionValues): { invoice?: string; rrn?: string } {
  const invoice = str(values, 'invoice');
  const rrn = str(values, 'rrn');
  if (invoice !== undefined && rrn !== undefined) throw new UsageError('give --invoice or --rrn, not both');
  if (invoice !== undefined && !/^\d{1,6}$/.test(invoice)) throw new UsageError('--invoice must be up to 6 digits');
  if (rrn !== undefined && !/^[ -~]{1,12}$/.test(rrn)) throw new UsageError('--rrn must be up to 12 characters');
  return invoice !== undefined ? { invoice } : rrn !== undefined ? { rrn } : {};
}

function refOf(values: OptionValues): { invoice?: string; rrn?: string } {
  const ref = optionalRef(values);
  if (ref.invoice === undefined && ref.rrn === undefined) throw new UsageError('name the transaction with --invoice or --rrn');
  return ref;
}

