import { maskPan } from '../../protocol/index.js';
import type { Rules } from './rules.js';

export interface BalanceEntry {
  panMasked: string;
  balance: number;
}

/**
 * Test-card balances in minor units, in memory, keyed by the PAN's keyed hash (as the ledger stores it) so a
 * reversal can credit the card of a ledger row. Cards without a balance in the rules are not tracked.
 */
export class Balances {
  readonly #byHash = new Map<string, BalanceEntry>();
  readonly #hash: (pan: string) => string;

  constructor(hash: (pan: string) => string) {
    this.#hash = hash;
  }

  /** Starts over from the rules' balances. */
  load(rules: Rules): void {
    this.#byHash.clear();
    for (const [pan, card] of Object.entries(rules.cards)) {
      if (card.balance !== undefined) this.#byHash.set(this.#hash(pan), { panMasked: maskPan(pan), balance: card.balance });
    }
  }

  get(panHash: string): number | undefined {
    return this.#byHash.get(panHash)?.balance;
  }

  /** Adds `delta` (negative: a debit) to a tracked card; untracked cards are left alone. */
  adjust(panHash: string | null, delta: number): void {
    const entry = panHash === null ? undefined : this.#byHash.get(panHash);
    if (entry !== undefined) entry.balance += delta;
  }

  list(): BalanceEntry[] {
    return [...this.#byHash.values()].map((e) => ({ ...e }));
  }
}
