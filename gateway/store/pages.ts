import type { Store, TxRecord } from './types.js';

/** A read of the rows after cursor `after`, at most `limit`, with the cursor to read after next (`after` when none). */
export type PageRead<T> = (after: number, limit: number) => Promise<{ rows: T[]; last: number }>;

/**
 * Rows a page of `pageSize` at a time, from cursor `after` on. What the caller does with a page is done before the
 * next is read, and the event loop is free between pages: the journal may run on it, and a busy day is a million rows.
 */
export async function* pages<T>(read: PageRead<T>, after: number, pageSize: number): AsyncGenerator<{ rows: T[]; last: number }> {
  for (let cursor = after; ; ) {
    const page = await read(cursor, pageSize);
    yield page;
    if (page.rows.length < pageSize) return;
    cursor = page.last;
    await nextTurn();
  }
}

/** The journal's transactions changed after change number `after`, a page at a time (see `pages`). */
export function changedPages(store: Pick<Store, 'changedTransactions'>, after: number, pageSize: number): AsyncGenerator<{ rows: TxRecord[]; last: number }> {
  return pages((a, limit) => store.changedTransactions(a, limit), after, pageSize);
}

/** Every row a paged read gives, read a page at a time with the event loop free between pages. */
export async function allPages<T>(read: PageRead<T>, pageSize: number): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages(read, 0, pageSize)) for (const row of page.rows) all.push(row);
  return all;
}

/** Resolves in the event loop's next turn: a long run of reads awaits it now and then, so terminals get theirs. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
