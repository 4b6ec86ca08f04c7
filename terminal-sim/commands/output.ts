import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ReceiptCopies,
  receiptFileName,
  renderReceipt,
  type Housekeeping,
  type JournalEntry,
  type Outcome,
  type Receipt,
  type ReceiptCopy,
} from '../device/index.js';
import { ExitCodes, type CommandIo } from './io.js';

export function exitCodeOf(outcome: Outcome): number {
  return outcome === 'approved' ? ExitCodes.approved : outcome === 'declined' ? ExitCodes.declined : ExitCodes.noAnswer;
}

/** A journal entry for output: everything but the sealed card. */
export function publicEntry(e: JournalEntry): Omit<JournalEntry, 'card'> {
  const { card: _card, ...rest } = e;
  return rest;
}

export function publicHousekeeping(hk: Housekeeping): unknown {
  const brief = (r: { outcome: Outcome; mti: string; responseCode: string | null; entry: JournalEntry }) => ({
    outcome: r.outcome,
    mti: r.mti,
    responseCode: r.responseCode,
    stan: r.entry.stan,
    invoice: r.entry.invoice,
  });
  return {
    reversal: hk.reversal === null ? null : { ...brief(hk.reversal), cleared: hk.reversal.cleared },
    advices: hk.advices.map(brief),
    blocked: hk.blocked,
  };
}

/** Lines saying what went out before the transaction. */
export function describeHousekeeping(hk: Housekeeping): string[] {
  const lines: string[] = [];
  const r = hk.reversal;
  if (r !== null) {
    const what = r.outcome === 'no_answer' ? 'no answer, still pending' : `${r.responseCode}${r.cleared ? '' : ', still pending'}`;
    lines.push(`pending reversal ${r.mti} of invoice ${r.entry.invoice} (STAN ${r.entry.stan}) sent: ${what}`);
  }
  for (const a of hk.advices) {
    lines.push(`advice ${a.mti} of invoice ${a.entry.invoice} (STAN ${a.entry.stan}) sent: ${a.outcome === 'no_answer' ? 'no answer, still pending' : a.responseCode}`);
  }
  if (hk.blocked === 'unreachable') lines.push(`host unreachable${hk.error ? `: ${hk.error.message}` : ''}`);
  return lines;
}

/** Prints both copies of a receipt to stdout, or writes them under --receipts-dir and says where. */
export function emitReceipt(r: Receipt, io: CommandIo, receiptsDir: string | undefined, copies: readonly ReceiptCopy[] = ReceiptCopies): string[] {
  if (receiptsDir === undefined) {
    io.stdout.write(copies.map((c) => renderReceipt(r, c)).join('\n- - - - - - - - - - - - - - - -\n\n') + '\n');
    return [];
  }
  const dir = resolve(io.cwd, receiptsDir);
  mkdirSync(dir, { recursive: true });
  return copies.map((c) => {
    const path = join(dir, receiptFileName(r, c));
    writeFileSync(path, renderReceipt(r, c));
    return path;
  });
}

export function writeJson(io: CommandIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
