import { JournalFile, ReceiptCopies, type Receipt, type ReceiptCopy } from '../device/index.js';
import { defineCommand } from './command.js';
import { str, required } from './context.js';
import { resolve } from 'node:path';
import { UsageError } from './io.js';
import { DEFAULT_DATA_DIR, terminalOptions, type OptionTable } from './options.js';
import { emitReceipt, writeJson } from './output.js';

const { merchant: _m, ...terminalOnly } = terminalOptions;

const receiptOptions: OptionTable = {
  batch: { type: 'string', arg: 'N|current|all', help: 'which batch: a batch number, current, or all (default all)' },
  invoice: { type: 'string', arg: 'N', help: 'only this invoice number' },
  copy: { type: 'string', arg: 'WHICH', help: 'merchant, customer or both (default customer)' },
};

export const receiptsCommand = defineCommand({
  name: 'receipts',
  summary: "print or export the terminal's receipts (--json for reconciliation)",
  synopsis: '[--json] [options]',
  description: `Prints the receipts the terminal has printed, from its journal (no host needed), or with --json exports them as a
JSON array for reconciliation: terminal, merchant, batch, invoice, STAN, type, masked PAN, amount (minor units),
response, auth code, RRN, date and time.`,
  groups: [['Receipts', receiptOptions], ['Terminal', terminalOnly]],
  async action(values, io) {
    const terminalId = required(values, 'terminal');
    const copy = str(values, 'copy') ?? 'customer';
    if (copy !== 'both' && !(ReceiptCopies as readonly string[]).includes(copy)) throw new UsageError('--copy must be merchant, customer or both');
    const batchOpt = str(values, 'batch') ?? 'all';
    if (!/^(all|current|\d{1,6})$/.test(batchOpt)) throw new UsageError('--batch must be a batch number, current or all');
    const invoice = str(values, 'invoice');
    if (invoice !== undefined && !/^\d{1,6}$/.test(invoice)) throw new UsageError('--invoice must be up to 6 digits');
    // read-only: the journal is read without taking the terminal's lock
    const file = new JournalFile(resolve(io.cwd, str(values, 'data-dir') ?? DEFAULT_DATA_DIR), terminalId);
    const state = await file.read();
    if (state === undefined) throw new UsageError(`terminal ${terminalId} has no journal in ${file.dir}`);
    const batch = batchOpt === 'current' ? String(state.batch).padStart(6, '0') : batchOpt === 'all' ? undefined : batchOpt.padStart(6, '0');
    const receipts = state.receipts.filter(
      (r: Receipt) => (batch === undefined || r.batch === batch) && (invoice === undefined || r.invoice === invoice.padStart(6, '0')),
    );
    const name = str(values, 'merchant-name');
    const shown = name === undefined ? receipts : receipts.map((r) => ({ ...r, merchantName: name }));
    if (values.json === true) {
      writeJson(io, shown);
      return 0;
    }
    const copies: readonly ReceiptCopy[] = copy === 'both' ? ReceiptCopies : [copy as ReceiptCopy];
    const receiptsDir = str(values, 'receipts-dir');
    for (const r of shown) for (const f of emitReceipt(r, io, receiptsDir, copies)) io.stdout.write(`receipt: ${f}\n`);
    if (shown.length === 0) io.stdout.write('no receipts\n');
    return 0;
  },
});
