import type { Store, TxRecord } from './types.js';

/**
 * The journal's transactions changed after change number `after`, a page of `pageSize` at a time. What the caller
 * does with a page is done before the next is read, and the event loop is free between pages: the journal may run
 * on it, and a busy day is a million rows.
 */
export async function* changedPages(
  store: Pick<Store, 'changedTransactions'>,
  after: number,
  pageSize: number,
): AsyncGenerator<{ rows: TxRecord[]; last: number }> {
  for (let cursor = after; ; ) {
    const page = await store.changedTransactions(cursor, pageSize);
    yield page;
    if (page.rows.length < pageSize) return;
    cursor = page.last;
    await nextTurn();
  }
}

/** Resolves in the event loop's next turn: a long run of reads awaits it now and then, so terminals get theirs. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
