import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The worker's own code: CommonJS, given the driver's resolved path, so it loads the same better-sqlite3 as the store
// from the compiled gateway and from the test runner alike (a worker file would exist in one and not the other).
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
// Each pass copies the frames there when it began; the writer adds more meanwhile, fewer the shorter the pass. Once a
// pass had little left to copy, the writer is told: what it must copy itself to start the WAL over is a few frames.
const run = () => {
  try {
    let copied = 0;
    for (let pass = 0; pass < workerData.maxPasses; pass++) {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (r.busy !== 0 || r.log <= 0) return;
      const fresh = r.checkpointed >= copied ? r.checkpointed - copied : r.checkpointed;
      copied = r.checkpointed;
      if (fresh <= workerData.fewFrames) {
        parentPort.postMessage({ checkpointed: r.checkpointed });
        return;
      }
    }
  } catch (e) {
    parentPort.postMessage({ error: String(e) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.close();
});
`;

/** Checkpoint passes in a row, each copying what the writer added during the one before. */
const MAX_PASSES = 4;
/** Frames (pages) a pass may have copied for the next to be left to the writer: a millisecond's copying or so. */
const FEW_FRAMES = 256;

/**
 * Copies the WAL into the database file on a thread of its own. SQLite's automatic checkpoint runs inside a COMMIT,
 * on the event loop, writing and syncing a megabytes-long batch of pages every thousand; with it switched off
 * (`wal_autocheckpoint = 0`) this worker's connection checkpoints every `intervalMs` instead. PASSIVE never waits for
 * the writer, and the writer starts the WAL over once a checkpoint has caught up, so the file stays bounded. The
 * checkpoint's own sync of the database file still delays the journal's next sync of the WAL (one disk): once a
 * second (the store's default) cost far less at the 99th percentile than ten times a second in bench:e2e.
 *
 * Under steady load the writer always has frames the checkpoint has not copied yet, so the WAL would never start over
 * and would grow without end; the store therefore copies the rest itself after each of these (see SqliteStore).
 */
export class Checkpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;

  /** `onCopied` runs after a checkpoint that left only a few frames uncopied. */
  constructor(path: string, intervalMs: number, onError: (message: string) => void, onCopied: () => void = () => undefined) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(SOURCE, { eval: true, workerData: { path, intervalMs, driver, maxPasses: MAX_PASSES, fewFrames: FEW_FRAMES } });
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error !== undefined) onError(m.error);
      else onCopied();
    });
    this.worker.on('error', (e) => onError(String(e)));
    // the worker never keeps the process alive on its own
    this.worker.unref();
  }

  /** A last checkpoint, then the worker's connection closes. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      // waited for now: it must keep the process alive until it has finished
      this.worker.ref();
      this.worker.postMessage('stop');
    });
    return this.stopped;
  }
}
