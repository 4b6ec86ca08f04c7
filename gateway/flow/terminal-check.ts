import type { IsoMessage } from '../../protocol/index.js';
import type { MerchantConfig, TerminalConfig } from '../config/types.js';
import { RC } from '../responses.js';
import type { FlowContext } from './context.js';
import { text } from './reply.js';

export type TerminalCheck = { ok: true; terminal: TerminalConfig; merchant: MerchantConfig } | { ok: false; rc: string; why: string };

/** Field 41 must name an enabled terminal and field 42 its enabled merchant; else 89 or 03 and a log line, never a relay. */
export function checkTerminal(req: IsoMessage, ctx: FlowContext): TerminalCheck {
  const check = lookUp(req, ctx);
  if (!check.ok) ctx.logger.warn({ terminal: text(req, 41), merchant: text(req, 42), mti: req.mti, rc: check.rc, why: check.why }, 'terminal refused');
  return check;
}

function lookUp(req: IsoMessage, ctx: FlowContext): TerminalCheck {
  const terminalId = text(req, 41);
  const terminal = terminalId === undefined ? undefined : ctx.terminals.get(terminalId);
  if (terminal === undefined) return { ok: false, rc: RC.INVALID_TERMINAL, why: 'unknown terminal' };
  if (!terminal.enabled) return { ok: false, rc: RC.INVALID_TERMINAL, why: 'terminal disabled' };
  const merchant = ctx.merchants.get(terminal.merchantId);
  const merchantId = text(req, 42);
  if (merchant === undefined || (merchantId !== undefined && merchantId.trimEnd() !== merchant.id)) {
    return { ok: false, rc: RC.INVALID_MERCHANT, why: 'merchant does not match the terminal' };
  }
  if (!merchant.enabled) return { ok: false, rc: RC.INVALID_MERCHANT, why: 'merchant disabled' };
  return { ok: true, terminal, merchant };
}

/** The fields a request must carry; a missing one is a format error (30). */
export function missingField(req: IsoMessage, required: readonly number[]): number | undefined {
  return required.find((n) => req.fields[n] === undefined);
}
