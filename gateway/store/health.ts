import type { Clock } from '../clock.js';

/** A spell of writes the journal's file refused: since when (gateway clock), how many, the last error. */
export interface WritesFailing {
  since: number;
  failures: number;
  error: string;
}

/**
 * Whether the journal's file takes writes now, as its observer hears it: failing from the first write the file refused
 * (disk full, I/O error) until a commit goes through again. For /health and the alerts.
 */
export class JournalHealth {
  #failing: WritesFailing | undefined;

  constructor(private readonly clock: Clock) {}

  /** A refused write; true when it starts a spell. */
  writeFailed(e: unknown): boolean {
    const error = e instanceof Error ? e.message : String(e);
    if (this.#failing !== undefined) {
      this.#failing.failures++;
      this.#failing.error = error;
      return false;
    }
    this.#failing = { since: this.clock.now(), failures: 1, error };
    return true;
  }

  /** A commit went through: the spell that it ends. */
  writesResumed(): WritesFailing | undefined {
    const ended = this.#failing;
    this.#failing = undefined;
    return ended;
  }

  failing(): WritesFailing | undefined {
    return this.#failing === undefined ? undefined : { ...this.#failing };
  }
}
