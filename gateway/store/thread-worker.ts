// The journal's thread: one SqliteStore, driven by the calls the main thread posts (see thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import { isShort, Outbox, Short, toWire, type Call, type FileNews, type Ready, type Result } from './thread-protocol.js';

const port = parentPort!;

function open(): SqliteStore | undefined {
  try {
    // the main thread hears of the file's failures (commits and syncs are not counted across)
    const observer = {
      committed: () => undefined,
      synced: () => undefined,
      // posted at once: it reaches the main thread before the rejections it causes, which wait for the turn's end
      failed: (e: unknown) => port.postMessage({ failed: toWire(e) } satisfies FileNews),
      writeFailed: (e: unknown) => port.postMessage({ writeFailed: toWire(e) } satisfies FileNews),
      writesResumed: () => port.postMessage({ writesResumed: true } satisfies FileNews),
    };
    // this thread has nothing else to do while the WAL syncs: the calls that arrive meanwhile wait for the next commit
    return new SqliteStore({ ...(workerData as SqliteStoreOptions), syncInline: true, observer });
  } catch (e) {
    port.postMessage({ ready: false, error: toWire(e) } satisfies Ready);
    return undefined;
  }
}

const opened = open();
if (opened === undefined) port.close();
else port.postMessage({ ready: true } satisfies Ready);
const store = opened!;

// outcomes leave at the end of a turn: reads at the end of the turn that ran them, writes when their sync has finished
const outbox = new Outbox<Result>((results) => port.postMessage(results));
const send = (r: Result): void => outbox.push(r);

port.on('message', (calls: Call[]) => {
  for (const [id, method, args] of calls) {
    if (method === 'close') {
      void store.close().then(
        () => {
          // the last messages: everything still waiting in the outbox goes with them
          outbox.push([id, true, undefined]);
          outbox.flush();
          port.close();
        },
        (e: unknown) => send([id, false, toWire(e)]),
      );
      continue;
    }
    let pending: Promise<unknown>;
    try {
      pending = (store[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    } catch (e) {
      send([id, false, toWire(e)]);
      continue;
    }
    const shorten = isShort(method) ? (Short[method].shorten as (v: unknown) => unknown) : undefined;
    pending.then(
      (value) => send([id, true, shorten === undefined ? value : shorten(value)]),
      (e: unknown) => send([id, false, toWire(e)]),
    );
  }
});
