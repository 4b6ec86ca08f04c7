import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../gateway/store/sqlite.js';
import { startAcquirer, type AcquirerStub } from '../../terminal-sim/acquirer/index.js';
import { startGatewayProcess, writeProcessConfig } from './gateway-process.js';
import { waitFor } from './stack.js';
import { sale, TestTerminal } from './terminal-client.js';

// the gateway runs as a real process under strace, which makes the kernel fail its fdatasync calls with EIO: a disk
// going bad under load, as near as this machine gets to one
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));
/** strace counts per thread: each thread's fdatasync calls fail from this one on (startup takes a few). */
const FAILING_FROM = 25;
const TERMINALS = 8;

let dir: string;
let stub: AcquirerStub;
let configPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posgw-diskfail-'));
  // a little acquirer latency keeps requests in flight upstream when the journal stops
  stub = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'acquirer.db'), latencyMs: 20, logger: pino({ level: 'silent' }) });
  configPath = writeProcessConfig(dir, stub.port, { strandedCheckMs: 100 }, TERMINALS);
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

describe.skipIf(STRACE === undefined)('the journal\'s disk fails under load', () => {
  it('stops forwarding at once (96, health 503, a fatal line), and a restart leaves every approval journaled or reversed', async () => {
    const gw = await startGatewayProcess(configPath, [STRACE!, '-f', '--seccomp-bpf', '-qq', '-o', '/dev/null', '-e', 'trace=fdatasync', '-e', `inject=fdatasync:error=EIO:when=${FAILING_FROM}+`]);
    // signed on at the acquirer: before that, requests are answered 91 unsent
    await waitFor(async () => (await fetch(`http://127.0.0.1:${gw.http}/health`)).status === 200, 10_000, 'gateway healthy');
    const terminals = await Promise.all(Array.from({ length: TERMINALS }, () => TestTerminal.connect(gw.port)));
    const approvedAtTerminal = new Set<string>();
    // whole units: the stub approves them (other cents ask it to decline or misbehave)
    let amount = 10_000;
    // each terminal sends until it has been answered 96 three times in a row (bounded: 2,000 requests), after a pause
    // of up to 10 ms: out of step, so that some are at the acquirer (20 ms) whenever the journal stops
    const answers = await Promise.all(
      terminals.map(async (t, i) => {
        const codes: string[] = [];
        while (codes.length < 2_000 && codes.slice(-3).join() !== '96,96,96') {
          await new Promise((r) => setTimeout(r, Math.random() * 10));
          const res = await t.request(sale(t, { terminalId: `TERM${String(i + 1).padStart(4, '0')}`, amount: (amount += 100) }), 5000);
          codes.push(res.fields[39] as string);
          if (res.fields[39] === '00') approvedAtTerminal.add(res.fields[37] as string);
        }
        return codes;
      }),
    );
    for (const codes of answers) {
      expect(codes.slice(-3)).toEqual(['96', '96', '96']);
      expect(codes.filter((c) => c !== '00' && c !== '96')).toEqual([]);
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
    // said once: after it, requests are answered at once without a line each (only those in flight then have one)
    expect(gw.lines.filter((l) => l.msg === 'request failed').length).toBeLessThanOrEqual(TERMINALS);

    terminals.forEach((t) => t.close());
    // the gateway, not strace
    process.kill(gatewayPid(), 'SIGTERM');
    await gw.exited;

    // on a sound disk again: recovery reverses what was in flight when the journal stopped
    const again = await startGatewayProcess(configPath);
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
