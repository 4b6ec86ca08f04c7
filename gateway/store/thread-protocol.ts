import type { Store } from './types.js';

/** The journal's methods a caller may run on the thread: every Store method but the lifecycle ones. */
export type ThreadMethod = Exclude<keyof Store, 'init' | 'close'>;

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

export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const { code, key } = e as { code?: unknown; key?: unknown };
  return { name: e.name, message: e.message, code: typeof code === 'string' ? code : undefined, key };
}
