import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import {
  FrameDecoder,
  builtinSpecs,
  codecFor,
  encodeFrame,
  type IsoMessage,
  type MessageInput,
} from '../../../protocol/index.js';
import { startAcquirer, type AcquirerOptions, type AcquirerStub } from '../../../terminal-sim/acquirer/index.js';

export const codec = codecFor(builtinSpecs.iso87ascii);
export const PAN = '4761739001010119';
export const PAN2 = '5413330089020011';
export const PAN_KEY = 'test-pan-hmac-key-0123456789';

/** Captured log lines, for checking what the stub logs (and that no PAN is among it). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    cb();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  events(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestStub {
  stub: AcquirerStub;
  dir: string;
  dbPath: string;
  logs: LogCapture;
  close(): Promise<void>;
}

/** A stub on ephemeral ports with a real SQLite file in a fresh temp dir and captured debug logs. */
export async function startTestStub(opts: AcquirerOptions = {}): Promise<TestStub> {
  const dir = mkdtempSync(join(tmpdir(), 'acquirer-'));
  const dbPath = join(dir, 'ledger.db');
  const logs = new LogCapture();
  const stub = await startAcquirer({
    port: 0,
    httpPort: 0,
    dbPath,
    panKey: PAN_KEY,
    logger: pino({ level: 'debug' }, logs),
    ...opts,
  });
  return {
    stub,
    dir,
    dbPath,
    logs,
    async close() {
      await stub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A gateway-side test client for the host link: frames out, replies in, in order. */
export class LinkClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  readonly #decoder = new FrameDecoder({ header: 'binary2', maxFrameSize: 8192 });
  readonly #replies: IsoMessage[] = [];
  #waiter: (() => void) | undefined;
  #isClosed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.#decoder.push(chunk)) this.#replies.push(plain(codec.decode(Buffer.from(f.payload))));
      this.#waiter?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.#isClosed = true;
        this.#waiter?.();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<LinkClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new LinkClient(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  send(msg: MessageInput): void {
    this.socket.write(encodeFrame(codec.encode(msg, { pad: true }), { header: 'binary2' }));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next reply; rejects after `timeoutMs` or when the connection closes first. */
  async next(timeoutMs = 2000): Promise<IsoMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#replies.shift();
      if (reply !== undefined) return reply;
      if (this.#isClosed) throw new Error('connection closed before a reply');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  async request(msg: MessageInput, timeoutMs?: number): Promise<IsoMessage> {
    this.send(msg);
    return this.next(timeoutMs);
  }

  /** Resolves if nothing arrives for `ms`; rejects on a reply. */
  async expectSilence(ms: number): Promise<void> {
    let reply: IsoMessage | undefined;
    try {
      reply = await this.next(ms);
    } catch {
      return;
    }
    throw new Error(`expected no reply, got ${reply.mti}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Decoded fields may be a sparse array: as a plain object keyed by field number, for toEqual. */
export function plain(msg: IsoMessage): IsoMessage {
  return { mti: msg.mti, fields: Object.fromEntries(Object.entries(msg.fields).filter(([, v]) => v !== undefined)) };
}

let stanCounter = 0;

/** A fresh STAN, RRN and field 7 per call, so tests never collide by accident. */
export function trace(): { stan: string; rrn: string; f7: string } {
  stanCounter++;
  const stan = String(stanCounter).padStart(6, '0');
  return { stan, rrn: `5325${stan}01`.slice(0, 12), f7: `1121${String(100000 + stanCounter).slice(-6)}` };
}

export interface AuthInput {
  mti?: string;
  proc?: string;
  amount: number;
  pan?: string | null;
  track2?: string;
  stan?: string;
  rrn?: string;
  f7?: string;
  original?: string;
  authCode?: string;
  extra?: Record<number, unknown>;
}

/** A 0100/0200/0220 as the gateway sends it on the host link. */
export function auth(input: AuthInput): MessageInput & { fields: Record<number, unknown> } {
  const t = trace();
  const fields: Record<number, unknown> = {
    3: input.proc ?? '000000',
    4: String(input.amount).padStart(12, '0'),
    7: input.f7 ?? t.f7,
    11: input.stan ?? t.stan,
    12: '153000',
    13: '1121',
    22: '051',
    25: '00',
    32: '123456',
    37: input.rrn ?? t.rrn,
    41: 'TERM0001',
    42: 'MERCHANT0000001',
    49: '840',
    ...input.extra,
  };
  if (input.pan !== null) fields[2] = input.pan ?? PAN;
  if (input.track2 !== undefined) fields[35] = input.track2;
  if (input.original !== undefined) fields[90] = input.original;
  if (input.authCode !== undefined) fields[38] = input.authCode;
  return { mti: input.mti ?? '0200', fields };
}

/** Field 90: original MTI + original STAN + original field 7 + 22 zeros. */
export function original(mti: string, stan: string, f7: string): string {
  return `${mti}${stan}${f7}${'0'.repeat(22)}`;
}

/** A reversal (0400/0401/0420/0421) of `orig`, naming it by RRN and field 90 unless told otherwise. */
export function reversalOf(
  orig: { fields: Record<number, unknown>; mti: string },
  opts: { mti?: string; byRrn?: boolean; by90?: boolean } = {},
): MessageInput {
  const t = trace();
  const f = orig.fields;
  const fields: Record<number, unknown> = { 3: f[3], 4: f[4], 7: t.f7, 11: t.stan, 41: f[41], 42: f[42], 49: f[49] };
  if (opts.byRrn !== false) fields[37] = f[37];
  if (opts.by90 !== false) fields[90] = original(orig.mti, f[11] as string, f[7] as string);
  return { mti: opts.mti ?? '0400', fields };
}

export function network(code: string): MessageInput {
  const t = trace();
  return { mti: '0800', fields: { 7: t.f7, 11: t.stan, 70: code } };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
