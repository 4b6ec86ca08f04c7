import type { Clock } from './clock.js';

const SEQUENCE_SPAN = 100_000_000;

/**
 * Retrieval reference numbers, 12 digits: the UTC date as YDDD (last digit of the year, day of the year), then an
 * 8-digit sequence that carries on from the journal across restarts, so no two transactions share an RRN.
 */
export class RrnGenerator {
  private seq: number;
  /** The UTC day the date part was made for, [dayStart, dayEnd) in epoch ms: made once a day, not per RRN. */
  private dayStart = NaN;
  private dayEnd = NaN;
  private datePart = '';

  constructor(
    private readonly clock: Clock,
    lastSequence: number,
  ) {
    this.seq = lastSequence % SEQUENCE_SPAN;
  }

  next(): string {
    this.seq = (this.seq % (SEQUENCE_SPAN - 1)) + 1;
    // a Date holds whole milliseconds, truncated
    const now = Math.trunc(this.clock.now());
    if (!(now >= this.dayStart && now < this.dayEnd)) this.startDay(now);
    return `${this.datePart}${String(this.seq).padStart(8, '0')}`;
  }

  private startDay(now: number): void {
    const d = new Date(now);
    const start = Date.UTC(d.getUTCFullYear(), 0, 0);
    const day = Math.floor((d.getTime() - start) / 86_400_000);
    this.datePart = `${d.getUTCFullYear() % 10}${String(day).padStart(3, '0')}`;
    this.dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    this.dayEnd = this.dayStart + 86_400_000;
  }
}
