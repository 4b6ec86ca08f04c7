import { createHash } from 'node:crypto';
import type { CaseClass } from './types.js';

/**
 * What a case is about. A sale the gateway journaled is named by its RRN (unique per gateway); a receipt the gateway
 * never saw by its terminal key; a credit nothing matches by its report line; a batch by terminal and batch number.
 * The unit separator keeps the parts apart whatever characters the ids hold.
 */
export const Subject = {
  tx: (rrn: string): string => `J\x1f${rrn}`,
  receipt: (terminalId: string, batchNo: string, localDate: string, stan: string): string => `R\x1f${terminalId}\x1f${batchNo}\x1f${localDate}\x1f${stan}`,
  credit: (reportId: string, line: number): string => `C\x1f${reportId}\x1f${line}`,
  batch: (terminalId: string, batchNo: string): string => `B\x1f${terminalId}\x1f${batchNo}`,
} as const;

/**
 * A missing credit goes EXPECTED -> RECEIPT_WITHOUT_CREDIT -> LATE_CREDIT as time passes and data arrives: one case
 * that changes class, so its id comes from the family, not the current class.
 */
export function familyOf(cls: CaseClass): CaseClass {
  return cls === 'EXPECTED' || cls === 'LATE_CREDIT' ? 'RECEIPT_WITHOUT_CREDIT' : cls;
}

const PREFIX: Readonly<Record<CaseClass, string>> = {
  RECEIPT_WITHOUT_CREDIT: 'RWC',
  OFFLINE_NOT_UPLOADED: 'ONU',
  REVERSAL_ABANDONED: 'REV',
  OUT_OF_BALANCE: 'OOB',
  STALE_OPEN_BATCH: 'SOB',
  DUPLICATE: 'DUP',
  AMOUNT_MISMATCH: 'AMT',
  CREDIT_WITHOUT_RECEIPT: 'CWR',
  LATE_CREDIT: 'RWC',
  EXPECTED: 'RWC',
};

/** "RWC-3f2a9c0d41b7e855": the family's prefix and a digest of family and subject. */
export function caseId(cls: CaseClass, subject: string): string {
  const family = familyOf(cls);
  return `${PREFIX[family]}-${createHash('sha256').update(`${family}\x1e${subject}`).digest('hex').slice(0, 16)}`;
}
