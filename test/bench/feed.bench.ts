// npm run bench:feed: many WebSocket clients on the settlement feed while terminals carry purchases through the
// gateway and the acquirer stub. For every event each client receives: the delay from the moment the event was
// written to the journal (a high-resolution timestamp taken in the store's appendEvents) to the client's receipt, and
// whether every client got every event of its merchant exactly once, in order.
//
// Layout on a 2-core machine: the gateway and the WebSocket clients share this process (so the write and the receipt
// are timed on one clock); the acquirer stub and the terminal load each run as a process of their own. A first phase
// with a single client (the operator's feed, every event) is the baseline: what the same pipeline costs unloaded.
import { writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { WebSocket } from 'ws';
import { startGateway, type RunningGateway } from '../../gateway/app.js';
import { loadConfig } from '../../gateway/config/index.js';
import type { FeedEvent, NewFeedEvent } from '../../gateway/feed/types.js';
import { SqliteStore } from '../../gateway/store/sqlite.js';
import { benchTempDir, freePort, readyPort, runBench, startNode } from './e2e/processes.js';

const STUB = fileURLToPath(new URL('./e2e/stub.js', import.meta.url));
const LOAD = fileURLToPath(new URL('./feed/load.js', import.meta.url));

const GOAL_P99_MS = 100;
const MAX_CLIENTS = 10_000;
const MAX_DURATION_S = 300;
const CONNECT_CONCURRENCY = 100;
const SETTLE_MS = 30_000;
const TERMINALS_PER_MERCHANT = 2;
const ADMIN_TOKEN = 'bench-operator-token-0000';

const usage = `npm run bench:feed -- [options]

Connects many WebSocket clients to the gateway's /feed (spread evenly over the merchants of a generated config) while
terminals send purchases (open loop) through the gateway and the acquirer stub. Measures, for every event each client
receives, the delay from the journal write to the receipt, and checks every client got every event of its merchant
exactly once, in order. A first phase with one client (the operator's feed) gives the baseline. Prints detail lines,
then one summary line; exits 1 when an event was missed or repeated.

  --clients N     WebSocket clients (default 1000, at most ${MAX_CLIENTS})
  --merchants N   merchants the clients and terminals are spread over (default 50)
  --rate N        purchases per second, all merchants together (default 300)
  --duration S    seconds of load in each phase (default 10, at most ${MAX_DURATION_S})
  -h, --help      this help`;

interface Options {
  clients: number;
  merchants: number;
  rate: number;
  durationMs: number;
}

function int(v: string | undefined, fallback: number, name: string, min: number, max: number): number {
  const n = Number(v ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max) throw new TypeError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function options(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { clients: { type: 'string' }, merchants: { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const merchants = int(values.merchants, 50, 'merchants', 1, 999);
  return {
    clients: int(values.clients, 1000, 'clients', 1, MAX_CLIENTS),
    merchants,
    rate: int(values.rate, 300, 'rate', merchants, 100_000),
    durationMs: int(values.duration, 10, 'duration', 1, MAX_DURATION_S) * 1000,
  };
}

/** The journal, timing each event's write: the timestamp is taken as appendEvents runs, in the group commit's turn. */
class TimedStore extends SqliteStore {
  readonly written = new Map<number, number>();

  override appendEvents(events: NewFeedEvent[]): Promise<FeedEvent[]> {
    const at = performance.now();
    const journaled = super.appendEvents(events);
    // registered before the feed's own continuation, so the time is known when the event is delivered
    void journaled.then(
      (done) => {
        for (const e of done) this.written.set(e.id, at);
      },
      () => undefined,
    );
    return journaled;
  }
}

const merchantId = (i: number): string => `BENCHM${String(i + 1).padStart(5, '0')}`;
const merchantToken = (i: number): string => `bench-merchant-token-${String(i + 1).padStart(5, '0')}`;
/** Terminal ids are 8 characters: F, the merchant's number, then the terminal's. */
const terminalPrefix = (i: number): string => `F${String(i + 1).padStart(3, '0')}`;

/** One feed client: checks order and completeness as it receives, and keeps each event's delay. */
class BenchClient {
  start: number | undefined;
  last = 0;
  received = 0;
  repeated = 0;
  gaps = 0;
  closed: { code: number; reason: string } | undefined;
  private readonly ws: WebSocket;
  readonly live: Promise<void>;

  constructor(port: number, token: string, readonly scope: string | null, written: Map<number, number>, delays: number[]) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/feed`, { perMessageDeflate: false });
    let onLive!: () => void;
    let onFail!: (e: Error) => void;
    this.live = new Promise((resolve, reject) => {
      onLive = resolve;
      onFail = reject;
    });
    this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'hello', token })));
    this.ws.on('error', (e) => onFail(e));
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      onFail(new Error(`feed client closed: ${code} ${reason.toString()}`));
    });
    this.ws.on('message', (data) => {
      const now = performance.now();
      const msg = JSON.parse(data.toString()) as { type: string; seq: number; id: number };
      if (msg.type === 'event') {
        const cursor = this.scope === null ? msg.id : msg.seq;
        if (cursor <= this.last) this.repeated++;
        else {
          this.gaps += cursor - this.last - 1;
          this.last = cursor;
          this.received++;
        }
        const at = written.get(msg.id);
        if (at !== undefined) delays.push(now - at);
      } else if (msg.type === 'snapshot') {
        this.start = msg.seq;
        this.last = msg.seq;
      } else if (msg.type === 'live') onLive();
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

async function connectAll(count: number, make: (i: number) => BenchClient): Promise<BenchClient[]> {
  const out: BenchClient[] = [];
  for (let i = 0; i < count; i += CONNECT_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - i) }, (_, k) => make(i + k));
    out.push(...batch);
    await Promise.all(batch.map((c) => c.live));
  }
  return out;
}

interface LoadResult {
  approved: number;
  declined: number;
  timedOut: number;
  errors: number;
  notSent: number;
  connectFailures: number;
  p99: number;
}

let batchNo = 0;
async function runLoad(port: number, opts: Options): Promise<LoadResult> {
  const args = {
    port,
    merchants: Array.from({ length: opts.merchants }, (_, i) => ({ id: merchantId(i), prefix: terminalPrefix(i) })),
    terminalsPerMerchant: TERMINALS_PER_MERCHANT,
    ratePerMerchant: Math.max(1, Math.round(opts.rate / opts.merchants)),
    durationMs: opts.durationMs,
    batch: ++batchNo,
  };
  const child = startNode('terminal load', [LOAD, JSON.stringify(args)]);
  const summary = new Promise<LoadResult>((resolve, reject) => {
    child.lines.on('line', (line) => {
      if (line.startsWith('{"approved"')) resolve(JSON.parse(line) as LoadResult);
    });
    void child.exited.then((code) => reject(new Error(`the terminal load exited with code ${code} without a summary`)));
  });
  return summary;
}

/** Waits until every client has the last event of its scope (or SETTLE_MS passes). */
async function settle(gw: RunningGateway, clients: BenchClient[]): Promise<void> {
  const end = Date.now() + SETTLE_MS;
  while (Date.now() < end && clients.some((c) => c.closed === undefined && c.last < gw.feed.cursor(c.scope))) await new Promise((r) => setTimeout(r, 50));
}

interface PhaseResult {
  clients: number;
  events: number;
  expected: number;
  missed: number;
  repeated: number;
  closed: number;
  delays: Float64Array;
  load: LoadResult;
  /** From the first connection to the last client's 'live' (snapshot and all). */
  connectMs: number;
}

async function phase(gw: RunningGateway, store: TimedStore, opts: Options, clientCount: number, baseline: boolean): Promise<PhaseResult> {
  const delays: number[] = [];
  const port = gw.ports.http;
  const connecting = performance.now();
  const clients = await connectAll(clientCount, (i) =>
    baseline ? new BenchClient(port, ADMIN_TOKEN, null, store.written, delays) : new BenchClient(port, merchantToken(i % opts.merchants), merchantId(i % opts.merchants), store.written, delays),
  );
  for (const c of clients) c.live.catch(() => undefined);
  const connectMs = performance.now() - connecting;
  const load = await runLoad(gw.ports.listeners.terminals, opts);
  await settle(gw, clients);
  let expected = 0;
  let received = 0;
  let repeated = 0;
  let closed = 0;
  for (const c of clients) {
    // ids and seqs have no gaps: the events a client should have are those after its snapshot up to the cursor now
    expected += gw.feed.cursor(c.scope) - (c.start ?? 0);
    received += c.received;
    repeated += c.repeated;
    if (c.closed !== undefined) closed++;
    c.close();
  }
  return { clients: clientCount, events: received, expected, missed: expected - received, repeated, closed, delays: Float64Array.from(delays).sort(), load, connectMs };
}

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(2);

function delayText(d: Float64Array): string {
  return `delay p50 ${ms(pct(d, 50))} ms, p99 ${ms(pct(d, 99))} ms, max ${ms(d.length === 0 ? NaN : d[d.length - 1])} ms`;
}

function loadText(l: LoadResult): string {
  return `${fmt(l.approved)} approved, ${l.declined} declined, ${l.timedOut} timed out, ${l.errors + l.notSent + l.connectFailures} errors; answer p99 ${ms(l.p99)} ms`;
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (opts === 'help') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  for (const file of [STUB, LOAD]) if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm run bench:feed does)`);
  const began = performance.now();
  const loadBefore = loadavg()[0];
  const dir = benchTempDir('posgw-bench-feed-');
  const stub = startNode('acquirer stub', [STUB]);
  let gw: RunningGateway | undefined;
  try {
    const stubPort = await readyPort(stub);
    const configPath = join(dir, 'gateway.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        listeners: [{ name: 'terminals', host: '127.0.0.1', port: await freePort() }],
        acquirers: [{ id: 'stub', host: '127.0.0.1', port: stubPort, acquiringInstitution: '123456' }],
        http: { host: '127.0.0.1', port: 0, adminToken: ADMIN_TOKEN },
        store: { driver: 'sqlite', path: join(dir, 'gateway.db'), synchronous: 'full' },
        security: { panHashKey: 'c3'.repeat(32) },
        merchants: Array.from({ length: opts.merchants }, (_, i) => ({ id: merchantId(i), name: `Bench shop ${i + 1}`, apiToken: merchantToken(i) })),
        terminals: Array.from({ length: opts.merchants }, (_, i) =>
          Array.from({ length: TERMINALS_PER_MERCHANT }, (_, k) => ({ id: `${terminalPrefix(i)}${String(k + 1).padStart(4, '0')}`, merchantId: merchantId(i) })),
        ).flat(),
        feed: { maxClients: opts.clients + 100 },
        log: { level: 'warn' },
      }),
    );
    const config = loadConfig(configPath, {});
    const store = new TimedStore({ path: config.store.path, synchronous: config.store.synchronous });
    gw = await startGateway(config, { store, logger: pino({ level: 'warn' }, pino.destination(2)) });
    const end = Date.now() + 10_000;
    while ([...gw.links.values()].some((l) => l.state !== 'up')) {
      if (Date.now() > end) throw new Error('the acquirer link did not come up within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }

    const base = await phase(gw, store, opts, 1, true);
    const full = await phase(gw, store, opts, opts.clients, false);
    const s = opts.durationMs / 1000;
    const perMerchant = Math.round(opts.rate / opts.merchants);
    console.log(`  ${'load'.padEnd(9)} ${fmt(perMerchant * opts.merchants)} purchases/s offered for ${s} s per phase, ${opts.merchants} merchants x ${TERMINALS_PER_MERCHANT} terminals`);
    console.log(`  ${'baseline'.padEnd(9)} 1 client (operator feed, every event): ${fmt(base.events)} events, ${delayText(base.delays)}; load ${loadText(base.load)}`);
    console.log(
      `  ${'clients'.padEnd(9)} ${fmt(full.clients)} (about ${fmt(full.clients / opts.merchants)} per merchant): ${fmt(full.events)} events received of ${fmt(full.expected)}, ` +
        `${full.missed} missed, ${full.repeated} repeated, ${full.closed} closed early; ${delayText(full.delays)}; load ${loadText(full.load)}; ` +
        `all connected and live in ${fmt(full.connectMs)} ms`,
    );
    console.log(`  ${'goal'.padEnd(9)} p99 under ${GOAL_P99_MS} ms: ${pct(full.delays, 99) < GOAL_P99_MS ? 'met' : 'MISSED'}; nothing missed: ${full.missed === 0 && full.repeated === 0 ? 'met' : 'MISSED'}`);
    console.log(
      `  ${'took'.padEnd(9)} ${((performance.now() - began) / 1000).toFixed(1)} s on ${availableParallelism()} CPUs ` +
        `(1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after)`,
    );
    console.log(
      `feed: ${full.clients} clients, event delay p99 ${ms(pct(full.delays, 99))} ms, missed ${full.missed + base.missed}` +
        `${full.repeated + base.repeated > 0 ? `, repeated ${full.repeated + base.repeated}` : ''} (baseline, 1 client: p99 ${ms(pct(base.delays, 99))} ms)`,
    );
    return full.missed + base.missed + full.repeated + base.repeated + full.closed + base.closed === 0 && full.events > 0 ? 0 : 1;
  } finally {
    await gw?.close();
    await stub.stop();
  }
}

runBench('bench:feed', usage, main);
