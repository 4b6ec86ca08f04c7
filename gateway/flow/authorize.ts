import crypto from 'node:crypto';
import { builtinSpecs, parseHex, type IsoMessage } from '../../protocol/index.js';
import { isLinkError, transmissionDateTime } from '../acquirer/index.js';
import { cardFacts, panOf } from '../card.js';
import { publishOutcome } from '../feed/sources.js';
import { isApproval, RC } from '../responses.js';
import { BrokenCircuitError } from '../routing/breaker.js';
import type { Route } from '../routing/router.js';
import { DuplicateKeyError, type TxKey, type TxRecord } from '../store/types.js';
import { batchId, batchOf } from './batch-gate.js';
import type { FlowContext, Handler, InFlight } from './context.js';
import { reply, text } from './reply.js';
import { checkTerminal, missingField } from './terminal-check.js';
import { hostRequest } from './upstream.js';

/** Processing codes (field 3, first two digits). */
const Proc = { PURCHASE: '00', VOID: '02', REFUND: '20' } as const;

const REQUIRED = [3, 4, 11, 12, 13, 41, 42] as const;

/** Host fields that iso87ascii packs as binary (hex characters): values for them stay bytes. */
const HOST_BINARY = new Set(
  Object.entries(builtinSpecs.iso87ascii.fields)
    .filter(([, f]) => f.class === 'b')
    .map(([n]) => Number(n)),
);

export function txKeyString(k: TxKey): string {
  return `${k.terminalId}|${k.batchNo}|${k.stan}|${k.localDate}|${k.mtiClass}`;
}

/** SHA-256 in hex: the one-shot crypto.hash where Node has it (20.12 on), else a Hash object; the same digest. */
const sha256Hex: (data: string) => string =
  typeof crypto.hash === 'function' ? (data) => crypto.hash('sha256', data) : (data) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * What makes two requests under one key the same request: the same answer for both, or 94 for the second. Journaled:
 * the digest must not change, or a repeat of a request journaled before would get 94.
 */
export function fingerprintOf(req: IsoMessage, panHash: string | null): string {
  const t = (n: number): string => text(req, n) ?? '';
  return sha256Hex(`${req.mti.slice(0, 3)}|${t(3)}|${t(4)}|${t(49)}|${panHash ?? ''}|${t(62)}|${t(38)}|${t(37)}`).slice(0, 32);
}

/** The answer a terminal got (or gets again, for a duplicate) for a journaled transaction. */
function answer(req: IsoMessage, tx: Pick<TxRecord, 'responseCode' | 'rrn' | 'authCode'>, issuerData?: Buffer): IsoMessage {
  const rc = tx.responseCode ?? RC.SYSTEM_MALFUNCTION;
  return reply(req, rc, { 37: tx.rrn, 38: isApproval(rc) ? (tx.authCode ?? undefined) : undefined, 55: issuerData });
}

/** The first acquirer of a route not tried yet that takes new work now (any, for a request bound to its original's). */
function pickAcquirer(route: Route, tried: readonly string[], bound: boolean, ctx: FlowContext): string | undefined {
  for (const id of route.acquirers) if (!tried.includes(id) && (bound || ctx.gates.get(id)?.available())) return id;
  return undefined;
}

/** Issuer authentication data and scripts (field 55 of the reply) go back to a chip terminal; iso87ascii carries them as hex. */
function issuerDataOf(hostReply: IsoMessage): Buffer | undefined {
  const v = hostReply.fields[55];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return v;
  const bytes = parseHex(v);
  return typeof bytes === 'number' ? undefined : bytes;
}

/**
 * 0100 pre-authorization, 0200 purchase / refund / void, 0220 advice (offline sale, completion). The flow for each:
 * check the terminal, catch duplicates, journal, forward, journal the reply, answer.
 */
export const authorize: Handler = async (req, ctx) => {
  const missing = missingField(req, REQUIRED);
  if (missing !== undefined) return reply(req, RC.FORMAT_ERROR);
  const check = checkTerminal(req, ctx);
  if (!check.ok) return reply(req, check.rc);
  const batchNo = batchOf(req);
  const batch = batchId(check.terminal.id, batchNo);
  // a settlement of the batch waits for this request; this request waits for a settlement already running
  return ctx.batches.within(batch, () => admitted(req, ctx, check.terminal.id, batchNo, batch, check.merchant.id));
};

/** A request counted in its batch: a duplicate answered from the journal or the request in progress, else relayed. */
async function admitted(req: IsoMessage, ctx: FlowContext, terminalId: string, batchNo: string, batch: string, merchantId: string): Promise<IsoMessage> {
  const proc = text(req, 3)!;
  // 0200 and its repeat 0201 share a class; an 0220 advice is a class of its own
  const mtiClass = req.mti.slice(0, 3);
  const key: TxKey = {
    terminalId,
    batchNo,
    stan: text(req, 11)!,
    localDate: text(req, 13)!,
    mtiClass,
  };
  const card = cardFacts(req.fields, ctx.panKey);
  const fingerprint = fingerprintOf(req, card.panHash);
  const keyString = txKeyString(key);

  // a duplicate of a request still in progress waits for it, and gets the same answer
  const running = ctx.inflight.get(keyString);
  if (running !== undefined) {
    if (running.fingerprint !== fingerprint) return reply(req, RC.DUPLICATE);
    ctx.metrics.duplicates.inc();
    return (await running.done) ?? reply(req, RC.SYSTEM_MALFUNCTION);
  }
  let settle!: (response: IsoMessage | undefined) => void;
  const entry: InFlight = { fingerprint, done: new Promise((resolve) => (settle = resolve)) };
  ctx.inflight.set(keyString, entry);
  let response: IsoMessage | undefined;
  try {
    const batchOpen = batchIsOpen(ctx, batch, key, merchantId);
    const open = typeof batchOpen === 'boolean' ? batchOpen : await batchOpen;
    // most requests are new: the journal's unique key catches a duplicate at the insert, and only then is it read; a
    // request whose answer depends on other records (a void's or a completion's original, a closed batch) reads first
    const existing = !open || needsOriginal(req, proc.slice(0, 2)) ? await ctx.store.findTransaction(key) : undefined;
    if (existing !== undefined) response = duplicate(req, existing, fingerprint, ctx);
    // a batch the journal has closed takes no more: the terminal did not advance its batch number
    else if (!open) response = reply(req, RC.BAD_BATCH);
    else response = await relay(req, ctx, key, card, fingerprint, proc, merchantId);
    return response;
  } catch (e) {
    if (!(e instanceof DuplicateKeyError)) throw e;
    const existing = await ctx.store.findTransaction(key);
    if (existing === undefined) throw e;
    response = duplicate(req, existing, fingerprint, ctx);
    return response;
  } finally {
    ctx.inflight.delete(keyString);
    settle(response);
  }
}

const needsOriginal = (req: IsoMessage, kind: string): boolean => kind === Proc.VOID || (req.mti.startsWith('022') && text(req, 37) !== undefined);

/** A repeat of a journaled request: its first answer again, or 94 when its content differs. */
function duplicate(req: IsoMessage, existing: TxRecord, fingerprint: string, ctx: FlowContext): IsoMessage {
  ctx.metrics.duplicates.inc();
  return existing.fingerprint === fingerprint ? answer(req, existing) : reply(req, RC.DUPLICATE);
}

async function relay(
  req: IsoMessage,
  ctx: FlowContext,
  key: TxKey,
  card: { panHash: string | null; panMasked: string | null },
  fingerprint: string,
  proc: string,
  merchantId: string,
): Promise<IsoMessage> {
  const kind = proc.slice(0, 2);
  // a void names its sale by RRN (37) or invoice (62); a completion its pre-authorization by RRN
  let original: TxRecord | undefined;
  if (needsOriginal(req, kind)) {
    original = await findOriginal(req, ctx, key);
    if (kind === Proc.VOID) {
      if (original === undefined) return reply(req, RC.ORIGINAL_NOT_FOUND);
      // only a captured sale or refund can be voided: not a pre-authorization, not one voided or reversed already
      if (!original.captured || original.mti !== '0200') return reply(req, RC.INVALID_TRANSACTION);
      if (original.amount !== Number(text(req, 4))) return reply(req, RC.INVALID_AMOUNT);
    }
  }
  // reversals, voids and completions stay with the acquirer that holds the original; new authorizations are routed
  const route = original?.acquirerId
    ? { rule: 'original', acquirers: [original.acquirerId] }
    : ctx.router.route({ pan: panOf(req.fields), merchantId, terminalId: key.terminalId, amount: Number(text(req, 4)) });
  const bound = original?.acquirerId !== undefined && original.acquirerId !== null;
  const tried: string[] = [];
  let acquirerId = pickAcquirer(route, tried, bound, ctx) ?? route.acquirers[0];
  tried.push(acquirerId);
  let gate = ctx.gates.get(acquirerId)!;
  const now = ctx.clock.now();
  let ids = { stan: gate.link.nextStan(), rrn: ctx.rrn.next(), transmittedAt: transmissionDateTime(now) };
  const tx = await ctx.store.insertTransaction({
    merchantId,
    mti: req.mti.slice(0, 3) + '0',
    procCode: proc,
    localTime: text(req, 12)!,
    invoice: text(req, 62) ?? null,
    amount: Number(text(req, 4)),
    currency: text(req, 49) ?? '000',
    panHash: card.panHash,
    panMasked: card.panMasked,
    entryMode: text(req, 22) ?? null,
    fingerprint,
    acquirerId,
    route: `${route.rule}: ${tried.join('>')}`,
    upstreamStan: ids.stan,
    rrn: ids.rrn,
    transmittedAt: ids.transmittedAt,
    state: 'forwarding',
    responseCode: null,
    authCode: text(req, 38) ?? null,
    captured: false,
    originalId: original?.id ?? null,
    createdAt: now,
    // spread last: on Node 20 properties added after a spread make this literal about a hundred times slower
    ...key,
  });

  let started = performance.now();
  let hostReply: IsoMessage;
  for (;;) {
    const acquirer = gate.config;
    const send = (): Promise<IsoMessage> => gate.link.request(hostRequest(req, ids, acquirer, HOST_BINARY, original), { deadlineMs: acquirer.deadlineMs });
    try {
      started = performance.now();
      hostReply = await (bound ? send() : gate.run(send));
      ctx.metrics.routedBy.of(acquirerId, tried.length > 1 ? 'yes' : 'no').inc();
      break;
    } catch (e) {
      const sent = !(isLinkError(e) && !e.sent) && !(e instanceof BrokenCircuitError);
      const at = ctx.clock.now();
      if (!sent) {
        // the acquirer never saw it: it may go to the next acquirer of its route under the same RRN
        const next = bound ? undefined : pickAcquirer(route, tried, bound, ctx);
        if (next !== undefined) {
          acquirerId = next;
          tried.push(next);
          gate = ctx.gates.get(next)!;
          ids = { ...ids, stan: gate.link.nextStan(), transmittedAt: transmissionDateTime(at) };
          await ctx.store.reassign(tx.id, next, ids.stan, ids.transmittedAt, `${route.rule}: ${tried.join('>')}`, at);
          continue;
        }
        publishOutcome(ctx.feed, tx, { acquirerId, responseCode: RC.ISSUER_UNAVAILABLE, authCode: null, originalRrn: original?.rrn }, at);
        await ctx.store.recordOutcome(tx.id, { state: 'not_sent', responseCode: RC.ISSUER_UNAVAILABLE, at });
      } else {
        // outcome unknown: answer 91 at once and queue the reversal at this acquirer; never re-send elsewhere
        ctx.metrics.upstreamTimeouts.inc({ acquirer: acquirerId });
        publishOutcome(ctx.feed, tx, { acquirerId, responseCode: RC.ISSUER_UNAVAILABLE, authCode: null, originalRrn: original?.rrn, reversal: 'timeout' }, at);
        await Promise.all([
          ctx.store.recordOutcome(tx.id, { state: 'timed_out', responseCode: RC.ISSUER_UNAVAILABLE, at }),
          ctx.store.queueReversal(tx.id, acquirerId, 'timeout', at),
        ]);
        ctx.wakeSaf(acquirerId);
      }
      ctx.logger.warn({ terminal: key.terminalId, stan: key.stan, rrn: ids.rrn, acquirer: acquirerId, route: tried.join('>'), error: isLinkError(e) ? e.code : String(e) }, 'upstream failed');
      ctx.alerts?.record({ merchantId, acquirerId, approved: false, timedOut: true, latencyMs: null, at });
      return answer(req, { rrn: tx.rrn, responseCode: RC.ISSUER_UNAVAILABLE, authCode: tx.authCode });
    }
  }
  const latencyMs = performance.now() - started;
  ctx.metrics.upstreamLatency.observe({ acquirer: acquirerId }, latencyMs / 1000);

  const rc = text(hostReply, 39) ?? RC.SYSTEM_MALFUNCTION;
  const approved = isApproval(rc);
  const authCode = text(hostReply, 38) ?? tx.authCode;
  // captured into the batch: approved purchases, refunds and advices; not pre-authorizations, not the void itself
  const captured = approved && req.mti.slice(0, 2) === '02' && (kind === Proc.PURCHASE || kind === Proc.REFUND);
  const at = ctx.clock.now();
  ctx.alerts?.record({ merchantId, acquirerId, approved, timedOut: false, latencyMs, at });
  publishOutcome(ctx.feed, tx, { acquirerId, responseCode: rc, authCode: approved ? authCode : null, originalRrn: original?.rrn }, at);
  await Promise.all([
    ctx.store.recordOutcome(tx.id, { state: approved ? 'approved' : 'declined', responseCode: rc, authCode, captured, at }),
    approved && original !== undefined && kind === Proc.VOID ? ctx.store.setCaptured(original.id, false, at) : undefined,
  ]);
  return answer(req, { rrn: tx.rrn, responseCode: rc, authCode }, issuerDataOf(hostReply));
}

/**
 * Transactions go into the batch their field 60 names; its first one opens it. Known batches are answered from memory;
 * one not seen since the start is opened (or found closed) in the journal first, once however many ask at a time.
 */
function batchIsOpen(ctx: FlowContext, id: string, key: TxKey, merchantId: string): boolean | Promise<boolean> {
  if (ctx.openBatches.has(id)) return true;
  if (ctx.closedBatches.has(id)) return false;
  let opening = ctx.openingBatches.get(id);
  if (opening === undefined) {
    opening = ctx.store.openBatch(key.terminalId, key.batchNo, merchantId, ctx.clock.now()).then((b) => {
      (b.status === 'open' ? ctx.openBatches : ctx.closedBatches).add(id);
      return b.status === 'open';
    });
    ctx.openingBatches.set(id, opening);
    void opening.finally(() => ctx.openingBatches.delete(id)).catch(() => undefined);
  }
  return opening;
}

async function findOriginal(req: IsoMessage, ctx: FlowContext, key: TxKey): Promise<TxRecord | undefined> {
  const rrn = text(req, 37);
  if (rrn !== undefined) {
    const tx = await ctx.store.findByRrn(rrn);
    return tx !== undefined && tx.terminalId === key.terminalId ? tx : undefined;
  }
  const invoice = text(req, 62);
  return invoice === undefined ? undefined : ctx.store.findByInvoice(key.terminalId, key.batchNo, invoice);
}

