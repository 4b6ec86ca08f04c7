import type { FeedEvent, NewFeedEvent } from '../feed/types.js';
import { appendedEvent, insertedTx } from './rows.js';
import type { NewTransaction, Store, TxRecord } from './types.js';

/** The journal's methods a caller may run on the thread: every Store method but the lifecycle ones and the failure, which the caller's side knows. */
export type ThreadMethod = Exclude<keyof Store, 'init' | 'close' | 'failure'>;

/** Main thread to journal thread: the calls of one event-loop turn, in the order they were made. */
export type Call = [id: number, method: ThreadMethod | 'close', args: unknown[]];

/** A call's outcome, sent back once its value is known (a write's: once committed and synced). */
export type Result = [id: number, ok: true, value: unknown] | [id: number, ok: false, error: WireError];

/** An error as it crosses threads: a class does not survive structured cloning, so its name and fields travel. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  /** DuplicateKeyError's key. */
  key?: unknown;
}

/** The thread's first message: its store is open, or why it could not be. */
export type Ready = { ready: true } | { ready: false; error: WireError };

/** Journal thread to main thread, beside the results: the journal stopped for good, its file failed a write, or takes them again. */
export type FileNews = { failed: WireError } | { writeFailed: WireError } | { writesResumed: true };

export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const { code, key } = e as { code?: unknown; key?: unknown };
  return { name: e.name, message: e.message, code: typeof code === 'string' ? code : undefined, key };
}

/**
 * At most this many calls or results per message. A message's bytes are copied into a buffer of their own: past
 * about 128 kB the allocator maps and unmaps memory for each one, and a message then costs ten times as much.
 */
const MAX_PER_MESSAGE = 48;

/** What is queued during one event-loop turn leaves at its end, as few messages as MAX_PER_MESSAGE allows. */
export class Outbox<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly post: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Sends what is queued now. */
  flush(): void {
    const items = this.items;
    this.items = [];
    for (let i = 0; i < items.length; i += MAX_PER_MESSAGE) this.post(items.slice(i, i + MAX_PER_MESSAGE));
  }

  /** Forgets what is queued. */
  clear(): void {
    this.items = [];
  }
}

/**
 * Results sent back short: the caller has what it sent, so only the numbers the journal added travel back (these two
 * run for every authorization). `expand` rebuilds the full value from the call's arguments.
 */
export const Short = {
  insertTransaction: {
    shorten: (tx: TxRecord): number => tx.id,
    expand: (id: number, [tx]: [NewTransaction]): TxRecord => insertedTx(tx, id),
  },
  appendEvents: {
    shorten: (events: FeedEvent[]): number[] => events.flatMap((e) => [e.id, e.seq]),
    expand: (ids: number[], [events]: [NewFeedEvent[]]): FeedEvent[] => events.map((e, i) => appendedEvent(e, ids[2 * i], ids[2 * i + 1])),
  },
} as const;

export function isShort(method: string): method is keyof typeof Short {
  return Object.hasOwn(Short, method);
}
