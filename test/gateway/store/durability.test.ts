import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORE = fileURLToPath(new URL('../../../dist/gateway/store/sqlite.js', import.meta.url));
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));

// A child process journals one write per event-loop turn and prints a line when each write's promise resolves;
// strace records its fdatasync calls (libuv told not to use io_uring, whose submissions strace cannot see) and its writes to stdout in the order the kernel saw them.
const CHILD = `
import { SqliteStore } from ${JSON.stringify(STORE)};
const store = new SqliteStore({ path: process.argv[2], synchronous: process.argv[3] });
await store.init();
for (let i = 0; i < 20; i++) {
  await store.addException({ kind: 'REVERSAL_ABANDONED', txId: null, terminalId: 'T1', merchantId: 'M1', detail: 'n' + i, createdAt: i });
  process.stdout.write('resolved ' + i + '\\n');
}
await store.close();
`;

function trace(synchronous: 'full' | 'normal'): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'posgw-durable-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const log = join(dir, 'strace.log');
  const r = spawnSync(STRACE!, ['-f', '-e', 'trace=fdatasync,fsync,write', '-o', log, process.execPath, script, join(dir, 'j.db'), synchronous], { encoding: 'utf8', env: { ...process.env, UV_USE_IO_URING: '0' } });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(20);
  // one event per line: "sync" for a sync of any file, "resolved" for the child telling stdout a write resolved
  return readFileSync(log, 'utf8')
    .split('\n')
    .flatMap((l) => (/ f(data)?sync\(\d+\)\s+= 0/.test(l) ? ['sync'] : /write\(1, "resolved /.test(l) ? ['resolved'] : []));
}

describe.skipIf(STRACE === undefined)('SQLite journal durability (strace)', () => {
  it('synchronous full: every resolved write was preceded by a sync of the journal since the previous one', () => {
    const events = trace('full');
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
    const events = trace('normal');
    expect(events.filter((e) => e === 'resolved')).toHaveLength(20);
    // creating the file syncs, and so does the checkpoint at close; nothing in between
    expect(events.slice(events.indexOf('resolved'), events.lastIndexOf('resolved')).filter((e) => e === 'sync')).toHaveLength(0);
  });
});
