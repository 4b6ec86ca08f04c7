import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../gateway/app.js';
import { REPORT_COLUMNS } from '../../gateway/settlement/report.js';
import { JournalError } from '../../gateway/store/errors.js';
import { PAN_KEY, startStack, testConfig, type Stack } from './stack.js';
import { sale } from './terminal-client.js';

// One process writes a SQLite journal: a second gateway on it is refused while the first keeps serving, and an import
// run meanwhile goes through the running gateway's HTTP API instead of holding the file against it.
const CLI = fileURLToPath(new URL('../../dist/gateway/cli.js', import.meta.url));
const ADMIN = 'operator-token-for-tests';

let stack: Stack;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) before this test`);
  stack = await startStack({ config: { http: { host: '127.0.0.1', port: 0, adminToken: ADMIN } } });
});
afterAll(async () => {
  await stack?.close();
});

/** `pos-gateway import-settlement` as its own process, without blocking this one (the gateway runs here). */
function importCli(report: string, config: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(stack.dir, `cli-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [CLI, 'import-settlement', report, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const cliConfig = (adminToken?: string, httpPort = 0) => ({
  acquirers: [{ id: 'stub', host: '127.0.0.1', port: stack.stub.port }],
  http: { host: '127.0.0.1', port: httpPort, ...(adminToken === undefined ? {} : { adminToken }) },
  store: { path: join(stack.dir, 'gateway.db') },
  security: { panHashKey: PAN_KEY },
  merchants: [{ id: 'MERCHANT0000001', name: 'Test Shop' }],
  terminals: [{ id: 'TERM0001', merchantId: 'MERCHANT0000001' }],
});

const LINE = 'CREDIT,stub-2026-11-22-7,stub,2026-11-22,MERCHANT0000001,TERM0001,632500000001,A1B2C3,476173******0119,1234,840,2026-11-21,19,1215';

describe('one process per SQLite journal', () => {
  it('refuses a second gateway on the journal, naming the first, which keeps serving', async () => {
    const second = startGateway(testConfig(stack.dir, stack.stub.port));
    await expect(second).rejects.toBeInstanceOf(JournalError);
    await expect(second).rejects.toMatchObject({ code: 'JOURNAL_IN_USE', message: expect.stringContaining(`in use by a gateway (pid ${process.pid} on `) });
    const t = await stack.terminal();
    const res = await t.request(sale(t, { amount: 1200 }));
    expect(res.fields[39]).toBe('00');
  });

  it('imports a report through the running gateway, whose reconciliation has it at once', async () => {
    const report = join(stack.dir, 'report.csv');
    writeFileSync(report, `${REPORT_COLUMNS.join(',')}\n${LINE}\n`);
    const first = await importCli(report, cliConfig(ADMIN));
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe('imported report stub-2026-11-22-7 (stub, settlement date 2026-11-22): 1 lines\n');
    expect((await stack.gw.recon.reports()).map((r) => r.reportId)).toContain('stub-2026-11-22-7');
    const again = await importCli(report, cliConfig(ADMIN));
    expect(again.stdout).toBe('report stub-2026-11-22-7 was imported before: nothing changed\n');
  });

  it('passes on a malformed report with its line and column, and says when it lacks the operator token', async () => {
    const broken = join(stack.dir, 'broken.csv');
    writeFileSync(broken, `${REPORT_COLUMNS.join(',')}\n${LINE.replace('stub-2026-11-22-7', 'stub-2026-11-23-7').replace(',1234,', ',12.34,')}\n`);
    const refused = await importCli(broken, cliConfig(ADMIN));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`pos-gateway: ${broken}: REPORT_INVALID: line 2, column 104: amount: must be an integer number of minor units\n`);
    const noToken = await importCli(broken, cliConfig());
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('the journal is held by a running gateway; importing through it (http://127.0.0.1:');
    expect(noToken.stderr).toContain('needs its operator token: set http.adminToken in the config or pass --token');
  });

  it('sends the admin token only to the HTTP address its own config gives the gateway', async () => {
    const report = join(stack.dir, 'report-8.csv');
    writeFileSync(report, `${REPORT_COLUMNS.join(',')}\n${LINE.replace('stub-2026-11-22-7', 'stub-2026-11-22-8')}\n`);
    const elsewhere = await importCli(report, cliConfig(ADMIN, stack.gw.ports.http + 1));
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe(
      `pos-gateway: the journal is held by a gateway at http://127.0.0.1:${stack.gw.ports.http}, not at this config's HTTP address ` +
        `(http://127.0.0.1:${stack.gw.ports.http + 1}): the import is not sent there\n`,
    );
    const same = await importCli(report, cliConfig(ADMIN, stack.gw.ports.http));
    expect(same.code).toBe(0);
  });
});
