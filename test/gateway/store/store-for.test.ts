import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeFor } from '../../../gateway/app.js';
import { JournalError } from '../../../gateway/store/errors.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import { SqliteThreadStore } from '../../../gateway/store/thread.js';
import type { Store } from '../../../gateway/store/types.js';

const dir = mkdtempSync(join(tmpdir(), 'posgw-storefor-'));
const opened: Store[] = [];
afterAll(() => Promise.all(opened.map((s) => s.close())));

describe('storeFor: the configured SQLite journal', () => {
  it('runs on the event loop unless store.thread asks for a thread of its own', async () => {
    const here = storeFor({ driver: 'sqlite', path: join(dir, 'here.db'), synchronous: 'full' });
    opened.push(here);
    expect(here).toBeInstanceOf(SqliteStore);
    const apart = storeFor({ driver: 'sqlite', path: join(dir, 'apart.db'), synchronous: 'full', thread: true });
    opened.push(apart);
    expect(apart).toBeInstanceOf(SqliteThreadStore);
    await apart.init();
    expect(await apart.lastRrnSequence()).toBe(0);
  });

  it('names the file it cannot open, with a stable code', () => {
    // a path whose folder is a plain file
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a folder');
    let error: unknown;
    try {
      opened.push(storeFor({ driver: 'sqlite', path: join(file, 'journal.db'), synchronous: 'full' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ code: 'JOURNAL_OPEN_FAILED' });
    expect((error as Error).message).toContain(join(file, 'journal.db'));
  });
});
