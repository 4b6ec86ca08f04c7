import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { builtinSpecs, codecFor, encodeFrame, FrameDecoder, tpdu, type Frame } from '../../../protocol/index.js';

/**
 * A lean load driver speaking the terminal link profile (2-byte length, TPDU, iso87binary): one purchase in flight
 * per connection in the closed loop, a fixed schedule in the open loop. Replies are matched by STAN.
 */

const codec = codecFor(builtinSpecs.iso87binary);
const TPDU = tpdu(0x0001, 0x0000);
const MERCHANT = 'MERCHANT0000001';
const PAN = '4761739001010119';

/** 'approval': a gateway answers 0210 with 39 = '00'. 'echo': the bare relay's upstream sends the request back. */
export type Expect = 'approval' | 'echo';

export interface Result {
  /** Replies received and checked inside the measured window. */
  completed: number;
  /** Replies that were not what was expected (not 00, wrong MTI or STAN), inside the window or not. */
  failed: number;
  /** Requests still unanswered when the drain after the window gave up. */
  unanswered: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
}

/** Latencies in ms, kept while the window is open; bounded by `limit` samples. */
class Recorder {
  private samples = new Float64Array(1 << 16);
  count = 0;
  /** Every reply, measured or not: the progress line counts these. */
  seen = 0;
  failed = 0;
  active = false;
  constructor(private readonly limit: number) {}

  add(ms: number): void {
    if (this.count === this.samples.length) {
      if (this.count >= this.limit) return;
      const bigger = new Float64Array(Math.min(this.limit, this.count * 2));
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ms;
  }

  percentiles(): { p50: number; p99: number; max: number } {
    if (this.count === 0) return { p50: NaN, p99: NaN, max: NaN };
    const sorted = this.samples.slice(0, this.count).sort();
    const at = (q: number): number => sorted[Math.min(this.count - 1, Math.max(0, Math.ceil(q * this.count) - 1))];
    return { p50: at(0.5), p99: at(0.99), max: sorted[this.count - 1] };
  }
}

/** `ok`: the expected reply; `counted`: its request went out inside the measured window. */
type OnReply = (conn: Connection, latencyMs: number, ok: boolean, counted: boolean) => void;

/** What the first unexpected reply of the run was: MTI and response code, no other field. */
export let firstUnexpected: string | undefined;

/**
 * One terminal's purchase (fields 2, 3, 4, 11, 12, 13, 14, 22, 25, 41, 42, 49, 60, 62, as a terminal sends them),
 * framed once by the codec; each request copies the frame and writes its STAN into the 3 BCD bytes of field 11, so
 * the driver spends its time on sockets rather than on encoding the same message again.
 */
class PurchaseTemplate {
  private readonly frame: Buffer;
  private readonly stanAt: number;

  constructor(terminalId: string, clock: { date: string; time: string }) {
    const encode = (stan: string): Buffer =>
      encodeFrame(
        codec.encode(
          {
            mti: '0200',
            fields: {
              2: PAN,
              3: '000000',
              // an amount ending 00: the stub approves it (other endings ask it to decline or misbehave)
              4: '000000001000',
              11: stan,
              12: clock.time,
              13: clock.date,
              14: '2812',
              22: '051',
              25: '00',
              41: terminalId,
              42: MERCHANT,
              49: '840',
              60: '000001',
              62: '000001',
            },
          },
          { pad: true },
        ),
        { header: 'binary2', tpdu: TPDU },
      );
    this.frame = encode('000000');
    const other = encode('999999');
    const diff = [...this.frame.keys()].filter((i) => this.frame[i] !== other[i]);
    this.stanAt = diff[0];
    // field 11 is n6 BCD: exactly 3 bytes change, side by side; checked against the codec before any load is sent
    if (diff.length !== 3 || diff[2] !== diff[0] + 2 || !this.next(123456).equals(encode('123456'))) {
      throw new Error('the purchase template does not patch like the codec encodes');
    }
  }

  next(stan: number): Buffer {
    const frame = Buffer.from(this.frame);
    for (let i = 2, n = stan; i >= 0; i--, n = Math.floor(n / 100)) frame[this.stanAt + i] = (Math.floor(n / 10) % 10 << 4) | n % 10;
    return frame;
  }
}

class Connection {
  private readonly decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8192 });
  /** STAN -> [write time (ms), counted in the window]. */
  readonly inFlight = new Map<string, [number, boolean]>();
  private stan = 0;
  onReply: OnReply = () => undefined;
  /** Replies matching no request in flight. */
  strays = 0;
  closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly template: PurchaseTemplate,
    private readonly expect: Expect,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.decoder.append(chunk);
      for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) this.receive(frame);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  /** Writes the next purchase; its latency counts from now. */
  send(counted: boolean): void {
    // STANs are unique per terminal for the whole run: 999,999 of them outlast any bounded run at these rates
    this.stan = (this.stan % 999_999) + 1;
    this.inFlight.set(String(this.stan).padStart(6, '0'), [performance.now(), counted]);
    this.socket.write(this.template.next(this.stan));
  }

  private receive(frame: Frame): void {
    const now = performance.now();
    const msg = codec.decode(frame.payload);
    const stan = msg.fields[11];
    const sent = typeof stan === 'string' ? this.inFlight.get(stan) : undefined;
    if (sent === undefined) {
      this.strays++;
      return;
    }
    this.inFlight.delete(stan as string);
    const ok = this.expect === 'echo' ? msg.mti === '0200' : msg.mti === '0210' && msg.fields[39] === '00';
    if (!ok) firstUnexpected ??= `MTI ${msg.mti}, response code ${String(msg.fields[39] ?? 'none')}`;
    this.onReply(this, now - sent[0], ok, sent[1]);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface DriverOptions {
  port: number;
  terminalIds: readonly string[];
  expect: Expect;
  /** Called about once a second while a phase runs. */
  progress?: (what: string) => void;
  /** Called as each measured window opens and closes (to meter CPU over exactly that time). */
  window?: { open(): void; close(): void };
}

export class Driver {
  /** Expected replies over every phase, warm-ups included (approvals, for a gateway). */
  expected = 0;

  private constructor(
    private readonly conns: Connection[],
    private readonly progress: (what: string) => void,
    private readonly window: { open(): void; close(): void },
  ) {}

  /** Opens one connection per terminal id (bounded: 10 s for all of them). */
  static async connect(opts: DriverOptions): Promise<Driver> {
    const now = new Date();
    const two = (n: number): string => String(n).padStart(2, '0');
    const clock = { date: two(now.getMonth() + 1) + two(now.getDate()), time: two(now.getHours()) + two(now.getMinutes()) + two(now.getSeconds()) };
    const templates = opts.terminalIds.map((id) => new PurchaseTemplate(id, clock));
    const sockets = await Promise.allSettled(
      templates.map(
        (template) =>
          new Promise<Connection>((resolve, reject) => {
            const s = net.connect({ port: opts.port, host: '127.0.0.1', timeout: 10_000 });
            s.once('connect', () => {
              s.setTimeout(0);
              resolve(new Connection(s, template, opts.expect));
            });
            s.once('timeout', () => s.destroy(new Error('connect timed out')));
            s.once('error', reject);
          }),
      ),
    );
    const conns = sockets.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = sockets.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      for (const c of conns) c.close();
      throw new Error(`could not open ${sockets.length - conns.length} of ${sockets.length} connections: ${String(failed.reason)}`);
    }
    return new Driver(conns, opts.progress ?? (() => undefined), opts.window ?? { open: () => undefined, close: () => undefined });
  }

  /**
   * Every connection sends its next request as soon as the previous one is answered. Runs `warmupMs` unmeasured,
   * then measures the replies that arrive in the next `durationMs` (by arrival, so `counted` is not used here).
   */
  async closedLoop(label: string, warmupMs: number, durationMs: number): Promise<Result> {
    const rec = new Recorder(20_000_000);
    let running = true;
    for (const c of this.conns) {
      c.onReply = (conn, ms, ok) => {
        rec.seen++;
        if (!ok) rec.failed++;
        else if (rec.active) rec.add(ms);
        if (running && !conn.closed) conn.send(false);
      };
    }
    for (const c of this.conns) c.send(false);
    await this.tick(`${label} warm-up`, warmupMs, () => rec.seen);
    if (rec.failed > 0 || rec.seen === 0) {
      running = false;
      const what = rec.seen === 0 ? 'no reply at all' : `${rec.failed} of ${rec.seen} replies unexpected, the first: ${firstUnexpected}`;
      throw new Error(`${label}: the warm-up went wrong (${what}); nothing measured`);
    }
    rec.active = true;
    this.window.open();
    const start = performance.now();
    await this.tick(label, durationMs, () => rec.seen);
    rec.active = false;
    const seconds = (performance.now() - start) / 1000;
    this.window.close();
    running = false;
    return this.finish(rec, seconds);
  }

  /**
   * Requests go out on a fixed schedule, `rate` a second across the connections in turn, whatever the replies do
   * (a connection may have several in flight), so a slow or stalled peer cannot slow the load and hide its delays.
   * Latency counts from each request's write: the 1 ms timer that keeps the schedule (catching up when late) is
   * the driver's own jitter, not the peer's. The first `leadInMs` of the schedule is not measured.
   */
  async openLoop(label: string, rate: number, leadInMs: number, durationMs: number): Promise<Result> {
    if (!(rate > 0)) throw new RangeError(`${label}: the rate must be above 0`);
    const rec = new Recorder(Math.ceil(rate * (durationMs / 1000) * 1.1) + 1000);
    for (const c of this.conns) {
      c.onReply = (_conn, ms, ok, counted) => {
        rec.seen++;
        if (!ok) rec.failed++;
        else if (counted) rec.add(ms);
      };
    }
    const start = performance.now();
    const windowStart = start + leadInMs;
    const windowEnd = windowStart + durationMs;
    const interval = 1000 / rate;
    let due = 0;
    let turn = 0;
    const timer = setInterval(() => {
      const now = Math.min(performance.now(), windowEnd);
      for (let at = start + due * interval; at <= now; at = start + ++due * interval) {
        const conn = this.conns[turn++ % this.conns.length];
        if (!conn.closed) conn.send(at >= windowStart);
      }
    }, 1);
    try {
      await this.tick(`${label} lead-in`, leadInMs, () => rec.seen);
      this.window.open();
      await this.tick(label, durationMs, () => rec.seen);
      this.window.close();
    } finally {
      clearInterval(timer);
    }
    return this.finish(rec, durationMs / 1000);
  }

  /** Waits (bounded, 10 s) for the requests still in flight, so the next phase starts from a quiet system. */
  private async finish(rec: Recorder, seconds: number): Promise<Result> {
    const end = Date.now() + 10_000;
    const pending = (): number => this.conns.reduce((n, c) => n + (c.closed ? 0 : c.inFlight.size), 0);
    while (pending() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    const unanswered = this.conns.reduce((n, c) => n + c.inFlight.size, 0);
    const strays = this.conns.reduce((n, c) => n + c.strays, 0);
    for (const c of this.conns) {
      c.inFlight.clear();
      c.strays = 0;
      c.onReply = () => undefined;
    }
    this.expected += rec.seen - rec.failed;
    return { completed: rec.count, failed: rec.failed + strays, unanswered, seconds, rate: rec.count / seconds, ...rec.percentiles() };
  }

  private async tick(label: string, ms: number, count: () => number): Promise<void> {
    const start = performance.now();
    let last = count();
    let lastAt = start;
    for (let left = ms; left > 0; left = ms - (performance.now() - start)) {
      await new Promise((r) => setTimeout(r, Math.min(1000, left)));
      const now = performance.now();
      const n = count();
      this.progress(`${label}: ${Math.min(ms, now - start) / 1000 | 0}/${ms / 1000} s, ${Math.round(((n - last) * 1000) / (now - lastAt))}/s`);
      last = n;
      lastAt = now;
      if (this.conns.every((c) => c.closed)) throw new Error('every connection closed during the run');
    }
  }

  close(): void {
    for (const c of this.conns) c.close();
  }
}
