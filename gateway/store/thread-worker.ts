// The journal's thread: one SqliteStore, driven by the calls the main thread posts (see thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
import { isShort, MAX_PER_MESSAGE, Short, toWire, type Call, type Ready, type Result } from './thread-protocol.js';

const port = parentPort!;

function open(): SqliteStore | undefined {
  try {
    return new SqliteStore(workerData as SqliteStoreOptions);
  } catch (e) {
    port.postMessage({ ready: false, error: toWire(e) } satisfies Ready);
    return undefined;
  }
}

const opened = open();
if (opened === undefined) port.close();
else port.postMessage({ ready: true } satisfies Ready);
const store = opened!;

// outcomes of one turn leave together: reads at the turn's end, writes when their sync has finished
let outbox: Result[] = [];
let flushing = false;
function send(r: Result): void {
  outbox.push(r);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    for (let i = 0; i < outbox.length; i += MAX_PER_MESSAGE) port.postMessage(outbox.slice(i, i + MAX_PER_MESSAGE));
    outbox = [];
  });
}

port.on('message', (calls: Call[]) => {
  for (const [id, method, args] of calls) {
    if (method === 'close') {
      void store.close().then(
        () => {
          // the last message: everything still waiting in the outbox goes with it
          outbox.push([id, true, undefined]);
          port.postMessage(outbox);
          outbox = [];
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
