import type { IsoMessage, MessageInput } from '../../protocol/index.js';
import type { Balances } from './balances.js';
import { behaviourFor, decide } from './decide.js';
import type { Kind, Ledger, LedgerRow, NewAuthorization } from './ledger.js';
import {
  F,
  FormatError,
  ProcCodes,
  ResponseCodes,
  amountOf,
  echo,
  isApproval,
  originalOf,
  panOf,
  required,
  responseMti,
  text,
} from './messages.js';
import type { Behaviour, Rules } from './rules.js';

export interface HandlerContext {
  ledger: Ledger;
  balances: Balances;
  rules: Rules;
  authCode: () => string;
  /** Set in mode 'fail': every request is answered with it and nothing is processed. */
  failCode: string | null;
}

export interface Reply {
  /** The answer; null when there is nothing to answer. */
  message: MessageInput | null;
  /** How to deliver it; null: after the configured latency only. */
  behaviour: Behaviour | null;
  /** Safe facts for the log line: no PAN beyond its masked form, no track or PIN data. */
  log: Record<string, unknown>;
}

type Handler = (msg: IsoMessage, ctx: HandlerContext) => Reply;

/** Fields echoed in 0110/0210/0230 answers (host link profile). */
const AUTH_ECHO = [F.procCode, F.amount, F.transmittedAt, F.stan, F.rrn, F.terminalId, F.merchantId, F.currency] as const;
/** Fields echoed in a '30' answer, whatever the message class: enough for the gateway to match it. */
const FORMAT_ERROR_ECHO = [...AUTH_ECHO, F.networkCode] as const;

const NETWORK_CODES = { '001': 'sign-on', '002': 'sign-off', '201': 'cutoff', '301': 'echo' } as const;

/** One handler per message class, dispatched from here. */
const handlers: Readonly<Record<string, Handler>> = {
  '0800': network,
  '0100': (msg, ctx) => authorize(msg, ctx, 'preauth'),
  '0200': financial,
  '0220': advice,
  '0400': reversal,
  '0401': reversal,
  '0420': reversal,
  '0421': reversal,
  '0500': cutover,
};

export const supportedMtis: readonly string[] = Object.keys(handlers);

/** Answers a decoded request. A request the stub cannot act on is answered '30', naming the field in the log. */
export function dispatch(msg: IsoMessage, ctx: HandlerContext): Reply {
  const handler = Object.hasOwn(handlers, msg.mti) ? handlers[msg.mti] : undefined;
  if (handler === undefined) return formatError(msg, { reason: 'unsupported MTI' });
  try {
    return handler(msg, ctx);
  } catch (e) {
    if (e instanceof FormatError) return formatError(msg, { reason: e.message, field: e.field });
    throw e;
  }
}

/** The answer to a request whose MTI is readable but whose content is not usable. */
export function formatError(msg: IsoMessage, log: Record<string, unknown>): Reply {
  return answer(msg, echo(msg, FORMAT_ERROR_ECHO), ResponseCodes.formatError, null, log);
}

/** The answer when the stub itself failed (a bug or a database error): '96', outcome unknown to the sender. */
export function malfunction(msg: IsoMessage, log: Record<string, unknown>): Reply {
  return answer(msg, echo(msg, FORMAT_ERROR_ECHO), ResponseCodes.systemMalfunction, null, log);
}

function network(msg: IsoMessage, ctx: HandlerContext): Reply {
  required(msg, F.stan);
  const code = required(msg, F.networkCode);
  if (!Object.hasOwn(NETWORK_CODES, code)) throw new FormatError(F.networkCode, 'unknown network management code');
  const fields = echo(msg, [F.transmittedAt, F.stan, F.networkCode]);
  return answer(msg, fields, ctx.failCode ?? ResponseCodes.approved, null, {
    network: NETWORK_CODES[code as keyof typeof NETWORK_CODES],
  });
}

function financial(msg: IsoMessage, ctx: HandlerContext): Reply {
  switch (required(msg, F.procCode)) {
    case ProcCodes.purchase:
      return authorize(msg, ctx, 'purchase');
    case ProcCodes.refund:
      return authorize(msg, ctx, 'refund');
    case ProcCodes.void:
      return voidOriginal(msg, ctx);
    default:
      throw new FormatError(F.procCode, 'unsupported processing code');
  }
}

/** 0100 pre-auth, 0200 purchase and refund: decided by the rules. */
function authorize(msg: IsoMessage, ctx: HandlerContext, kind: Kind): Reply {
  const req = readAuthorization(msg);
  const debit = kind !== 'refund';
  const panHash = ctx.ledger.panHash(req.pan);
  const decision =
    ctx.failCode !== null
      ? { responseCode: ctx.failCode, behaviour: null }
      : decide({ pan: req.pan, amount: req.amount, debit, balance: ctx.balances.get(panHash) }, ctx.rules);
  const approved = isApproval(decision.responseCode);
  if (approved) ctx.balances.adjust(panHash, debit ? -req.amount : req.amount);
  const row = ctx.ledger.record(
    withOutcome(req, {
      panHmac: panHash,
      kind,
      authCode: approved ? ctx.authCode() : null,
      responseCode: decision.responseCode,
      status: approved ? 'approved' : 'declined',
      originalId: null,
    }),
  );
  return authAnswer(msg, row, decision.behaviour);
}

/** 0220: an offline sale or a pre-auth completion. Acknowledged, not decided: only behaviours apply. */
function advice(msg: IsoMessage, ctx: HandlerContext): Reply {
  const req = readAuthorization(msg);
  const panHash = ctx.ledger.panHash(req.pan);
  const named = originalOf(msg);
  const original = named === undefined ? undefined : ctx.ledger.findOriginal({ original: named });
  const completes = original !== undefined && original.kind === 'preauth' && original.status === 'approved';
  const rc = ctx.failCode ?? ResponseCodes.approved;
  const approved = isApproval(rc);
  if (approved) {
    // The hold is released and the completion amount captured in its place.
    if (completes) ctx.balances.adjust(original.panHmac, original.amount);
    ctx.balances.adjust(panHash, -req.amount);
  }
  const row = ctx.ledger.record(
    withOutcome(req, {
      panHmac: panHash,
      kind: completes ? 'completion' : 'advice',
      authCode: text(msg, F.authCode) ?? (approved ? ctx.authCode() : null),
      responseCode: rc,
      status: approved ? 'approved' : 'declined',
      originalId: completes ? original.id : null,
    }),
  );
  return authAnswer(msg, row, ctx.failCode === null ? behaviourFor(req.pan, req.amount, ctx.rules) : null);
}

/** 0200 proc 020000: reverses the original named by field 90, idempotently; '25' when it is unknown. */
function voidOriginal(msg: IsoMessage, ctx: HandlerContext): Reply {
  const named = originalOf(msg);
  if (named === undefined) throw new FormatError(F.original, 'a void names its original in field 90');
  const stan = required(msg, F.stan);
  const rrn = required(msg, F.rrn);
  const transmittedAt = required(msg, F.transmittedAt);
  const pan = panOf(msg) ?? null;
  let rc: string = ctx.failCode ?? ResponseCodes.originalNotFound;
  let original: LedgerRow | undefined;
  if (ctx.failCode === null) {
    original = ctx.ledger.findOriginal({ original: named });
    if (original !== undefined && original.kind !== 'void') {
      reverse(original, ctx);
      rc = ResponseCodes.approved;
    } else {
      original = undefined;
    }
  }
  const approved = isApproval(rc);
  const row = ctx.ledger.record({
    mti: msg.mti,
    procCode: ProcCodes.void,
    kind: 'void',
    rrn,
    stan,
    transmittedAt,
    terminalId: text(msg, F.terminalId) ?? null,
    merchantId: text(msg, F.merchantId) ?? null,
    pan,
    amount: text(msg, F.amount) === undefined ? (original?.amount ?? 0) : amountOf(msg),
    currency: text(msg, F.currency) ?? null,
    authCode: approved ? ctx.authCode() : null,
    responseCode: rc,
    status: approved ? 'approved' : 'declined',
    originalId: original?.id ?? null,
  });
  return authAnswer(msg, row, null);
}

/** 0400/0401/0420/0421: by field 90, else by the original's RRN in field 37. Idempotent; '25' when unknown. */
function reversal(msg: IsoMessage, ctx: HandlerContext): Reply {
  const stan = required(msg, F.stan);
  const rrn = text(msg, F.rrn);
  const named = originalOf(msg);
  if (rrn === undefined && named === undefined) throw new FormatError(F.rrn, 'a reversal names its original in field 37 or 90');
  const fields = echo(msg, [F.stan, F.rrn]);
  if (ctx.failCode !== null) return answer(msg, fields, ctx.failCode, null, { rrn });
  const original = ctx.ledger.findOriginal({ rrn, original: named });
  const changed = original === undefined ? false : reverse(original, ctx);
  const rc = original === undefined ? ResponseCodes.originalNotFound : ResponseCodes.approved;
  ctx.ledger.recordReversal({
    mti: msg.mti,
    rrn: rrn ?? null,
    stan,
    transmittedAt: text(msg, F.transmittedAt) ?? null,
    originalId: original?.id ?? null,
    responseCode: rc,
    reversed: changed,
  });
  return answer(msg, fields, rc, null, { rrn, stan, originalId: original?.id ?? null, changed });
}

/** 0500: cutover (proc 920000) or any other reconciliation message, acknowledged. */
function cutover(msg: IsoMessage, ctx: HandlerContext): Reply {
  required(msg, F.stan);
  const fields = echo(msg, [F.procCode, F.transmittedAt, F.stan, F.terminalId, F.merchantId]);
  return answer(msg, fields, ctx.failCode ?? ResponseCodes.approved, null, { proc: text(msg, F.procCode) });
}

/** Marks a row reversed and gives the money back; false (and nothing changed) when it was already reversed. */
function reverse(row: LedgerRow, ctx: HandlerContext): boolean {
  const changed = ctx.ledger.markReversed(row.id);
  if (changed && row.status === 'approved') {
    if (row.kind === 'refund') ctx.balances.adjust(row.panHmac, -row.amount);
    else if (row.kind !== 'void') ctx.balances.adjust(row.panHmac, row.amount);
  }
  return changed;
}

type AuthorizationRequest = ReturnType<typeof readAuthorization>;
type Decided = Required<
  Pick<NewAuthorization, 'panHmac' | 'kind' | 'authCode' | 'responseCode' | 'status' | 'originalId'>
>;

/**
 * The request and its outcome as one ledger input, written key by key: in V8 (Node 20) every key after an object
 * spread costs microseconds, and every authorization comes through here.
 */
function withOutcome(req: AuthorizationRequest, o: Decided): NewAuthorization {
  return {
    mti: req.mti,
    procCode: req.procCode,
    rrn: req.rrn,
    stan: req.stan,
    transmittedAt: req.transmittedAt,
    terminalId: req.terminalId,
    merchantId: req.merchantId,
    pan: req.pan,
    amount: req.amount,
    currency: req.currency,
    panHmac: o.panHmac,
    kind: o.kind,
    authCode: o.authCode,
    responseCode: o.responseCode,
    status: o.status,
    originalId: o.originalId,
  };
}

function readAuthorization(msg: IsoMessage) {
  const pan = panOf(msg);
  if (pan === undefined) throw new FormatError(F.pan, 'a PAN is required (field 2 or 35)');
  return {
    mti: msg.mti,
    procCode: text(msg, F.procCode) ?? ProcCodes.purchase,
    rrn: required(msg, F.rrn),
    stan: required(msg, F.stan),
    transmittedAt: required(msg, F.transmittedAt),
    terminalId: text(msg, F.terminalId) ?? null,
    merchantId: text(msg, F.merchantId) ?? null,
    pan,
    amount: amountOf(msg),
    currency: text(msg, F.currency) ?? null,
  };
}

function authAnswer(msg: IsoMessage, row: LedgerRow, behaviour: Behaviour | null): Reply {
  const fields: Record<number, string> = echo(msg, AUTH_ECHO);
  if (row.authCode !== null && isApproval(row.responseCode)) fields[F.authCode] = row.authCode;
  return answer(msg, fields, row.responseCode, behaviour, {
    id: row.id,
    kind: row.kind,
    rrn: row.rrn,
    stan: row.stan,
    pan: row.panMasked,
    amount: row.amount,
    duplicateRrn: row.duplicateRrn || undefined,
    behaviour: behaviour ?? undefined,
  });
}

/** `fields` and `log` are the caller's own fresh objects, completed here: a copy by spread would cost more. */
function answer(
  msg: IsoMessage,
  fields: Record<number, string>,
  rc: string,
  behaviour: Behaviour | null,
  log: Record<string, unknown>,
): Reply {
  fields[F.responseCode] = rc;
  log.rc = rc;
  return { message: { mti: responseMti(msg.mti), fields }, behaviour, log };
}
