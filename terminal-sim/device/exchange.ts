import type { IsoMessage, MessageCodec } from '../../protocol/index.js';
import { TransportError, type Transport } from '../transport/index.js';
import { expectedResponseMti, fitToSpec } from './messages.js';

/** What a terminal reports as it talks: for progress displays, scenario reports and tests. */
export type TerminalEvent =
  | { type: 'sent'; terminalId: string; mti: string; stan: string }
  | { type: 'received'; terminalId: string; mti: string; stan: string; responseCode: string | null; ms: number }
  | { type: 'ignored'; terminalId: string; mti: string; stan: string | null }
  | { type: 'no_answer'; terminalId: string; mti: string; stan: string; reason: 'timeout' | 'unreadable' | 'closed' };

/**
 * One request, its reply: encodes, sends, then reads frames until the one whose MTI answers the request's and whose
 * STAN is the request's. Anything else that arrives meanwhile (a late reply to an earlier request) is skipped.
 */
export async function exchange(
  transport: Transport,
  codec: MessageCodec,
  req: IsoMessage,
  timeoutMs: number,
  terminalId: string,
  onEvent?: (e: TerminalEvent) => void,
): Promise<IsoMessage> {
  const payload = codec.encode(fitToSpec(req, codec.spec), { pad: true });
  return exchangeEncoded(transport, codec, payload, req.mti, String(req.fields[11]), timeoutMs, terminalId, onEvent);
}

/** `exchange` for a request already encoded (the load driver patches a template): its MTI and STAN given apart. */
export async function exchangeEncoded(
  transport: Transport,
  codec: MessageCodec,
  payload: Buffer,
  mti: string,
  stan: string,
  timeoutMs: number,
  terminalId: string,
  onEvent?: (e: TerminalEvent) => void,
): Promise<IsoMessage> {
  const wantMti = expectedResponseMti(mti);
  const started = Date.now();
  await transport.send(payload);
  onEvent?.({ type: 'sent', terminalId, mti, stan });
  const end = started + timeoutMs;
  for (;;) {
    let bytes: Buffer;
    try {
      bytes = await transport.receive(Math.max(0, end - Date.now()));
    } catch (e) {
      if (!(e instanceof TransportError)) throw e;
      const reason = e.code === 'TIMEOUT' ? 'timeout' : e.code === 'BAD_FRAME' ? 'unreadable' : 'closed';
      onEvent?.({ type: 'no_answer', terminalId, mti, stan, reason });
      // the request went out: whatever failed now leaves its outcome unknown
      throw e.sent ? e : new TransportError(e.code, e.message, { sent: true, cause: e });
    }
    let reply: IsoMessage;
    try {
      reply = codec.decode(bytes);
    } catch (e) {
      onEvent?.({ type: 'no_answer', terminalId, mti, stan, reason: 'unreadable' });
      throw new TransportError('BAD_FRAME', `the reply to ${mti} STAN ${stan} cannot be decoded`, { sent: true, cause: e });
    }
    const replyStan = typeof reply.fields[11] === 'string' ? reply.fields[11] : null;
    if (reply.mti === wantMti && replyStan === stan) {
      const rc = reply.fields[39];
      onEvent?.({ type: 'received', terminalId, mti: reply.mti, stan, responseCode: typeof rc === 'string' ? rc : null, ms: Date.now() - started });
      return reply;
    }
    onEvent?.({ type: 'ignored', terminalId, mti: reply.mti, stan: replyStan });
  }
}

export function textOf(msg: IsoMessage, n: number): string | null {
  const v = msg.fields[n];
  return typeof v === 'string' ? v : null;
}
