import type { FeedEvent } from './types.js';

/** WebSocket close codes of the feed (4000-4999 are the application's; 4008 echoes 1008 "policy", 44xx echo HTTP). */
export const CloseCodes = {
  GOING_AWAY: 1001,
  INTERNAL: 1011,
  BAD_MESSAGE: 4400,
  BAD_TOKEN: 4401,
  FORBIDDEN: 4403,
  TOO_SLOW: 4008,
} as const;

/** The only message a client sends. */
export interface Hello {
  type: 'hello';
  token: string;
  since?: number;
  /** Instead of `since`: replay the events journaled at or after this time (ms), e.g. a day's start. */
  from?: number;
  merchantId?: string;
}

/** Incoming messages are tiny: a hello is well under this. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** A close reason is at most 123 bytes on the wire (125 of control payload minus the code). */
export function closeReason(text: string): string {
  const b = Buffer.from(text);
  return b.length <= 123 ? text : b.subarray(0, 120).toString('utf8').replace(/\uFFFD+$/, '') + '...';
}

/** Parses the client's first message; the error names the field and never echoes the token. */
export function parseHello(raw: string): Hello | { error: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return { error: 'hello: not JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { error: 'hello: must be a JSON object' };
  const m = msg as Record<string, unknown>;
  if (m.type !== 'hello') return { error: 'hello: "type" must be "hello"' };
  for (const k of Object.keys(m)) if (!['type', 'token', 'since', 'from', 'merchantId'].includes(k)) return { error: `hello: unknown field "${k.slice(0, 40)}"` };
  if (typeof m.token !== 'string' || m.token === '') return { error: 'hello: "token" must be a non-empty string' };
  if (m.since !== undefined && m.since !== null && !(Number.isSafeInteger(m.since) && (m.since as number) >= 0)) {
    return { error: 'hello: "since" must be a non-negative integer' };
  }
  let from: number | undefined;
  if (m.from !== undefined && m.from !== null) {
    if (m.since !== undefined && m.since !== null) return { error: 'hello: give "since" or "from", not both' };
    from = typeof m.from === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(m.from) ? Date.parse(m.from) : NaN;
    if (!Number.isFinite(from)) return { error: 'hello: "from" must be an ISO 8601 time, e.g. 2026-11-22T00:00:00Z' };
  }
  if (m.merchantId !== undefined && m.merchantId !== null && (typeof m.merchantId !== 'string' || m.merchantId === '')) {
    return { error: 'hello: "merchantId" must be a non-empty string' };
  }
  return {
    type: 'hello',
    token: m.token,
    since: typeof m.since === 'number' ? m.since : undefined,
    from,
    merchantId: typeof m.merchantId === 'string' ? m.merchantId : undefined,
  };
}

/** The wire form of an event, built once and sent to every client it concerns. */
export function eventMessage(e: FeedEvent): string {
  return JSON.stringify({ type: 'event', seq: e.seq, id: e.id, merchantId: e.merchantId, event: e.type, at: new Date(e.at).toISOString(), data: e.data });
}
