import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from '../../../terminal-sim/load/index.js';

export interface SyncProbe {
  syncs: number;
  p50: number;
  p99: number;
  max: number;
  /** Syncs that took longer than `slowMs`. */
  slow: number;
}

const WRITE_BYTES = 16 * 1024;
/** The writes cycle through a file of this size, as a WAL that starts over does. */
const FILE_BYTES = 4 * 1024 * 1024;

/**
 * The disk's own floor under the journal: a write of a group commit's size, then fdatasync, in a loop for `ms`, on
 * the same file system as the journal, with nothing else running. Each authorization waits for two such syncs.
 */
export function probeSync(dir: string, ms: number, slowMs: number): SyncProbe {
  const fd = openSync(join(dir, 'sync-probe'), 'w');
  const page = Buffer.alloc(WRITE_BYTES, 0x5a);
  const latency = new LatencyRecorder();
  let slow = 0;
  try {
    const end = performance.now() + ms;
    for (let offset = 0; performance.now() < end; offset = (offset + WRITE_BYTES) % FILE_BYTES) {
      writeSync(fd, page, 0, WRITE_BYTES, offset);
      const t0 = performance.now();
      fdatasyncSync(fd);
      const took = performance.now() - t0;
      latency.add(took);
      if (took > slowMs) slow++;
    }
  } finally {
    closeSync(fd);
  }
  const [p50, p99] = latency.percentiles([0.5, 0.99]);
  return { syncs: latency.count, p50: p50 ?? NaN, p99: p99 ?? NaN, max: latency.max, slow };
}
