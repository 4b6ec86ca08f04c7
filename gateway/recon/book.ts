import { caseId } from './case-id.js';
import type { Finding } from './classify.js';
import { formatAmount } from './format.js';
import type { AuditEntry, Case, CaseStatus, ReconRules } from './types.js';

export const Actors = {
  engine: 'recon',
  duplicateRefund: 'rule:duplicate-refund',
  amountTolerance: 'rule:amount-tolerance',
  lateCredit: 'rule:late-credit',
} as const;

/** What the automatic rules make of a finding when no person has set the case's status. */
interface AutoStatus {
  status: CaseStatus;
  by: string;
  reason: string | null;
  refund: boolean;
}

const CLEARED: Readonly<Partial<Record<Case['class'], string>>> = {
  RECEIPT_WITHOUT_CREDIT: 'cleared: the credit or the journal entry it lacked has arrived',
  OFFLINE_NOT_UPLOADED: 'cleared: the advice reached the gateway',
  STALE_OPEN_BATCH: 'cleared: the batch was closed',
  OUT_OF_BALANCE: 'cleared: the batch no longer shows a difference',
  CREDIT_WITHOUT_RECEIPT: 'cleared: the sale this credit pays is now in the journal',
};

/**
 * The cases: created from findings, updated as findings change, cleared when the data no longer shows them, and
 * acted on by people. A case's status follows the automatic rules until a person sets it.
 */
export class CaseBook {
  private readonly cases = new Map<string, Case>();
  private readonly bySubject = new Map<string, string[]>();

  constructor(private readonly rules: Readonly<ReconRules>) {}

  get size(): number {
    return this.cases.size;
  }

  get(id: string): Case | undefined {
    return this.cases.get(id);
  }

  values(): IterableIterator<Case> {
    return this.cases.values();
  }

  hasSubject(subject: string): boolean {
    return this.bySubject.has(subject);
  }

  /** Brings the cases of one subject in line with its findings (EXPECTED findings never become cases). */
  apply(subject: string, findings: readonly Finding[], now: number, changed: Set<string>): void {
    const previous = this.bySubject.get(subject);
    if (findings.length === 0 && previous === undefined) return;
    const seen: string[] = [];
    for (const f of findings) {
      if (f.class === 'EXPECTED') continue;
      const id = caseId(f.class, subject);
      seen.push(id);
      const c = this.cases.get(id);
      if (c === undefined) {
        this.create(id, f, now);
        changed.add(id);
        this.link(subject, id);
      } else if (this.update(c, f, now)) {
        changed.add(id);
      }
    }
    for (const id of previous ?? []) {
      if (seen.includes(id)) continue;
      const c = this.cases.get(id)!;
      if (c.cleared) continue;
      c.cleared = true;
      c.updatedAt = now;
      const reason = CLEARED[c.class] ?? 'cleared: the data no longer shows the discrepancy';
      this.audit(c, now, Actors.engine, 'cleared', reason);
      if (!c.manual && c.status !== 'resolved') {
        c.status = 'resolved';
        c.resolution = { reason, by: Actors.engine, at: now };
      }
      changed.add(id);
    }
  }

  private link(subject: string, id: string): void {
    const ids = this.bySubject.get(subject);
    if (ids === undefined) this.bySubject.set(subject, [id]);
    else ids.push(id);
  }

  private create(id: string, f: Finding, now: number): void {
    const c: Case = {
      id,
      subject: f.subject,
      class: f.class,
      severity: f.severity,
      ...f.keys,
      explanation: f.explanation,
      likelyCause: f.likelyCause,
      suggestedAction: f.suggestedAction,
      status: 'open',
      resolution: null,
      manual: false,
      cleared: false,
      markedForRefund: false,
      refs: f.refs,
      openedAt: now,
      updatedAt: now,
      audit: [],
    };
    this.audit(c, now, Actors.engine, 'opened', f.explanation);
    this.cases.set(id, c);
    this.follow(c, f, now);
  }

  /** Returns whether anything a reader sees changed. */
  private update(c: Case, f: Finding, now: number): boolean {
    let changed = false;
    if (c.class !== f.class) {
      this.audit(c, now, Actors.engine, 'reclassified', `${c.class} -> ${f.class}: ${f.explanation}`);
      c.class = f.class;
      changed = true;
    }
    if (c.cleared) {
      c.cleared = false;
      if (c.manual) this.audit(c, now, Actors.engine, 'note', `the discrepancy shows again: ${f.explanation}`);
      changed = true;
    }
    const k = f.keys;
    if (
      c.explanation !== f.explanation || c.severity !== f.severity || c.likelyCause !== f.likelyCause || c.suggestedAction !== f.suggestedAction ||
      c.merchantId !== k.merchantId || c.terminalId !== k.terminalId || c.batchNo !== k.batchNo || c.stan !== k.stan || c.localDate !== k.localDate ||
      c.rrn !== k.rrn || c.authCode !== k.authCode || c.amount !== k.amount || c.currency !== k.currency ||
      JSON.stringify(c.refs) !== JSON.stringify(f.refs)
    ) {
      Object.assign(c, k);
      c.severity = f.severity;
      c.explanation = f.explanation;
      c.likelyCause = f.likelyCause;
      c.suggestedAction = f.suggestedAction;
      c.refs = f.refs;
      changed = true;
    }
    if (this.follow(c, f, now)) changed = true;
    if (changed) c.updatedAt = now;
    return changed;
  }

  /** Applies the automatic rules' status unless a person has set it; each change goes into the audit trail. */
  private follow(c: Case, f: Finding, now: number): boolean {
    if (c.manual) return false;
    const want = this.autoStatus(f);
    if (c.status === want.status && (c.resolution?.reason ?? null) === want.reason && c.markedForRefund === want.refund) return false;
    if (want.refund && !c.markedForRefund) {
      const credits = f.surplus.map((r) => `report ${r.reportId} line ${r.line} (${formatAmount(r.amount, f.keys.currency)})`).join(', ');
      this.audit(c, now, want.by, 'marked_for_refund', `surplus credit to be refunded: ${credits}`);
    }
    if (want.status === 'resolved') this.audit(c, now, want.by, 'resolved', want.reason!);
    else if (c.status === 'resolved') this.audit(c, now, Actors.engine, 'reopened', `no rule accepts it any more: ${f.explanation}`);
    else if (want.status === 'acknowledged' && c.status !== 'acknowledged') this.audit(c, now, want.by, 'acknowledged', 'taken in hand by the rule');
    c.status = want.status;
    c.resolution = want.status === 'resolved' ? { reason: want.reason!, by: want.by, at: now } : null;
    c.markedForRefund = want.refund;
    return true;
  }

  private autoStatus(f: Finding): AutoStatus {
    const r = this.rules;
    if (f.class === 'DUPLICATE' && r.duplicateRefund) return { status: 'acknowledged', by: Actors.duplicateRefund, reason: null, refund: true };
    if (f.class === 'AMOUNT_MISMATCH' && r.amountTolerance !== null && f.variance !== null && f.variance <= r.amountTolerance) {
      const reason = `variance ${formatAmount(f.variance, f.keys.currency)} within the tolerance of ${formatAmount(r.amountTolerance, f.keys.currency)}: accepted`;
      return { status: 'resolved', by: Actors.amountTolerance, reason, refund: false };
    }
    if (f.class === 'LATE_CREDIT' && r.lateCreditCloses) {
      return { status: 'resolved', by: Actors.lateCredit, reason: `late credit arrived: ${f.explanation}`, refund: false };
    }
    return { status: 'open', by: Actors.engine, reason: null, refund: false };
  }

  private audit(c: Case, at: number, actor: string, action: AuditEntry['action'], note: string): void {
    c.audit.push({ at, actor, action, note });
  }

  /** A person takes the case in hand. */
  acknowledge(id: string, actor: string, note: string, at: number): Case | undefined {
    const c = this.manualCase(id, actor);
    if (c === undefined) return undefined;
    c.status = 'acknowledged';
    c.resolution = null;
    this.audit(c, at, actor, 'acknowledged', note);
    c.updatedAt = at;
    return c;
  }

  resolve(id: string, actor: string, reason: string, at: number): Case | undefined {
    if (typeof reason !== 'string' || reason.trim() === '') throw new TypeError('"reason" is required to resolve a case');
    const c = this.manualCase(id, actor);
    if (c === undefined) return undefined;
    c.status = 'resolved';
    c.resolution = { reason, by: actor, at };
    this.audit(c, at, actor, 'resolved', reason);
    c.updatedAt = at;
    return c;
  }

  reopen(id: string, actor: string, note: string, at: number): Case | undefined {
    const c = this.manualCase(id, actor);
    if (c === undefined) return undefined;
    c.status = 'open';
    c.resolution = null;
    this.audit(c, at, actor, 'reopened', note);
    c.updatedAt = at;
    return c;
  }

  note(id: string, actor: string, note: string, at: number): Case | undefined {
    const c = this.cases.get(id);
    if (c === undefined) return undefined;
    checkActor(actor);
    this.audit(c, at, actor, 'note', note);
    c.updatedAt = at;
    return c;
  }

  private manualCase(id: string, actor: string): Case | undefined {
    const c = this.cases.get(id);
    if (c === undefined) return undefined;
    checkActor(actor);
    c.manual = true;
    return c;
  }

  /** Puts back a case kept from an earlier run: its status, people's actions and audit trail. */
  restore(c: Case): void {
    const copy = { ...c, refs: { ...c.refs, credits: [...c.refs.credits] }, audit: [...c.audit] };
    const had = this.cases.has(c.id);
    this.cases.set(c.id, copy);
    if (!had) this.link(c.subject, c.id);
  }
}

function checkActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim() === '') throw new TypeError('"actor" is required');
  if (actor === Actors.engine || actor.startsWith('rule:')) throw new TypeError(`"actor" ${actor} is reserved for the engine`);
}
