import type { IsoMessage, MessageCodec } from '../../protocol/index.js';

/** The numbers a load request changes from one purchase to the next: field 11 (STAN) and field 62 (invoice). */
export interface Numbers {
  stan: number;
  invoice: number;
}

type Slot = { at: number; kind: 'bcd' | 'ascii' };

const pad6 = (n: number): string => String(n).padStart(6, '0');

/** Where a 6-digit field sits in the encoded bytes: 3 BCD bytes or 6 ASCII digits, side by side. */
function locate(base: Buffer, other: Buffer): Slot | null {
  if (base.length !== other.length) return null;
  const diff: number[] = [];
  for (let i = 0; i < base.length; i++) if (base[i] !== other[i]) diff.push(i);
  if (diff.length === 0 || diff[diff.length - 1] - diff[0] !== diff.length - 1) return null;
  if (diff.length === 3) return { at: diff[0], kind: 'bcd' };
  if (diff.length === 6 && diff.every((i) => base[i] === 0x30)) return { at: diff[0], kind: 'ascii' };
  return null;
}

function write(frame: Buffer, slot: Slot, n: number): void {
  if (slot.kind === 'bcd') {
    for (let i = 2; i >= 0; i--, n = Math.floor(n / 100)) frame[slot.at + i] = ((Math.floor(n / 10) % 10) << 4) | n % 10;
  } else {
    for (let i = 5; i >= 0; i--, n = Math.floor(n / 10)) frame[slot.at + i] = 0x30 + (n % 10);
  }
}

/**
 * A request encoded once and copied per purchase with its STAN and invoice written into the copy: a load terminal
 * spends its time on the link, not on encoding the same message again. `build` gives the message for given numbers;
 * the template is checked against a real encoding before use, and there is none (null) when the spec packs those
 * fields in a way it cannot patch (EBCDIC, variable length).
 */
export class FrameTemplate {
  private constructor(
    private readonly base: Buffer,
    private readonly stan: Slot,
    private readonly invoice: Slot,
  ) {}

  static of(codec: MessageCodec, build: (n: { stan: string; invoice: string }) => IsoMessage): FrameTemplate | null {
    const encode = (stan: number, invoice: number): Buffer => codec.encode(build({ stan: pad6(stan), invoice: pad6(invoice) }), { pad: true });
    const base = encode(0, 0);
    const stan = locate(base, encode(999_999, 0));
    const invoice = locate(base, encode(0, 999_999));
    if (stan === null || invoice === null) return null;
    const t = new FrameTemplate(base, stan, invoice);
    return t.render({ stan: 123_456, invoice: 654_321 }).equals(encode(123_456, 654_321)) ? t : null;
  }

  render(n: Numbers): Buffer {
    const frame = Buffer.from(this.base);
    write(frame, this.stan, n.stan);
    write(frame, this.invoice, n.invoice);
    return frame;
  }
}
