import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORES = {
  SqliteStore: fileURLToPath(new URL('../../../dist/gateway/store/sqlite.js', import.meta.url)),
  SqliteThreadStore: fileURLToPath(new URL('../../../dist/gateway/store/thread.js', import.meta.url)),
} as const;
type StoreClass = keyof typeof STORES;
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));

// A child process journals one write per event-loop turn and prints a line when each write's promise resolves;
// strace records its fdatasync calls (libuv told not to use io_uring, whose submissions strace cannot see) and its writes to stdout in the order the kernel saw them.
const child = (cls: StoreClass): string => `
import { ${cls} as Store } from ${JSON.stringify(STORES[cls])};
// no checkpoint during the run: the checkpointer's own syncs would count as the journal's
const store = new Store({ path: process.argv[2], synchronous: process.argv[3], checkpointIntervalMs: 60000 });
await store.init();
for (let i = 0; i < 20; i++) {
  await store.addException({ kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail: 'n' + i, createdAt: i });
  process.stdout.write('resolved ' + i + '\\n');
}
await store.close();
`;

function trace(cls: StoreClass, synchronous: 'full' | 'normal'): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'posgw-durable-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, child(cls));
  const log = join(dir, 'strace.log');
  const r = spawnSync(STRACE!, ['-f', '-e', 'trace=fdatasync,fsync,write', '-o', log, process.execPath, script, join(dir, 'j.db'), synchronous], { encoding: 'utf8', env: { ...process.env, UV_USE_IO_URING: '0' } });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(20);
  // one event per line: "sync" for a sync of any file (finished: strace splits a call another thread interrupts into
  // "unfinished" and "resumed" lines), "resolved" for the child telling stdout a write resolved
  return readFileSync(log, 'utf8')
    .split('\n')
    .flatMap((l) => (/ f(data)?sync(\(\d+\)| resumed>\))\s+= 0/.test(l) ? ['sync'] : /write\(1, "resolved /.test(l) ? ['resolved'] : []));
}

describe.skipIf(STRACE === undefined).each(Object.keys(STORES) as StoreClass[])('SQLite journal durability (strace): %s', (cls) => {
  it('synchronous full: every resolved write was preceded by a sync of the journal since the previous one', () => {
    const events = trace(cls, 'full');
    let syncedSinceLast = false;
    let resolved = 0;
    for (const e of events) {
      if (e === 'sync') syncedSinceLast = true;
      else {
        expect(syncedSinceLast, `write ${resolved} resolved before its commit was synced`).toBe(true);
        syncedSinceLast = false;
        resolved++;
      }
    }
    expect(resolved).toBe(20);
  });

  it('synchronous normal: writes resolve without waiting for a sync', () => {
    const events = trace(cls, 'normal');
    expect(events.filter((e) => e === 'resolved')).toHaveLength(20);
    // creating the file syncs, and so does the checkpoint at close; nothing in between
    expect(events.slice(events.indexOf('resolved'), events.lastIndexOf('resolved')).filter((e) => e === 'sync')).toHaveLength(0);
  });
});

describe('SQLite journal checkpoints', () => {
  /** A journal with a checkpoint every `intervalMs`, and a commit of 20 rows of about 2 kB each, `i` its number. */
  async function journal(intervalMs: number) {
    const { SqliteStore } = await import('../../../gateway/store/sqlite.js');
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-ckpt-')), 'j.db');
    const store = new SqliteStore({ path, checkpointIntervalMs: intervalMs });
    await store.init();
    const detail = 'x'.repeat(2000);
    const commit = (i: number) =>
      Promise.all(Array.from({ length: 20 }, (_, j) => store.addException({ kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail, createdAt: i * 20 + j })));
    return { SqliteStore, path, store, commit };
  }

  it('a worker copies the WAL into the database file, so the WAL stays small while the journal grows', async () => {
    const { SqliteStore, path, store, commit } = await journal(10);
    // about 16 MB over 400 commits, a few milliseconds apart: without checkpoints the WAL would hold all of it
    for (let i = 0; i < 400; i++) {
      await commit(i);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 12));
    }
    const wal = statSync(`${path}-wal`).size;
    const db = statSync(path).size;
    expect(db).toBeGreaterThan(8_000_000);
    expect(wal).toBeLessThan(db / 2);
    await store.close();
    expect((await (async () => {
      const again = new SqliteStore({ path, synchronous: 'normal' });
      const n = (await again.exceptions()).length;
      await again.close();
      return n;
    })())).toBe(8000);
  });

  it('starts the WAL over under steady load, with a commit always just behind the last', async () => {
    const { path, store, commit } = await journal(20);
    // about 24 MB, each commit begun as the one before resolves: never a moment with every frame copied
    let largest = 0;
    for (let i = 0; i < 600; i++) {
      await commit(i);
      if (i % 50 === 49) largest = Math.max(largest, statSync(`${path}-wal`).size);
    }
    expect(statSync(path).size).toBeGreaterThan(16_000_000);
    expect(largest).toBeLessThan(statSync(path).size / 2);
    await store.close();
  });

  // the WAL starts over when a commit writes its first frame at offset 0 again, on top of frames already copied
  // on the journal's own thread (SqliteThreadStore) the syncs block that thread, never the event loop
  it.skipIf(STRACE === undefined).each(Object.keys(STORES) as StoreClass[])('%s starts the WAL over only once the database file is synced, and not with a sync on the event loop', (cls) => {
    const dir = mkdtempSync(join(tmpdir(), 'posgw-restart-'));
    const script = join(dir, 'child.mjs');
    writeFileSync(
      script,
      `import { ${cls} as Store } from ${JSON.stringify(STORES[cls])};
const store = new Store({ path: process.argv[2], checkpointIntervalMs: 20 });
await store.init();
process.stdout.write('go ' + process.pid + '\\n');
const detail = 'x'.repeat(2000);
for (let i = 0; i < 400; i++) {
  await Promise.all(Array.from({ length: 20 }, (_, j) => store.addException({ kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail, createdAt: i * 20 + j })));
}
process.stdout.write('closing\\n');
await store.close();
`,
    );
    const db = join(dir, 'j.db');
    const log = join(dir, 'strace.log');
    const r = spawnSync(STRACE!, ['-f', '-y', '-e', 'trace=fdatasync,fsync,pwrite64,write', '-o', log, process.execPath, script, db], { encoding: 'utf8', env: { ...process.env, UV_USE_IO_URING: '0' } });
    expect(r.status, r.stderr).toBe(0);
    let main: string | undefined;
    let dbDirty = false;
    let startsOver = 0;
    const mainDbSyncs: string[] = [];
    /** A call another thread interrupted is logged as "unfinished", then "resumed": its file, by thread. */
    const unfinished = new Map<string, string>();
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const tid = line.split(' ')[0];
      if (main === undefined) {
        main = /write\(1<[^>]*>, "go (\d+)/.exec(line)?.[1];
        continue;
      }
      if (/write\(1<[^>]*>, "closing/.test(line)) break;
      const call = / (f(?:data)?sync|pwrite64)\(\d+<([^>]+)>(.*)/.exec(line);
      if (call !== null && line.includes('<unfinished ...>')) unfinished.set(tid, call[2]);
      const resumed = / <\.\.\. f(?:data)?sync resumed>\) += 0/.test(line);
      const file = resumed ? unfinished.get(tid) : call?.[2];
      const synced = resumed || (call !== null && call[1] !== 'pwrite64' && / = 0$/.test(line));
      if (synced && file === db) {
        dbDirty = false;
        if (tid === main) mainDbSyncs.push(line);
      }
      if (call === null || call[1] !== 'pwrite64') continue;
      if (file === db) dbDirty = true;
      if (file === `${db}-wal` && / 0\) = \d+$/.test(line)) {
        expect(dbDirty, `the WAL started over before the database file was synced: ${line}`).toBe(false);
        startsOver++;
      }
    }
    expect(main).toBeDefined();
    expect(startsOver).toBeGreaterThan(2);
    expect(mainDbSyncs).toEqual([]);
  });
});
