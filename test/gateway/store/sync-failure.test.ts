import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JournalErrorCodes, type JournalError } from '../../../gateway/store/errors.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import type { ExceptionRecord } from '../../../gateway/store/types.js';

const STORES = {
  SqliteStore: fileURLToPath(new URL('../../../dist/gateway/store/sqlite.js', import.meta.url)),
  SqliteThreadStore: fileURLToPath(new URL('../../../dist/gateway/store/thread.js', import.meta.url)),
} as const;
type StoreClass = keyof typeof STORES;
const BUILT = STORES.SqliteStore;
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));

const exception = (i: number): ExceptionRecord => ({ kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail: `n${i}`, createdAt: i });

// One write per event-loop turn, each answered on stdout: "resolved i" or "rejected i CODE"; then the store's failure.
const writer = (cls: StoreClass): string => `
import { ${cls} as Store } from ${JSON.stringify(STORES[cls])};
// no checkpoint during the run: its syncs would take the injected failure
const observer = { committed() {}, synced() {}, failed: (e) => console.log('observed ' + e.code) };
const store = new Store({ path: process.argv[2], synchronous: 'full', checkpointIntervalMs: 60000, observer });
await store.init();
for (let i = 0; i < 16; i++) {
  const e = { kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail: 'n' + i, createdAt: i };
  await store.addException(e).then(() => console.log('resolved ' + i), (err) => console.log('rejected ' + i + ' ' + err.code));
}
console.log('failure ' + store.failure()?.code);
await store.close();
`;

describe.skipIf(STRACE === undefined).each(Object.keys(STORES) as StoreClass[])('a failed fdatasync of the WAL (the kernel made to fail it: strace fault injection): %s', (cls) => {
  it('stops the journal: the writes it covered and every later one reject with JOURNAL_SYNC_FAILED, no sync is tried again, and what resolved is on the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posgw-syncfail-'));
    const db = join(dir, 'j.db');
    const script = join(dir, 'writer.mjs');
    writeFileSync(script, writer(cls));
    const log = join(dir, 'strace.log');
    // strace counts per thread: each thread that syncs (libuv's pool threads, or the journal's own) syncs twice, then
    // every fdatasync fails with EIO
    const r = spawnSync(STRACE!, ['-f', '-o', log, '-e', 'trace=fdatasync', '-e', 'inject=fdatasync:error=EIO:when=3+', process.execPath, script, db], {
      encoding: 'utf8',
      // libuv's io_uring submissions are not system calls strace sees
      env: { ...process.env, UV_USE_IO_URING: '0' },
    });
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout.split('\n').filter(Boolean);
    // the observer heard of it once (the gateway logs it and sets its metric then)
    expect(all.filter((l) => l.startsWith('observed'))).toEqual([`observed ${JournalErrorCodes.syncFailed}`]);
    const lines = all.filter((l) => !l.startsWith('observed'));
    expect(lines.at(-1)).toBe(`failure ${JournalErrorCodes.syncFailed}`);
    const answers = lines.slice(0, -1);
    const resolved = answers.filter((l) => l.startsWith('resolved')).length;
    // a prefix resolved (at least the first two: one thread's two good syncs), then nothing more
    expect(resolved).toBeGreaterThanOrEqual(2);
    expect(answers).toEqual([
      ...Array.from({ length: resolved }, (_, i) => `resolved ${i}`),
      ...Array.from({ length: 16 - resolved }, (_, i) => `rejected ${resolved + i} ${JournalErrorCodes.syncFailed}`),
    ]);
    // one sync failed, and the journal never synced again: a later success could not vouch for what the failed one lost
    const syncs = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => /fdatasync\(/.test(l) && !l.includes('unfinished'));
    const failed = syncs.filter((l) => l.includes('EIO'));
    expect(failed).toHaveLength(1);
    expect(syncs.at(-1)).toBe(failed[0]);

    // the journal again, on a sound disk: everything acknowledged is there, and it takes writes
    const reader = join(dir, 'reader.mjs');
    writeFileSync(
      reader,
      `import { SqliteStore } from ${JSON.stringify(BUILT)};
const store = new SqliteStore({ path: process.argv[2], synchronous: 'full', checkpointIntervalMs: 60000 });
const before = (await store.exceptions()).map((e) => e.detail);
await store.addException({ kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail: 'after', createdAt: 99 });
console.log(JSON.stringify({ before, after: (await store.exceptions()).length }));
await store.close();`,
    );
    const again = spawnSync(process.execPath, [reader, db], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    const { before, after } = JSON.parse(again.stdout) as { before: string[]; after: number };
    for (let i = 0; i < resolved; i++) expect(before).toContain(`n${i}`);
    expect(after).toBe(before.length + 1);
  });
});

describe('a failed fdatasync of the database file (after the WAL was copied into it)', () => {
  it('stops the journal too, and tells its observer once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posgw-syncfail-'));
    const path = join(dir, 'j.db');
    const failures: JournalError[] = [];
    let dbSyncs = 0;
    const store = new SqliteStore({
      path,
      synchronous: 'full',
      checkpointIntervalMs: 10,
      observer: { committed: () => undefined, synced: () => undefined, failed: (e) => failures.push(e) },
      syncFault: (fd) => {
        if (readlinkSync(`/proc/self/fd/${fd}`) !== path) return null;
        dbSyncs++;
        return Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      },
    });
    try {
      // writes until the WAL starts over: the database file is synced first (bounded: a few seconds at most)
      let i = 0;
      while (dbSyncs === 0 && i < 500) {
        await store.addException(exception(i++)).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(dbSyncs).toBe(1);
      expect(store.failure()?.code).toBe(JournalErrorCodes.syncFailed);
      expect(store.failure()?.message).toContain(`fdatasync of ${path} failed (EIO)`);
      await expect(store.addException(exception(1000))).rejects.toMatchObject({ code: JournalErrorCodes.syncFailed });
      expect(failures.map((f) => f.code)).toEqual([JournalErrorCodes.syncFailed]);
      // reads go on
      expect((await store.exceptions()).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
