import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JournalOwner } from '../../../gateway/store/owner.js';

const OWNER = fileURLToPath(new URL('../../../dist/gateway/store/owner.js', import.meta.url));

/** What a refused take throws: JOURNAL_IN_USE, its message holding each of `parts`. */
const inUse = (...parts: string[]) => expect.objectContaining({ name: 'JournalError', code: 'JOURNAL_IN_USE', message: expect.stringMatching(parts.map(escape).join('.*')) });
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('JournalOwner', () => {
  it('lets one holder at a time take a journal, names it to the one refused, and frees it on release', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-owner-')), 'data', 'gateway.db');
    const first = JournalOwner.take(path, 'gateway', Date.UTC(2026, 10, 21, 9, 30));
    first.announce('http://127.0.0.1:8080');
    expect(JournalOwner.holder(path)).toMatchObject({ role: 'gateway', pid: process.pid, host: hostname(), http: 'http://127.0.0.1:8080' });
    expect(() => JournalOwner.take(path, 'import', Date.now())).toThrow(
      inUse(`journal ${path} is in use by a gateway (pid ${process.pid} on ${hostname()}, since 2026-11-21T09:30:00.000Z)`, `(lock ${path}-owner)`),
    );
    first.release();
    expect(JournalOwner.holder(path)).toBeUndefined();
    const second = JournalOwner.take(path, 'import', Date.now());
    expect(JournalOwner.holder(path)?.role).toBe('import');
    second.release();
  });

  it('is held by another process until it ends, kill -9 included, leaving no stale lock', async () => {
    if (!existsSync(OWNER)) throw new Error(`${OWNER} is missing: run "npm run build" (npm test does) before this test`);
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-owner-')), 'gateway.db');
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', `const { JournalOwner } = await import(${JSON.stringify(OWNER)}); JournalOwner.take(${JSON.stringify(path)}, 'gateway', Date.now()); console.log('held'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    try {
      expect(() => JournalOwner.take(path, 'gateway', Date.now())).toThrow(inUse(`in use by a gateway (pid ${holder.pid} on `));
    } finally {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
    }
    JournalOwner.take(path, 'gateway', Date.now()).release();
  });
});
