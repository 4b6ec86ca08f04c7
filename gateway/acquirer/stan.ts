/** Field 11 is n6 and 000000 is not a valid trace number, so the counter runs 000001..999999 and wraps to 000001. */
export const STAN_MAX = 999_999;

/** System trace audit numbers for one link. */
export class StanCounter {
  #next: number;

  /** `first` is the first STAN handed out (e.g. the one after the last persisted STAN). */
  constructor(first = 1) {
    if (!Number.isInteger(first) || first < 1 || first > STAN_MAX) {
      throw new TypeError(`"initialStan" must be an integer from 1 to ${STAN_MAX}`);
    }
    this.#next = first;
  }

  next(): string {
    const stan = this.#next;
    this.#next = stan === STAN_MAX ? 1 : stan + 1;
    return String(stan).padStart(6, '0');
  }
}
