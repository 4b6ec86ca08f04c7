import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../../gateway/settlement/report.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';

const CLI = fileURLToPath(new URL('../../../dist/gateway/cli.js', import.meta.url));

describe('pos-gateway import-settlement', () => {
  it('imports a report once, says so the second time, and refuses a broken one with line and column', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm test does) before this test`);
    const dir = mkdtempSync(join(tmpdir(), 'posgw-import-'));
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        acquirers: [{ id: 'stub', host: '127.0.0.1', port: 9100 }],
        store: { path: join(dir, 'journal.db') },
        security: { panHashKey: 'ab'.repeat(32) },
        merchants: [{ id: 'MERCHANT0000001', name: 'Shop' }],
        terminals: [{ id: 'TERM0001', merchantId: 'MERCHANT0000001' }],
      }),
    );
    const line = 'CREDIT,stub-2026-11-22-1,stub,2026-11-22,MERCHANT0000001,TERM0001,632500000001,A1B2C3,476173******0119,1234,840,2026-11-21,19,1215';
    const report = join(dir, 'report.csv');
    writeFileSync(report, `${REPORT_COLUMNS.join(',')}\n${line}\n`);
    const run = (file: string) => spawnSync(process.execPath, [CLI, 'import-settlement', file, '--config', config], { encoding: 'utf8' });
    const first = run(report);
    expect(first.status).toBe(0);
    expect(first.stdout).toBe('imported report stub-2026-11-22-1 (stub, settlement date 2026-11-22): 1 lines\n');
    const again = run(report);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('report stub-2026-11-22-1 was imported before: nothing changed\n');
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, `${REPORT_COLUMNS.join(',')}\n${line.replace('stub-2026-11-22-1', 'stub-2026-11-23-1').replace(',1234,', ',12.34,')}\n`);
    const refused = run(broken);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`pos-gateway: ${broken}: REPORT_INVALID: line 2, column 104: amount: must be an integer number of minor units\n`);
    const store = new SqliteStore({ path: join(dir, 'journal.db') });
    expect((await store.reports()).map((r) => r.reportId)).toEqual(['stub-2026-11-22-1']);
    await store.close();
  });
});
