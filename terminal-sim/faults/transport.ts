import { encodeWithMac, type IsoMessage, type MessageCodec, type MessageSpec } from '../../protocol/index.js';
import { expectedResponseMti } from '../device/messages.js';
import { TransportError, type Transport } from '../transport/index.js';
import { hasWireFaults, type FaultName, type FaultSet } from './catalogue.js';

/** A transport that can also write bytes as they are: what the corrupt and slow faults need (StreamTransport is one). */
export interface RawTransport extends Transport {
  frame(payload: Buffer): Buffer;
  writeRaw(bytes: Buffer): Promise<void>;
}

/** Which outgoing message is the transaction's own request (not the reversal or advices sent before it). */
export type RequestMatcher = (msg: IsoMessage) => boolean;

export interface AppliedFault {
  fault: FaultName;
  mti: string;
  stan: string | null;
}

/**
 * Wire faults on a terminal's link. `arm(faults, isTarget)` before a transaction: the first outgoing message that
 * `isTarget` accepts gets the faults, once; everything else passes untouched. What was done is in `applied`.
 */
export class FaultyTransport implements Transport {
  readonly applied: AppliedFault[] = [];
  #armed: { faults: FaultSet; isTarget: RequestMatcher } | undefined;
  #dropReplyTo: { mti: string; stan: string } | undefined;

  constructor(
    readonly inner: RawTransport,
    private readonly codec: MessageCodec,
    /** The terminal MAC key (16 bytes): wrong-mac computes the right MAC under it, then spoils it. */
    private readonly macKey: Buffer,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  get connected(): boolean {
    return this.inner.connected;
  }

  arm(faults: FaultSet, isTarget: RequestMatcher): void {
    this.#armed = hasWireFaults(faults) ? { faults, isTarget } : undefined;
  }

  disarm(): void {
    this.#armed = undefined;
    this.#dropReplyTo = undefined;
  }

  connect(timeoutMs?: number): Promise<void> {
    return this.inner.connect(timeoutMs);
  }

  async send(payload: Buffer): Promise<void> {
    const armed = this.#armed;
    if (armed === undefined) return this.inner.send(payload);
    let msg: IsoMessage;
    try {
      msg = this.codec.decode(payload);
    } catch {
      return this.inner.send(payload);
    }
    if (!armed.isTarget(msg)) return this.inner.send(payload);
    this.#armed = undefined;
    const f = armed.faults;
    const stan = typeof msg.fields[11] === 'string' ? msg.fields[11] : null;
    const note = (fault: FaultName): void => void this.applied.push({ fault, mti: msg.mti, stan });
    let out = payload;
    if (f.unknownTerminal !== undefined || f.wrongMac === true) {
      const changed: IsoMessage = { mti: msg.mti, fields: { ...msg.fields } };
      if (f.unknownTerminal !== undefined) {
        changed.fields[41] = f.unknownTerminal.padEnd(8);
        note('unknown-terminal');
      }
      if (f.wrongMac === true) {
        out = encodeWithMac(this.codec, changed, this.macKey);
        // the MAC is the last field: spoiling its last byte makes it a MAC that cannot verify
        out[out.length - 1] ^= 0xff;
        note('wrong-mac');
      } else {
        out = this.codec.encode(changed, { pad: true });
      }
    }
    if (f.corrupt === 'message') {
      out = corruptFirstField(out, this.codec.spec, msg);
      note('corrupt');
    }
    let frame = this.inner.frame(out);
    if (f.corrupt === 'frame') {
      // 0xFFFF as binary2 is over any frame limit; as ascii4 or bcd2 it is not digits: unreadable framing either way
      frame = Buffer.from(frame);
      frame[0] = 0xff;
      frame[1] = 0xff;
      note('corrupt');
    }
    if (f.slow !== undefined) {
      await this.#trickle(frame, f.slow.chunk, f.slow.intervalMs);
      note('slow');
    } else {
      await this.inner.writeRaw(frame);
    }
    if (f.sendTwice === true) {
      await this.inner.writeRaw(frame);
      note('send-twice');
    }
    if (f.dropReply === true && stan !== null) {
      this.#dropReplyTo = { mti: expectedResponseMti(msg.mti), stan };
      note('drop-reply');
    }
    if (f.disconnect === true) {
      await this.inner.close();
      note('disconnect');
    }
  }

  async receive(timeoutMs: number): Promise<Buffer> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const payload = await this.inner.receive(Math.max(0, end - Date.now()));
      const drop = this.#dropReplyTo;
      if (drop === undefined) return payload;
      let msg: IsoMessage;
      try {
        msg = this.codec.decode(payload);
      } catch {
        return payload;
      }
      if (msg.mti !== drop.mti || msg.fields[11] !== drop.stan) return payload;
      // lost on the way: as if it never arrived
      this.#dropReplyTo = undefined;
    }
  }

  discard(): void {
    this.inner.discard();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async #trickle(frame: Buffer, chunk: number, intervalMs: number): Promise<void> {
    for (let at = 0; at < frame.length; at += chunk) {
      if (at > 0) await new Promise((r) => setTimeout(r, intervalMs));
      try {
        await this.inner.writeRaw(frame.subarray(at, at + chunk));
      } catch (e) {
        // part of the request is out: the host may have it, so its outcome is unknown
        if (at > 0 && e instanceof TransportError && !e.sent) throw new TransportError(e.code, e.message, { sent: true, cause: e });
        throw e;
      }
    }
  }
}

/** The MTI and bitmap are left readable (so the host can answer 30); the first field's bytes become 0xFF. */
function corruptFirstField(payload: Buffer, spec: MessageSpec, msg: IsoMessage): Buffer {
  const mtiBytes = spec.mti.encoding === 'bcd' ? 2 : 4;
  const bitmapBytes = spec.bitmap.encoding === 'binary' ? 8 : 16;
  const secondary = Object.keys(msg.fields).some((k) => Number(k) > 64);
  const at = mtiBytes + bitmapBytes * (secondary ? 2 : 1);
  const out = Buffer.from(payload);
  out.fill(0xff, at, Math.min(out.length, at + 3));
  return out;
}
