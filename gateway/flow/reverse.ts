import type { IsoMessage } from '../../protocol/index.js';
import { publishReversal } from '../feed/sources.js';
import { RC } from '../responses.js';
import type { TxRecord } from '../store/types.js';
import { batchId, batchOf } from './batch-gate.js';
import type { FlowContext, Handler } from './context.js';
import { reply, text } from './reply.js';
import { checkTerminal, missingField } from './terminal-check.js';

const REQUIRED = [3, 4, 11, 13, 41, 42] as const;

/**
 * 0400 / 0401 from a terminal: it names its original by the same terminal, batch, STAN and local date. Idempotent:
 * a repeat, or a reversal of something already reversed or never approved, answers 00 and changes nothing; an unknown
 * original answers 25. An approved original is uncaptured and its reversal goes to the acquirer through the
 * store-and-forward queue.
 */
export const reverse: Handler = async (req, ctx) => {
  if (missingField(req, REQUIRED) !== undefined) return reply(req, RC.FORMAT_ERROR);
  const check = checkTerminal(req, ctx);
  if (!check.ok) return reply(req, check.rc);
  // a reversal takes its original out of the batch: a settlement waits for it, and it for a settlement running
  return ctx.batches.within(batchId(check.terminal.id, batchOf(req)), () => reverseOriginal(req, ctx, check.terminal.id));
};

async function reverseOriginal(req: IsoMessage, ctx: FlowContext, terminalId: string): Promise<IsoMessage> {
  const original = await findOriginal(req, ctx, terminalId);
  if (original === undefined) return reply(req, RC.ORIGINAL_NOT_FOUND);
  if (original.reversal === null && original.acquirerId !== null && (original.state === 'approved' || original.state === 'forwarding')) {
    const now = ctx.clock.now();
    // reversing an approved void puts its sale back into the batch
    const voided = original.procCode.startsWith('02') && original.state === 'approved' && original.originalId !== null;
    publishReversal(ctx.feed, original, 'terminal', now);
    await Promise.all([
      ctx.store.queueReversal(original.id, original.acquirerId, 'terminal', now),
      voided ? ctx.store.setCaptured(original.originalId!, true, now) : undefined,
    ]);
    ctx.wakeSaf(original.acquirerId);
    ctx.logger.info({ terminal: original.terminalId, stan: original.stan, rrn: original.rrn }, 'terminal reversal queued');
  }
  return reply(req, RC.APPROVED, { 37: original.rrn });
}

async function findOriginal(req: IsoMessage, ctx: FlowContext, terminalId: string): Promise<TxRecord | undefined> {
  const key = { terminalId, batchNo: batchOf(req), stan: text(req, 11)!, localDate: text(req, 13)! };
  // the original is a financial request, or a pre-authorization
  return (await ctx.store.findTransaction({ ...key, mtiClass: '020' })) ?? ctx.store.findTransaction({ ...key, mtiClass: '010' });
}
