import type { IsoMessage } from '../../protocol/index.js';
import { RC } from '../responses.js';
import { authorize } from './authorize.js';
import type { FlowContext, Handler, Origin } from './context.js';
import { network } from './network.js';
import { reply } from './reply.js';
import { reverse } from './reverse.js';
import { settle, upload } from './settle.js';

/** One handler per message class; repeats (0201, 0221, 0401) go where their first attempt goes. */
const handlers: Record<string, Handler> = {
  '080': network,
  '010': authorize,
  '020': authorize,
  '022': authorize,
  '040': reverse,
  '050': settle,
  '032': upload,
};

export function handlerFor(mti: string): Handler | undefined {
  // the fourth digit says who originated it and whether it is a repeat; the first three pick the handler
  const fn = Number(mti[2]);
  if (fn % 2 === 1) return undefined; // a response, not a request
  return handlers[mti.slice(0, 3)];
}

/** Answers one terminal request. Unknown request types get 12 (invalid transaction). */
export async function dispatch(req: IsoMessage, ctx: FlowContext, origin: Origin): Promise<IsoMessage | undefined> {
  const handler = handlerFor(req.mti);
  if (handler === undefined) {
    if (Number(req.mti[2]) % 2 === 1) return undefined;
    return reply(req, RC.INVALID_TRANSACTION);
  }
  // a journal stopped for good (said once, at fatal level) takes nothing: answered at once, without a try and a log
  // line per request; network management needs no journal
  if (handler !== network && ctx.store.failure?.() !== undefined) return reply(req, RC.SYSTEM_MALFUNCTION);
  return handler(req, ctx, origin);
}
