import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../gateway/store/sqlite.js';
import { startAcquirer, type AcquirerStub } from '../../terminal-sim/acquirer/index.js';
import { PAN_KEY, waitFor } from './stack.js';
import { sale, TestTerminal } from './terminal-client.js';

// the gateway runs as a real process (built by `npm test`) under strace, which makes the kernel fail its fdatasync
// calls with EIO: a disk going bad under load, as near as this machine gets to one
const CLI = fileURLToPath(new URL('../../dist/gateway/cli.js', import.meta.url));
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));
/** strace counts per thread: each thread's fdatasync calls fail from this one on (startup takes a few). */
const FAILING_FROM = 25;
const TERMINALS = [1, 2, 3, 4];

let dir: string;
let stub: AcquirerStub;
let configPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posgw-diskfail-'));
  // a little acquirer latency keeps requests in flight upstream when the journal stops
  stub = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'acquirer.db'), latencyMs: 20, logger: pino({ level: 'silent' }) });
  configPath = join(dir, 'gateway.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      listeners: [{ name: 'terminals', host: '127.0.0.1', port: 0 }],
      acquirers: [{ id: 'stub', host: '127.0.0.1', port: stub.port, deadlineMs: 2000, reconnect: { initialMs: 50, maxMs: 500, jitter: 0.1 } }],
      http: { host: '127.0.0.1', port: 0 },
      store: { driver: 'sqlite', path: join(dir, 'gateway.db'), synchronous: 'full' },
      saf: { retryInitialMs: 100, retryMaxMs: 500, pollMs: 50, strandedCheckMs: 100 },
      security: { panHashKey: PAN_KEY },
      merchants: [{ id: 'MERCHANT0000001', name: 'Disk Test Shop' }],
      terminals: TERMINALS.map((i) => ({ id: `TERM000${i}`, merchantId: 'MERCHANT0000001' })),
      log: { level: 'info' },
    }),
  );
});
afterAll(async () => {
  // a failed test leaves its gateway running: killing strace would only detach it, so the gateway's own pid, from the
  // journal's owner file (there while it runs)
  try {
    process.kill(gatewayPid(), 'SIGKILL');
  } catch {
    // none running
  }
  await stub?.close();
});

const gatewayPid = (): number => (JSON.parse(readFileSync(join(dir, 'gateway.db-owner.json'), 'utf8')) as { pid: number }).pid;

interface Running {
  child: ChildProcess;
  port: number;
  http: number;
  exited: Promise<unknown>;
  lines: Record<string, unknown>[];
}

/** Starts the gateway (under `wrap`, when given) and resolves once it logged "gateway started". */
function startProcess(wrap: string[] = []): Promise<Running> {
  const [cmd, ...args] = [...wrap, process.execPath, CLI, 'run', '--config', configPath];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, UV_USE_IO_URING: '0' } });
  const exited = new Promise((r) => child.once('exit', r));
  const lines: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway did not start in 15 s')), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const l = JSON.parse(line) as Record<string, unknown> & { listeners?: { terminals: number }; http?: number };
      lines.push(l);
      if (l.msg !== 'gateway started') return;
      clearTimeout(timer);
      resolve({ child, port: l.listeners!.terminals, http: l.http!, exited, lines });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited early with code ${code}`)));
  });
}

describe.skipIf(STRACE === undefined)('the journal\'s disk fails under load', () => {
  it('stops forwarding at once (96, health 503, a fatal line), and a restart leaves every approval journaled or reversed', async () => {
    const gw = await startProcess([STRACE!, '-f', '--seccomp-bpf', '-qq', '-o', '/dev/null', '-e', 'trace=fdatasync', '-e', `inject=fdatasync:error=EIO:when=${FAILING_FROM}+`]);
    const terminals = await Promise.all(TERMINALS.map(() => TestTerminal.connect(gw.port)));
    const approvedAtTerminal = new Set<string>();
    // whole units: the stub approves them (other cents ask it to decline or misbehave)
    let amount = 10_000;
    // each terminal sends until it has been answered 96 three times in a row (bounded: 2,000 requests)
    const answers = await Promise.all(
      terminals.map(async (t, i) => {
        const codes: string[] = [];
        while (codes.length < 2_000 && codes.slice(-3).join() !== '96,96,96') {
          const res = await t.request(sale(t, { terminalId: `TERM000${i + 1}`, amount: (amount += 100) }), 5000);
          codes.push(res.fields[39] as string);
          if (res.fields[39] === '00') approvedAtTerminal.add(res.fields[37] as string);
        }
        return codes;
      }),
    );
    for (const codes of answers) {
      expect(codes.slice(-3)).toEqual(['96', '96', '96']);
      // once stopped, stopped: no approval after a terminal's first 96
      expect(codes.slice(codes.indexOf('96'))).not.toContain('00');
    }
    expect(approvedAtTerminal.size).toBeGreaterThan(10);

    // nothing is forwarded any more
    const forwarded = stub.ledger().length;
    for (let i = 0; i < 5; i++) expect((await terminals[0].request(sale(terminals[0], { terminalId: 'TERM0001', amount: (amount += 100) }))).fields[39]).toBe('96');
    expect(stub.ledger().length).toBe(forwarded);

    const health = await fetch(`http://127.0.0.1:${gw.http}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { journal: unknown }).journal).toMatchObject({ status: 'failed', code: 'JOURNAL_SYNC_FAILED' });
    expect(await (await fetch(`http://127.0.0.1:${gw.http}/metrics`)).text()).toMatch(/^posgw_journal_failed 1$/m);
    const fatal = gw.lines.filter((l) => l.level === 60);
    expect(fatal).toEqual([expect.objectContaining({ alert: 'JOURNAL_SYNC_FAILED', error: expect.stringMatching(/fdatasync of .* failed \(EIO\)/) })]);

    terminals.forEach((t) => t.close());
    // the gateway, not strace
    process.kill(gatewayPid(), 'SIGTERM');
    await gw.exited;

    // on a sound disk again: recovery reverses what was in flight when the journal stopped
    const again = await startProcess();
    const store = new SqliteStore({ path: join(dir, 'gateway.db') });
    try {
      await waitFor(async () => (await store.safStats()).depth === 0 && (await store.inFlight()).length === 0, 15_000, 'recovery and reversals done');
      for (const row of stub.ledger()) {
        const tx = await store.findByRrn(row.rrn);
        expect(tx, `acquirer row ${row.rrn} has a journal entry`).toBeDefined();
        if (row.status === 'approved') expect(tx!.state, `approved at the acquirer: ${row.rrn}`).toBe('approved');
        if (tx!.state !== 'approved') expect(row.status, `not approved in the journal: ${row.rrn}`).not.toBe('approved');
      }
      for (const rrn of approvedAtTerminal) expect((await store.findByRrn(rrn))?.state).toBe('approved');
      // requests upstream when the journal stopped (each spends 20 ms at the stub, under 1 ms in the journal): approved
      // there, their outcome never journaled, reversed by the recovery
      expect(stub.ledger().filter((r) => r.status === 'reversed').length).toBeGreaterThan(0);
      const terminal = await TestTerminal.connect(again.port);
      expect((await terminal.request(sale(terminal, { terminalId: 'TERM0002', amount: 5_000, batch: '000002' }))).fields[39]).toBe('00');
      terminal.close();
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
      await store.close();
    }
  }, 90_000);
});
