import type { Batch, Credit, JournalEntry, Receipt } from './types.js';

/**
 * Shape checks of the records handed in: they name the record and the field, never a value (receipts and credits
 * hold masked card numbers, and values do not belong in errors). Written field by field: they run a million times.
 */
function fail(what: string, field: string, must: string): never {
  throw new TypeError(`${what}: "${field}" must be ${must}`);
}

// the labels are made only when a check fails: these checks run a million times a day
function failEntry(j: JournalEntry, field: string, must: string): never {
  return fail(`journal entry ${j.id}`, field, must);
}

function failCredit(c: Credit, field: string, must: string): never {
  return fail(`credit ${c.reportId} line ${c.line}`, field, must);
}

const TEXT = 'a non-empty string';
const OPT_TEXT = 'a string or null';
const MINOR = 'a whole number of minor units, 0 or more';

function text(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0;
}

function optText(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}

function minor(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

export function checkReceipt(r: Receipt): void {
  const w = 'receipt';
  if (typeof r !== 'object' || r === null) throw new TypeError('receipt: must be an object');
  if (!text(r.terminalId)) fail(w, 'terminalId', TEXT);
  if (!text(r.merchantId)) fail(w, 'merchantId', TEXT);
  if (!text(r.batchNo)) fail(w, 'batchNo', TEXT);
  if (!text(r.stan)) fail(w, 'stan', TEXT);
  if (!text(r.localDate)) fail(w, 'localDate', TEXT);
  if (!text(r.currency)) fail(w, 'currency', TEXT);
  if (!optText(r.rrn)) fail(w, 'rrn', OPT_TEXT);
  if (!optText(r.authCode)) fail(w, 'authCode', OPT_TEXT);
  if (!optText(r.panMasked)) fail(w, 'panMasked', OPT_TEXT);
  if (!minor(r.amount)) fail(w, 'amount', MINOR);
  if (r.kind !== 'sale' && r.kind !== 'refund' && r.kind !== 'offline') fail(w, 'kind', 'sale | refund | offline');
  if (r.source !== undefined && r.source !== 'upload' && r.source !== 'advice' && r.source !== 'export') fail(w, 'source', 'upload | advice | export');
}

const STATES = new Set<string>(['forwarding', 'approved', 'declined', 'timed_out', 'not_sent', 'rejected']);
const REVERSALS = new Set<string>(['timeout', 'late', 'terminal', 'void', 'recovery', 'disconnected']);

export function checkEntry(j: JournalEntry): void {
  if (typeof j !== 'object' || j === null) throw new TypeError('journal entry: must be an object');
  if (!Number.isSafeInteger(j.id)) fail('journal entry', 'id', 'an integer');
  if (!text(j.terminalId)) failEntry(j, 'terminalId', TEXT);
  if (!text(j.merchantId)) failEntry(j, 'merchantId', TEXT);
  if (!text(j.batchNo)) failEntry(j, 'batchNo', TEXT);
  if (!text(j.stan)) failEntry(j, 'stan', TEXT);
  if (!text(j.localDate)) failEntry(j, 'localDate', TEXT);
  if (!text(j.mti)) failEntry(j, 'mti', TEXT);
  if (!text(j.procCode)) failEntry(j, 'procCode', TEXT);
  if (!text(j.rrn)) failEntry(j, 'rrn', TEXT);
  if (!text(j.currency)) failEntry(j, 'currency', TEXT);
  if (!STATES.has(j.state)) failEntry(j, 'state', [...STATES].join(' | '));
  if (!optText(j.authCode)) failEntry(j, 'authCode', OPT_TEXT);
  if (!optText(j.acquirerId)) failEntry(j, 'acquirerId', OPT_TEXT);
  if (!optText(j.responseCode)) failEntry(j, 'responseCode', OPT_TEXT);
  if (j.reversal !== null && !REVERSALS.has(j.reversal)) failEntry(j, 'reversal', `null or ${[...REVERSALS].join(' | ')}`);
  if (!minor(j.amount)) failEntry(j, 'amount', MINOR);
  if (typeof j.captured !== 'boolean') failEntry(j, 'captured', 'true or false');
  const rs = j.reversalState;
  if (rs !== null && rs !== 'pending' && rs !== 'done' && rs !== 'abandoned') failEntry(j, 'reversalState', 'null | pending | done | abandoned');
  if (!Number.isFinite(j.createdAt)) failEntry(j, 'createdAt', 'a timestamp (ms)');
  if (j.updatedAt !== undefined && !Number.isFinite(j.updatedAt)) failEntry(j, 'updatedAt', 'a timestamp (ms)');
}

export function checkCredit(c: Credit): void {
  if (typeof c !== 'object' || c === null) throw new TypeError('credit: must be an object');
  if (!text(c.reportId)) fail('credit', 'reportId', TEXT);
  if (!Number.isSafeInteger(c.line) || c.line < 1 || c.line > 100_000_000) fail(`credit ${c.reportId}`, 'line', 'a line number from 1 to 100000000');
  if (!text(c.acquirerId)) failCredit(c, 'acquirerId', TEXT);
  if (!text(c.settlementDate)) failCredit(c, 'settlementDate', TEXT);
  if (!text(c.merchantId)) failCredit(c, 'merchantId', TEXT);
  if (!text(c.currency)) failCredit(c, 'currency', TEXT);
  if (!optText(c.terminalId)) failCredit(c, 'terminalId', OPT_TEXT);
  if (!optText(c.rrn)) failCredit(c, 'rrn', OPT_TEXT);
  if (!optText(c.authCode)) failCredit(c, 'authCode', OPT_TEXT);
  if (!optText(c.panMasked)) failCredit(c, 'panMasked', OPT_TEXT);
  if (!optText(c.transactionDate)) failCredit(c, 'transactionDate', OPT_TEXT);
  if (!minor(c.amount)) failCredit(c, 'amount', MINOR);
  if (!Number.isSafeInteger(c.fee)) failCredit(c, 'fee', 'a whole number of minor units');
  if (!Number.isSafeInteger(c.net)) failCredit(c, 'net', 'a whole number of minor units');
  if (c.record !== 'CREDIT' && c.record !== 'DEBIT') failCredit(c, 'record', 'CREDIT | DEBIT');
}

const BATCH_STATUSES = new Set<string>(['open', 'balanced', 'balanced_after_upload', 'out_of_balance']);

export function checkBatch(b: Batch): void {
  if (typeof b !== 'object' || b === null) throw new TypeError('batch: must be an object');
  const w = 'batch';
  if (!text(b.terminalId)) fail(w, 'terminalId', TEXT);
  if (!text(b.batchNo)) fail(w, 'batchNo', TEXT);
  if (!text(b.merchantId)) fail(w, 'merchantId', TEXT);
  if (!BATCH_STATUSES.has(b.status)) fail(w, 'status', [...BATCH_STATUSES].join(' | '));
  if (!Number.isFinite(b.openedAt)) fail(w, 'openedAt', 'a timestamp (ms)');
  if (b.closedAt !== null && !Number.isFinite(b.closedAt)) fail(w, 'closedAt', 'null or a timestamp (ms)');
}

export function sameCredit(a: Credit, b: Credit): boolean {
  return (
    a.reportId === b.reportId && a.line === b.line && a.acquirerId === b.acquirerId && a.settlementDate === b.settlementDate &&
    a.merchantId === b.merchantId && (a.terminalId ?? null) === (b.terminalId ?? null) && (a.rrn ?? null) === (b.rrn ?? null) &&
    (a.authCode ?? null) === (b.authCode ?? null) && a.amount === b.amount && a.currency === b.currency && a.record === b.record &&
    a.fee === b.fee && a.net === b.net
  );
}
