import type { Case } from '../recon/index.js';
import type { CreditRecord } from '../store/types.js';

export const CaseChangeTypes = ['case.opened', 'case.updated', 'case.closed'] as const;
export type CaseChangeType = (typeof CaseChangeTypes)[number];

/** A case the engine or a person changed. `closed`: it became resolved or cleared. */
export interface CaseChange {
  type: CaseChangeType;
  case: Case;
  at: number;
}

/** The lines of a settlement report that was imported (not one imported before). */
export interface CreditsImported {
  reportId: string;
  acquirerId: string;
  settlementDate: string;
  lines: CreditRecord[];
}

export type CaseListener = (change: CaseChange) => void;
export type CreditsListener = (imported: CreditsImported) => void;

function isClosed(c: Case): boolean {
  return c.status === 'resolved' || c.cleared;
}

/**
 * Who listens to case changes and imports, and what each known case looked like last (closed or not), so a change
 * is announced as opened, updated or closed. A listener that throws is reported to `onError` and the others still
 * hear the change.
 */
export class ReconEvents {
  private readonly caseListeners = new Set<CaseListener>();
  private readonly creditListeners = new Set<CreditsListener>();
  /** Case id -> closed when last announced. */
  private readonly closed = new Map<string, boolean>();

  constructor(private readonly onError: (e: unknown, type: string) => void) {}

  onCase(listener: CaseListener): () => void {
    this.caseListeners.add(listener);
    return () => this.caseListeners.delete(listener);
  }

  onCredits(listener: CreditsListener): () => void {
    this.creditListeners.add(listener);
    return () => this.creditListeners.delete(listener);
  }

  /** Cases from an earlier run: known, so their next change is an update. */
  known(cases: Iterable<Case>): void {
    for (const c of cases) this.closed.set(c.id, isClosed(c));
  }

  /**
   * One event per changed case: opened (new), closed (resolved or cleared now, not before) or updated. A case the
   * rules close as it opens is announced opened, then closed.
   */
  cases(changed: readonly Case[], at: number): void {
    for (const c of changed) {
      const was = this.closed.get(c.id);
      const now = isClosed(c);
      this.closed.set(c.id, now);
      if (was === undefined) {
        this.emitCase({ type: 'case.opened', case: c, at });
        if (now) this.emitCase({ type: 'case.closed', case: c, at });
      } else {
        this.emitCase({ type: now && !was ? 'case.closed' : 'case.updated', case: c, at });
      }
    }
  }

  credits(imported: CreditsImported): void {
    for (const l of this.creditListeners) {
      try {
        l(imported);
      } catch (e) {
        this.onError(e, 'credits');
      }
    }
  }

  private emitCase(change: CaseChange): void {
    for (const l of this.caseListeners) {
      try {
        l(change);
      } catch (e) {
        this.onError(e, change.type);
      }
    }
  }
}
