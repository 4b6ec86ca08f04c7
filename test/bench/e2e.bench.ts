// npm run bench:e2e: many terminals through the gateway and the acquirer stub, every authorization journaled
// durably (synchronous 'full') before its reply; then a bare TCP relay, measured by the same driver, as the ceiling.
//
// Layout on a 2-core machine: the gateway is one process, the acquirer stub another, the load driver (the terminal
// simulator's, terminal-sim/load) this one. The stub runs apart so that its work (decode, decide, ledger insert) never
// delays the driver's reading of replies, which would add to the latencies measured; the bare relay has the same
// layout (relay process, a host that approves everything, this driver), so the two rates compare the gateway with a
// do-nothing hop under the same harness. The relay is also
// run at the gateway's open-loop rate: that is the latency the harness itself adds (scheduling on 2 cores, sockets).
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { TestCards } from '../../terminal-sim/device/index.js';
import { loadTerminalIds, progressLine, runLoad, type LoadSummary } from '../../terminal-sim/load/index.js';
import { parseTarget } from '../../terminal-sim/transport/index.js';
import { probeSync } from './e2e/disk.js';
import { OwnView } from './e2e/own-view.js';
import { benchTempDir, CpuMeter, freePort, readyPort, runBench, startNode, stolenSince, waitHealthy, type Child } from './e2e/processes.js';

const GATEWAY_CLI = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url));
const STUB = fileURLToPath(new URL('./e2e/stub.js', import.meta.url));
const BARE = fileURLToPath(new URL('./e2e/bare.js', import.meta.url));

const GOAL = { rate: 10_000, p99Ms: 5, ofRelay: 0.5 } as const;
const WARMUP_MS = 3_000;
const RELAY_WARMUP_MS = 2_000;
const OPEN_LEAD_IN_MS = 1_000;
const MAX_CONNECTIONS = 5_000;
const MAX_DURATION_S = 300;
const DISK_PROBE_MS = 2_000;

const usage = `npm run bench:e2e -- [options]

Drives purchases from many terminals (the simulator's load driver, as \`terminal-sim load\` runs it, without chip
data) through the gateway (as its own process, journal synchronous=full) and the acquirer stub, closed loop for the
maximum rate, then open loop at half that rate for the latencies; then a bare TCP relay (bytes passed through
untouched to a host that approves everything) the same two ways: the ceiling, and the harness's own latency at that
rate; then the gateway once more with its journal in memory, for what durability costs. Prints detail lines, then one
summary line (the durable gateway's). Loopback only; every process it starts is stopped at the end.

  --connections N   terminal connections (default 200, at most ${MAX_CONNECTIONS})
  --duration S      seconds measured in each phase, after its warm-up (default 10, at most ${MAX_DURATION_S})
  --cpu-prof DIR    write a CPU profile of the gateway process (node --cpu-prof) into DIR
  --durable-only    skip the last phases: the gateway again with its journal in memory (no file, no sync), closed
                    loop and open loop at the same half-load rate, to show what durability costs
  -h, --help        this help`;

interface Options {
  connections: number;
  durationMs: number;
  cpuProf: string | undefined;
  durableOnly: boolean;
}

function options(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'durable-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const connections = Number(values.connections ?? 200);
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new TypeError(`--connections must be an integer from 1 to ${MAX_CONNECTIONS}`);
  }
  const duration = Number(values.duration ?? 10);
  if (!Number.isFinite(duration) || duration < 1 || duration > MAX_DURATION_S) {
    throw new TypeError(`--duration must be a number of seconds from 1 to ${MAX_DURATION_S}`);
  }
  return { connections, durationMs: Math.round(duration * 1000), cpuProf: values['cpu-prof'], durableOnly: values['durable-only'] === true };
}

const MERCHANT = 'MERCHANT0000001';
/** Terminal ids are field 41, exactly 8 characters: T0000001, T0000002, ... */
const terminalIds = (n: number): string[] => loadTerminalIds('T', 1, n);

const progress = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[K${line}`) : () => undefined;

/** What a phase measured, from the load driver's summary. */
interface Result {
  /** Approvals answered inside the measured window. */
  completed: number;
  /** Declines and link errors. */
  failed: number;
  /** Timed out, or due and never sent. */
  unanswered: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  /** Approvals answered in the warm-up plus the window: each must be in the journal. */
  approvals: number;
  codes: Record<string, number>;
}

let batch = 0;
/** One phase: `terminal-sim load`'s driver, warm-up first, CPU metered over the measured window only. */
async function load(
  what: string,
  port: number,
  connections: number,
  mode: 'closed' | 'open',
  rate: number | undefined,
  warmupMs: number,
  durationMs: number,
  window: { open(): void; close(): void },
): Promise<Result> {
  const s: LoadSummary = await runLoad({
    target: parseTarget(`tcp://127.0.0.1:${port}`),
    terminals: connections,
    prefix: 'T',
    first: 1,
    merchantId: MERCHANT,
    currency: '840',
    mode,
    rate: rate === undefined ? undefined : Math.max(1, Math.round(rate)),
    durationMs,
    warmupMs,
    // an amount ending 00: the stub approves it (other endings ask it to decline or misbehave)
    amount: 1000,
    card: { ...TestCards.visa },
    emv: false,
    timeoutMs: 5000,
    connectTimeoutMs: 10_000,
    // each phase its own batch: its STANs start at 1 again
    batch: ++batch,
    onWindow: window,
    onProgress: (p) => progress(`${what}: ${progressLine(p).trim()}`),
    progressIntervalMs: 1000,
  });
  return {
    completed: s.approved,
    failed: s.declined + s.errors,
    unanswered: s.timedOut + s.notSent + (connections - s.terminals),
    rate: s.achievedRate,
    p50: s.latencyMs.p50 ?? NaN,
    p99: s.latencyMs.p99 ?? NaN,
    max: s.latencyMs.max,
    approvals: s.approved + s.warmup.approved,
    codes: s.responseCodes,
  };
}
const endProgress = (): void => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};

/** The journal as configured for the run: durable (synchronous=full, a file) or, for comparison only, in memory. */
type Journal = 'durable' | 'memory';

async function startGateway(dir: string, opts: Options, stubPort: number, journal: Journal): Promise<{ gateway: Child; port: number; httpPort: number; dbPath: string }> {
  // the ready line is logged at info; at 'warn' the gateway says nothing, so its ports are chosen here
  const [port, httpPort] = [await freePort(), await freePort()];
  const dbPath = join(dir, 'gateway.db');
  const configPath = join(dir, 'gateway.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      listeners: [{ name: 'terminals', host: '127.0.0.1', port, maxConnections: opts.connections + 100 }],
      acquirers: [{ id: 'stub', host: '127.0.0.1', port: stubPort, acquiringInstitution: '123456' }],
      http: { host: '127.0.0.1', port: httpPort },
      store: { driver: 'sqlite', path: journal === 'memory' ? ':memory:' : dbPath, synchronous: 'full' },
      security: { panHashKey: 'b2'.repeat(32) },
      merchants: [{ id: MERCHANT, name: 'Bench Shop' }],
      terminals: terminalIds(opts.connections).map((id) => ({ id, merchantId: MERCHANT })),
      log: { level: 'warn' },
    }),
  );
  const prof = opts.cpuProf === undefined || journal === 'memory' ? [] : ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf];
  const gateway = startNode('gateway', [...prof, GATEWAY_CLI, 'run', '--config', configPath]);
  // healthy = listening, and the acquirer link signed on
  await waitHealthy(`http://127.0.0.1:${httpPort}/health`, 15_000, gateway);
  return { gateway, port, httpPort, dbPath };
}

interface Phase {
  result: Result;
  /** CPU of each process over the measured window. */
  cpu: string;
}

/**
 * The gateway closed loop, then open loop at `openRate` (default: half the closed loop's rate); for a durable journal,
 * the approved rows it holds afterwards.
 */
async function measureGateway(
  dir: string,
  opts: Options,
  journal: Journal,
  openRate?: number,
): Promise<{ max: Phase; open: Phase; openOwnView: string; journaled: number; expected: number }> {
  const stub = startNode('acquirer stub', [STUB]);
  try {
    const stubPort = await readyPort(stub);
    const { gateway, port, httpPort, dbPath } = await startGateway(dir, opts, stubPort, journal);
    try {
      const meter = new CpuMeter({ gateway: gateway.process.pid, stub: stub.process.pid });
      const n = opts.connections;
      const max = { result: await load('gateway, closed loop', port, n, 'closed', undefined, WARMUP_MS, opts.durationMs, meter), cpu: meter.toString() };
      const half = openRate ?? max.result.rate / 2;
      const view = new OwnView(`http://127.0.0.1:${httpPort}/metrics`);
      const both = {
        open: () => (meter.open(), view.open()),
        close: () => (meter.close(), view.close()),
      };
      const open = { result: await load(`gateway, open loop at ${fmt(half)}/s`, port, n, 'open', half, OPEN_LEAD_IN_MS, opts.durationMs, both), cpu: meter.toString() };
      const openOwnView = await view.describe();
      // a clean stop: the gateway commits what it holds, and a CPU profile gets written
      await gateway.stop(10_000);
      const expected = max.result.approvals + open.result.approvals;
      if (journal === 'memory') return { max, open, openOwnView, journaled: expected, expected };
      const db = new Database(dbPath, { readonly: true });
      const journaled = (db.prepare(`SELECT count(*) AS n FROM transactions WHERE state = 'approved'`).get() as { n: number }).n;
      db.close();
      return { max, open, openOwnView, journaled, expected };
    } finally {
      await gateway.stop();
    }
  } finally {
    await stub.stop();
  }
}

/** The ceiling, closed loop; then the same open-loop rate as the gateway's, for the harness's own latency there. */
async function measureRelay(opts: Options, openRate: number): Promise<{ max: Phase; open: Phase }> {
  const host = startNode('bare host', [BARE, 'host']);
  try {
    const relay = startNode('bare relay', [BARE, 'relay', String(await readyPort(host))]);
    try {
      const meter = new CpuMeter({ relay: relay.process.pid, host: host.process.pid });
      const port = await readyPort(relay);
      const n = opts.connections;
      const max = { result: await load('bare relay, closed loop', port, n, 'closed', undefined, RELAY_WARMUP_MS, opts.durationMs, meter), cpu: meter.toString() };
      const open = {
        result: await load(`bare relay, open loop at ${fmt(openRate)}/s`, port, n, 'open', openRate, OPEN_LEAD_IN_MS, opts.durationMs, meter),
        cpu: meter.toString(),
      };
      return { max, open };
    } finally {
      await relay.stop();
    }
  } finally {
    await host.stop();
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const stealNote = (share: number | undefined): string => (share === undefined ? '' : `; ${Math.round(share * 100)}% of the CPU time taken by the hypervisor`);
const ms = (n: number): string => n.toFixed(2);
const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
const broken = (r: Result): boolean => r.failed > 0 || r.unanswered > 0;

function detail(name: string, what: string, unit: string, { result: r, cpu }: Phase): string {
  return (
    `  ${name.padEnd(10)} ${what}: ${fmt(r.rate)} ${unit}, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms ` +
    `(${fmt(r.completed)} measured, ${r.failed} failed, ${r.unanswered} unanswered; CPU ${cpu})`
  );
}

async function main(argv: string[]): Promise<number> {
  const opts = options(argv);
  if (opts === 'help') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  for (const file of [GATEWAY_CLI, STUB, BARE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first (npm run bench:e2e does)`);
  }
  const began = performance.now();
  const loadBefore = loadavg()[0];
  const stolen = stolenSince();
  const dir = benchTempDir('posgw-bench-');
  progress(`disk: fdatasync for ${DISK_PROBE_MS / 1000} s`);
  const disk = probeSync(dir, DISK_PROBE_MS, GOAL.p99Ms);
  const gw = await measureGateway(dir, opts, 'durable');
  const half = gw.max.result.rate / 2;
  const relay = await measureRelay(opts, half);
  const memory = opts.durableOnly ? undefined : await measureGateway(dir, opts, 'memory', half);
  endProgress();
  const share = gw.max.result.rate / relay.max.result.rate;
  const n = opts.connections;
  const s = opts.durationMs / 1000;
  console.log(detail('gateway', `closed loop, ${n} connections, ${s} s`, 'auth/s', gw.max));
  console.log(detail('gateway', `open loop at ${fmt(half)}/s, ${s} s`, 'auth/s', gw.open));
  console.log(`  ${''.padEnd(10)} the gateway's own view of that window: ${gw.openOwnView}`);
  console.log(detail('bare relay', `closed loop, ${n} connections, ${s} s`, 'auth/s', relay.max));
  console.log(detail('bare relay', `open loop at ${fmt(half)}/s, ${s} s`, 'auth/s', relay.open));
  if (memory !== undefined) {
    // what the journal's durability costs: the same gateway with nothing written to a file, nothing synced
    console.log(detail('in memory', `closed loop, ${n} connections, ${s} s`, 'auth/s', memory.max));
    console.log(detail('in memory', `open loop at ${fmt(half)}/s, ${s} s`, 'auth/s', memory.open));
    console.log(
      `  ${''.padEnd(10)} the gateway with its journal in memory (no file, no sync: no durability; for comparison only): ` +
        `${Math.round((memory.max.result.rate / relay.max.result.rate) * 100)}% of bare relay; the durable journal costs ` +
        `${Math.round((1 - gw.max.result.rate / memory.max.result.rate) * 100)}% of its rate`,
    );
  }
  console.log(`  ${'journal'.padEnd(10)} ${fmt(gw.journaled)} approved rows for ${fmt(gw.expected)} approvals answered (synchronous=full, in ${tmpdir()})`);
  // two syncs stand between a terminal's request and its answer: the disk's own tail is a floor under the gateway's p99
  console.log(
    `  ${'disk'.padEnd(10)} fdatasync after a 16 kB write, alone, ${DISK_PROBE_MS / 1000} s: p50 ${ms(disk.p50)} ms, p99 ${ms(disk.p99)} ms, ` +
      `max ${ms(disk.max)} ms (${fmt(disk.syncs)} syncs, ${disk.slow} over ${GOAL.p99Ms} ms)`,
  );
  console.log(
    `  ${'goals'.padEnd(10)} ${fmt(GOAL.rate)} auth/s: ${met(gw.max.result.rate >= GOAL.rate)}; ` +
      `p99 under ${GOAL.p99Ms} ms at half load: ${met(gw.open.result.p99 < GOAL.p99Ms)}; ` +
      `${GOAL.ofRelay * 100}% of bare relay: ${met(share >= GOAL.ofRelay)}`,
  );
  const phases = [gw.max, gw.open, relay.max, relay.open, ...(memory === undefined ? [] : [memory.max, memory.open])];
  const unexpected = phases.flatMap((p) => Object.entries(p.result.codes).filter(([rc]) => rc !== '00'));
  if (unexpected.length > 0) console.log(`  ${'unexpected'.padEnd(10)} response codes other than 00: ${unexpected.map(([rc, n]) => `${rc} x${n}`).join(', ')}`);
  // other work on the machine takes CPU from the processes measured: the load average says how much there was
  console.log(
    `  ${'took'.padEnd(10)} ${((performance.now() - began) / 1000).toFixed(1)} s on ${availableParallelism()} CPUs ` +
      `(1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after${stealNote(stolen())})`,
  );
  console.log(
    `e2e: ${fmt(gw.max.result.rate)} auth/s, p50 ${ms(gw.open.result.p50)} ms, p99 ${ms(gw.open.result.p99)} ms at ${fmt(half)} auth/s, ` +
      `${Math.round(share * 100)}% of bare relay`,
  );
  // the numbers stand only if every request got the answer expected and every approval reached the journal
  return phases.some((p) => broken(p.result)) || gw.journaled < gw.expected ? 1 : 0;
}

runBench('bench:e2e', usage, main, endProgress);
