import type { Clock } from './clock.js';

const SEQUENCE_SPAN = 100_000_000;

/**
 * Retrieval reference numbers, 12 digits: the UTC date as YDDD (last digit of the year, day of the year), then an
 * 8-digit sequence that carries on from the journal across restarts, so no two transactions share an RRN.
 */
export class RrnGenerator {
  private seq: number;

  constructor(
    private readonly clock: Clock,
    lastSequence: number,
  ) {
    this.seq = lastSequence % SEQUENCE_SPAN;
  }

  next(): string {
    this.seq = (this.seq % (SEQUENCE_SPAN - 1)) + 1;
    const d = new Date(this.clock.now());
    const start = Date.UTC(d.getUTCFullYear(), 0, 0);
    const day = Math.floor((d.getTime() - start) / 86_400_000);
    return `${d.getUTCFullYear() % 10}${String(day).padStart(3, '0')}${String(this.seq).padStart(8, '0')}`;
  }
}
