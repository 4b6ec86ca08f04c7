import { RC } from '../responses.js';
import type { Handler } from './context.js';
import { reply, text } from './reply.js';
import { checkTerminal } from './terminal-check.js';

/** Field 70 network management codes a terminal sends. */
const Codes = new Set(['001', '002', '301']);

/** 0800 sign-on (001), sign-off (002), echo (301): answered by the gateway for a known terminal. */
export const network: Handler = async (req, ctx) => {
  const code = text(req, 70);
  const check = checkTerminal(req, ctx);
  if (!check.ok) return reply(req, check.rc, { 70: code });
  if (code === undefined || !Codes.has(code)) return reply(req, RC.INVALID_TRANSACTION, { 70: code });
  if (code !== '301') ctx.logger.info({ terminal: check.terminal.id, code }, code === '001' ? 'terminal signed on' : 'terminal signed off');
  return reply(req, RC.APPROVED, { 70: code });
};
