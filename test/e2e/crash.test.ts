import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
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

// the gateway runs as a real process (built by `npm test`, which compiles before it tests) so it can be killed -9
const CLI = fileURLToPath(new URL('../../dist/gateway/cli.js', import.meta.url));

let dir: string;
let stub: AcquirerStub;
let configPath: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) before this test`);
  dir = mkdtempSync(join(tmpdir(), 'posgw-crash-'));
  // a little acquirer latency keeps requests in flight upstream when the kill comes
  stub = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'acquirer.db'), latencyMs: 30, logger: pino({ level: 'silent' }) });
  configPath = join(dir, 'gateway.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      listeners: [{ name: 'terminals', host: '127.0.0.1', port: 0 }],
      acquirers: [{ id: 'stub', host: '127.0.0.1', port: stub.port, deadlineMs: 2000, reconnect: { initialMs: 50, maxMs: 500, jitter: 0.1 } }],
      http: { host: '127.0.0.1', port: 0 },
      store: { driver: 'sqlite', path: join(dir, 'gateway.db'), synchronous: 'full' },
      saf: { retryInitialMs: 100, retryMaxMs: 500, pollMs: 50 },
      security: { panHashKey: PAN_KEY },
      merchants: [{ id: 'MERCHANT0000001', name: 'Crash Test Shop' }],
      terminals: [1, 2, 3, 4].map((i) => ({ id: `TERM000${i}`, merchantId: 'MERCHANT0000001' })),
      log: { level: 'info' },
    }),
  );
});
afterAll(async () => {
  await stub?.close();
});

/** Starts the gateway process and resolves with it and its terminal port, read from its "gateway started" log line. */
function startProcess(): Promise<{ child: ChildProcess; port: number; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [CLI, 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('gateway did not start in 10 s')), 10_000);
    lines.on('line', (line) => {
      if (!line.includes('"gateway started"')) return;
      clearTimeout(timer);
      resolve({ child, exited, port: (JSON.parse(line) as { listeners: { terminals: number } }).listeners.terminals });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited early with code ${code}`)));
  });
}

describe('kill -9 under load, then restart', () => {
  it('keeps every approval either journaled as approved or reversed, three times over', async () => {
    const approvedAtTerminal = new Set<string>();
    let amount = 10_000;
    for (let round = 0; round < 3; round++) {
      const { child, port, exited } = await startProcess();
      const terminals = await Promise.all([1, 2, 3, 4].map(() => TestTerminal.connect(port)));
      let stop = false;
      // four terminals sending back to back until the kill; bounded by the kill, which comes after 400-900 ms
      const load = terminals.map(async (t, i) => {
        while (!stop) {
          try {
            const res = await t.request(sale(t, { terminalId: `TERM000${i + 1}`, amount: amount++, batch: String(round + 1).padStart(6, '0') }), 3000);
            if (res.fields[39] === '00') approvedAtTerminal.add(res.fields[37] as string);
          } catch {
            return; // the connection died with the process
          }
        }
      });
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 500));
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(load);
      terminals.forEach((t) => t.close());
      await exited;
    }
    // a last run recovers what the last kill left in flight and drains the reversals
    const { child, exited } = await startProcess();
    const store = new SqliteStore({ path: join(dir, 'gateway.db') });
    try {
      await waitFor(async () => (await store.safStats()).depth === 0 && (await store.inFlight()).length === 0, 15_000, 'recovery and reversals done');
      const ledger = stub.ledger();
      expect(ledger.length).toBeGreaterThan(20);
      for (const row of ledger) {
        const tx = await store.findByRrn(row.rrn);
        expect(tx, `acquirer row ${row.rrn} has a journal entry`).toBeDefined();
        if (row.status === 'approved') expect(tx!.state, `approved at the acquirer: ${row.rrn}`).toBe('approved');
        if (tx!.state !== 'approved') expect(row.status, `not approved in the journal: ${row.rrn}`).not.toBe('approved');
      }
      // nothing the terminals were told was approved is missing from the journal
      for (const rrn of approvedAtTerminal) expect((await store.findByRrn(rrn))?.state).toBe('approved');
      expect(stub.ledgerSummary().doubleCharged).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await store.close();
    }
  }, 90_000);
});
