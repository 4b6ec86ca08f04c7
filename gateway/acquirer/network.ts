import type { IsoMessage } from '../../protocol/index.js';

/** Field 70 network management information codes. */
export const NetworkCodes = {
  SIGN_ON: '001',
  SIGN_OFF: '002',
  ECHO: '301',
} as const;

export type NetworkCode = (typeof NetworkCodes)[keyof typeof NetworkCodes];

/** The last second formatted: every authorization asks for the time, thousands of times within one second. */
let lastSecond = NaN;
let lastText = '';

/** Field 7, transmission date and time: MMDDhhmmss in UTC. */
export function transmissionDateTime(epochMs: number): string {
  // a Date holds whole milliseconds, truncated
  const second = Math.floor(Math.trunc(epochMs) / 1000);
  if (second === lastSecond) return lastText;
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  lastText = two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds());
  lastSecond = second;
  return lastText;
}

/** An 0800 request: 7, 11, 70. */
export function networkRequest(code: NetworkCode, stan: string, epochMs: number): IsoMessage {
  return { mti: '0800', fields: { 7: transmissionDateTime(epochMs), 11: stan, 70: code } };
}

/** The 0810 answer to an acquirer's own 0800: 7, 11 and 70 echoed, 39 '00'. */
export function networkReply(request: IsoMessage): IsoMessage {
  const f = request.fields;
  const fields: IsoMessage['fields'] = { 39: '00' };
  for (const n of [7, 11, 70]) if (f[n] !== undefined) fields[n] = f[n];
  return { mti: '0810', fields };
}
