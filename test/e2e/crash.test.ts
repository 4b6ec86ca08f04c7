import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../gateway/store/sqlite.js';
import { startAcquirer, type AcquirerStub } from '../../terminal-sim/acquirer/index.js';
import { startGatewayProcess, writeProcessConfig } from './gateway-process.js';
import { waitFor } from './stack.js';
import { sale, TestTerminal } from './terminal-client.js';

// the gateway runs as a real process so it can be killed -9
let dir: string;
let stub: AcquirerStub;
let configPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posgw-crash-'));
  // a little acquirer latency keeps requests in flight upstream when the kill comes
  stub = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'acquirer.db'), latencyMs: 30, logger: pino({ level: 'silent' }) });
  configPath = writeProcessConfig(dir, stub.port);
});
afterAll(async () => {
  await stub?.close();
});


describe('kill -9 under load, then restart', () => {
  it('keeps every approval either journaled as approved or reversed, three times over', async () => {
    const approvedAtTerminal = new Set<string>();
    let amount = 10_000;
    for (let round = 0; round < 3; round++) {
      const { child, port, exited } = await startGatewayProcess(configPath);
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
    const { child, exited } = await startGatewayProcess(configPath);
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
