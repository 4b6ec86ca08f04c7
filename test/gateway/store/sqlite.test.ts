import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import { storeContract } from './contract.js';

const paths = new WeakMap<object, string>();

storeContract(
  'SQLite',
  async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'posgw-store-')), 'journal.db');
    const store = new SqliteStore({ path });
    paths.set(store, path);
    await store.init();
    return store;
  },
  async (store) => {
    // no close first: a reopen after a crash must see what was committed
    const again = new SqliteStore({ path: paths.get(store)! });
    await again.init();
    return again;
  },
);
