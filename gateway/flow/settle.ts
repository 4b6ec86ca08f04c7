import type { IsoMessage } from '../../protocol/index.js';
import { cardFacts } from '../card.js';
import { batchClosedEvent } from '../feed/events.js';
import { RC } from '../responses.js';
import type { BatchStatus, Totals } from '../store/types.js';
import { batchId } from './batch-gate.js';
import type { FlowContext, Handler } from './context.js';
import { reply, text } from './reply.js';
import { checkTerminal, missingField } from './terminal-check.js';

/** Field 3 of an 0500: the settlement request with totals, and the trailer after a batch upload. */
const SettlementCodes = { REQUEST: '92', TRAILER: '96' } as const;

/** Field 44 texts of settlement replies, as terminals print them (25 characters at most). */
const Texts = {
  accepted: 'GB ACCEPTED',
  different: 'RB COUNTS/AMOUNTS DIFFER',
  closed: 'BATCH ALREADY CLOSED',
  uploadAccepted: 'GB ACCEPTED AFTER UPLOAD',
  outOfBalance: 'OUT OF BALANCE',
} as const;

/** Field 63 totals: sale count (3), sale amount (12), refund count (3), refund amount (12). */
export function parseTotals(s: string | undefined): Totals | undefined {
  if (s === undefined || !/^\d{30}/.test(s)) return undefined;
  return { saleCount: +s.slice(0, 3), saleAmount: +s.slice(3, 15), refundCount: +s.slice(15, 18), refundAmount: +s.slice(18, 30) };
}

export function formatTotals(t: Totals): string {
  const n = (v: number, w: number): string => String(v).padStart(w, '0');
  return n(t.saleCount, 3) + n(t.saleAmount, 12) + n(t.refundCount, 3) + n(t.refundAmount, 12);
}

function sameTotals(a: Totals, b: Totals): boolean {
  return a.saleCount === b.saleCount && a.saleAmount === b.saleAmount && a.refundCount === b.refundCount && a.refundAmount === b.refundAmount;
}

/**
 * 0500: with 920000 the terminal sends its batch totals; 00 closes the batch when they match the journal, 95 asks for
 * the batch upload. With 960000 (the trailer, after the upload) the batch closes with its final status. A batch
 * already closed gets 80.
 */
export const settle: Handler = async (req, ctx) => {
  if (missingField(req, [3, 11, 41, 42, 60]) !== undefined) return reply(req, RC.FORMAT_ERROR);
  const check = checkTerminal(req, ctx);
  if (!check.ok) return reply(req, check.rc);
  const terminalId = check.terminal.id;
  const batchNo = text(req, 60)!.slice(0, 6);
  const code = text(req, 3)!.slice(0, 2);
  const totals = parseTotals(text(req, 63));
  if (totals === undefined || (code !== SettlementCodes.REQUEST && code !== SettlementCodes.TRAILER)) {
    return reply(req, RC.FORMAT_ERROR);
  }
  // the batch's requests in progress finish first (their outcomes belong in the totals); new ones wait for the answer
  const release = await ctx.batches.settle(batchId(terminalId, batchNo));
  try {
    return await settleBatch(req, ctx, terminalId, batchNo, code, totals, check.merchant.id);
  } finally {
    release();
  }
};

async function settleBatch(req: IsoMessage, ctx: FlowContext, terminalId: string, batchNo: string, code: string, totals: Totals, merchantId: string): Promise<IsoMessage> {
  const now = ctx.clock.now();
  const batch = (await ctx.store.getBatch(terminalId, batchNo)) ?? (await ctx.store.openBatch(terminalId, batchNo, merchantId, now));
  if (batch.status !== 'open') {
    // the terminal resending the 0500 whose reply it lost gets that reply again
    if (batch.closedByStan === text(req, 11)) return closedReply(req, batch.status, batch.uploadTotals ?? (await ctx.store.journalTotals(terminalId, batchNo)));
    return reply(req, RC.BAD_BATCH, { 44: Texts.closed });
  }

  if (code === SettlementCodes.REQUEST) {
    await ctx.store.setTerminalTotals(terminalId, batchNo, totals);
    const journal = await ctx.store.journalTotals(terminalId, batchNo);
    if (!sameTotals(journal, totals)) {
      ctx.logger.info({ terminal: terminalId, batch: batchNo }, 'settlement totals differ: batch upload requested');
      return reply(req, RC.RECONCILE_ERROR, { 44: Texts.different, 63: formatTotals(journal) });
    }
    await close(ctx, terminalId, batchNo, 'balanced', now, text(req, 11)!, { merchantId: batch.merchantId, terminal: totals, host: journal });
    return closedReply(req, 'balanced', journal);
  }

  // the trailer: the upload stands for the terminal's batch; it balances when it adds up to the terminal's totals
  const uploaded = await ctx.store.uploadTotals(terminalId, batchNo);
  const status: BatchStatus = sameTotals(uploaded, totals) ? 'balanced_after_upload' : 'out_of_balance';
  const host = await ctx.store.journalTotals(terminalId, batchNo);
  await close(ctx, terminalId, batchNo, status, now, text(req, 11)!, { merchantId: batch.merchantId, terminal: totals, host });
  return closedReply(req, status, uploaded);
}

function closedReply(req: Parameters<typeof reply>[0], status: BatchStatus, totals: Totals): ReturnType<typeof reply> {
  const words = status === 'balanced' ? Texts.accepted : status === 'out_of_balance' ? Texts.outOfBalance : Texts.uploadAccepted;
  return reply(req, RC.APPROVED, { 44: words, 63: formatTotals(totals) });
}

/** The batch's three totals, for its `batch.closed` feed event (journaled in the close's commit). */
interface CloseFacts {
  merchantId: string;
  terminal: Totals;
  host: Totals;
}

async function close(ctx: FlowContext, terminalId: string, batchNo: string, status: BatchStatus, at: number, stan: string, facts: CloseFacts): Promise<void> {
  const id = batchId(terminalId, batchNo);
  ctx.openBatches.delete(id);
  ctx.closedBatches.add(id);
  if (ctx.feed !== undefined) void ctx.feed.publish([batchClosedEvent({ ...facts, terminalId, batchNo, status, funded: ctx.feed.funded(terminalId, batchNo) }, at)]);
  await ctx.store.closeBatch(terminalId, batchNo, status, at, stan);
  ctx.metrics.batchesClosed.inc({ status });
  ctx.logger.info({ terminal: terminalId, batch: batchNo, status }, 'batch closed');
}

/**
 * 0320, one per captured transaction after a 95: field 60 holds the original MTI (4), original STAN (6) and batch
 * number (6). Every upload is kept as the terminal's receipt, matched or not: an upload of something the gateway
 * never authorized is exactly what reconciliation must see.
 */
export const upload: Handler = async (req, ctx) => {
  if (missingField(req, [3, 4, 11, 41, 42, 60]) !== undefined) return reply(req, RC.FORMAT_ERROR);
  const check = checkTerminal(req, ctx);
  if (!check.ok) return reply(req, check.rc);
  const f60 = text(req, 60)!;
  if (!/^\d{16}/.test(f60)) return reply(req, RC.FORMAT_ERROR);
  const terminalId = check.terminal.id;
  const batchNo = f60.slice(10, 16);
  // a trailer waits for the uploads in progress; an upload waits for a settlement already running
  return ctx.batches.within(batchId(terminalId, batchNo), () => uploadReceipt(req, ctx, terminalId, f60, check.merchant.id));
};

/** Field 60 of an upload: the original's MTI (4) and STAN (6), then the batch number (6). */
async function uploadReceipt(req: IsoMessage, ctx: FlowContext, terminalId: string, f60: string, merchantId: string): Promise<IsoMessage> {
  const originalMti = f60.slice(0, 4);
  const originalStan = f60.slice(4, 10);
  const batchNo = f60.slice(10, 16);
  const batch = await ctx.store.getBatch(terminalId, batchNo);
  if (batch !== undefined && batch.status !== 'open') return reply(req, RC.BAD_BATCH);
  const now = ctx.clock.now();
  if (batch === undefined) await ctx.store.openBatch(terminalId, batchNo, merchantId, now);
  const localDate = text(req, 13) ?? null;
  const matched =
    localDate === null
      ? undefined
      : await ctx.store.findTransaction({ terminalId, batchNo, stan: originalStan, localDate, mtiClass: originalMti.slice(0, 3) });
  const card = cardFacts(req.fields, ctx.panKey);
  await ctx.store.addUpload({
    terminalId,
    merchantId,
    batchNo,
    originalMti,
    originalStan,
    procCode: text(req, 3)!,
    amount: Number(text(req, 4)),
    currency: text(req, 49) ?? '000',
    rrn: text(req, 37) ?? null,
    authCode: text(req, 38) ?? null,
    panHash: card.panHash,
    panMasked: card.panMasked,
    localDate,
    localTime: text(req, 12) ?? null,
    invoice: text(req, 62) ?? null,
    matchedTxId: matched?.id ?? null,
    createdAt: now,
  });
  if (matched === undefined) ctx.logger.warn({ terminal: terminalId, batch: batchNo, stan: originalStan }, 'uploaded receipt matches no journaled transaction');
  return reply(req, RC.APPROVED);
}
