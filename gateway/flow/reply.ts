import type { IsoMessage, Primitive } from '../../protocol/index.js';

/** Fields a response echoes from its request, when the request had them. */
const ECHOED = [3, 4, 11, 12, 13, 41, 42, 49, 60] as const;

/** 0200 -> 0210, 0401 -> 0410, 0221 -> 0230: the response MTI of a request. */
export function responseMti(mti: string): string {
  const fn = Number(mti[2]);
  return `${mti.slice(0, 2)}${fn % 2 === 0 ? fn + 1 : fn}0`;
}

/** A response to `req` with response code `rc` and any extra fields. */
export function reply(req: IsoMessage, rc: string, extra?: Record<number, Primitive | undefined>): IsoMessage {
  // an array by field number, as the codec decodes: it encodes an array by index, an object by parsing each key;
  // sized for the fields of a primary bitmap, so that an answer's array never grows
  const fields = new Array<Primitive>(65);
  for (const n of ECHOED) {
    const v = req.fields[n];
    if (v !== undefined) fields[n] = v;
  }
  // for-in rather than Object.entries: no array per field, on every answer
  if (extra !== undefined) {
    for (const k in extra) {
      const n = Number(k);
      const v = extra[n];
      if (v !== undefined && v !== null) fields[n] = v;
    }
  }
  fields[39] = rc;
  return { mti: responseMti(req.mti), fields };
}

/** Text of a field, or undefined when absent or binary. */
export function text(req: IsoMessage, n: number): string | undefined {
  const v = req.fields[n];
  return typeof v === 'string' ? v : undefined;
}
