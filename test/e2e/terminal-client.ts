import net from 'node:net';
import tls from 'node:tls';
import {
  builtinSpecs,
  codecFor,
  encodeFrame,
  FrameDecoder,
  tpdu,
  type IsoMessage,
  type Primitive,
} from '../../protocol/index.js';

const codec = codecFor(builtinSpecs.iso87binary);
let stan = 0;

/**
 * A small test terminal for the gateway's terminal link profile: 2-byte length, TPDU, iso87binary. Replies are
 * matched to requests by MTI class and STAN. It is deliberately independent of gateway/ code.
 */
export class TestTerminal {
  private readonly socket: net.Socket;
  private readonly decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8192 });
  private readonly waiting = new Map<string, ((m: IsoMessage) => void)[]>();
  readonly received: IsoMessage[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      for (const frame of this.decoder.push(chunk)) {
        const msg = codec.decode(frame.payload);
        this.received.push(msg);
        const key = `${msg.mti.slice(0, 2)}|${msg.fields[11] ?? ''}`;
        // requests sent twice under one key are answered in the order they went out
        const queue = this.waiting.get(key);
        const resolve = queue?.shift();
        if (queue?.length === 0) this.waiting.delete(key);
        resolve?.(msg);
      }
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestTerminal> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new TestTerminal(s)));
      s.once('error', reject);
    });
  }

  static connectTls(port: number, ca: Buffer): Promise<TestTerminal> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: [ca] }, () => resolve(new TestTerminal(s)));
      s.once('error', reject);
    });
  }

  /** STANs are unique across every test terminal of the process, so tests sharing a terminal id never collide. */
  nextStan(): string {
    stan = (stan % 999999) + 1;
    return String(stan).padStart(6, '0');
  }

  /** Sends a request and resolves with its reply, or rejects after `timeoutMs`. */
  request(msg: IsoMessage | { mti: string; fields: Record<number, Primitive> }, timeoutMs = 5000): Promise<IsoMessage> {
    const key = `${msg.mti.slice(0, 2)}|${msg.fields[11] ?? ''}`;
    const answer = new Promise<IsoMessage>((resolve, reject) => {
      const done = (m: IsoMessage): void => {
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        const queue = this.waiting.get(key) ?? [];
        queue.splice(queue.indexOf(done) >>> 0, 1);
        reject(new Error(`no reply to ${msg.mti} STAN ${msg.fields[11]} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), done]);
    });
    this.sendRaw(codec.encode(msg, { pad: true }));
    return answer;
  }

  sendRaw(payload: Buffer): void {
    this.socket.write(encodeFrame(payload, { header: 'binary2', tpdu: tpdu(0x0001, 0x0000) }));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface SaleOptions {
  terminalId?: string;
  merchantId?: string;
  pan?: string;
  amount: number;
  proc?: string;
  batch?: string;
  stan?: string;
  invoice?: string;
  date?: string;
  time?: string;
  mti?: string;
  extra?: Record<number, Primitive>;
}

export const TEST_PAN = '4761739001010119';

/** A terminal request as a terminal builds it (fields 2, 3, 4, 11, 12, 13, 14, 22, 25, 41, 42, 49, 60, 62). */
export function sale(t: TestTerminal, o: SaleOptions): IsoMessage {
  return {
    mti: o.mti ?? '0200',
    fields: {
      2: o.pan ?? TEST_PAN,
      3: o.proc ?? '000000',
      4: String(o.amount).padStart(12, '0'),
      11: o.stan ?? t.nextStan(),
      12: o.time ?? '101500',
      13: o.date ?? '1121',
      14: '2812',
      22: '051',
      25: '00',
      41: o.terminalId ?? 'TERM0001',
      42: (o.merchantId ?? 'MERCHANT0000001').padEnd(15, ' '),
      49: '840',
      60: o.batch ?? '000001',
      62: o.invoice ?? '000001',
      ...o.extra,
    },
  };
}
