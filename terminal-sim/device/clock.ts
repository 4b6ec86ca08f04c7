/** Time comes from here, so tests (and the clock-skew fault) can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The terminal's local time as the messages and receipts carry it. */
export interface LocalStamp {
  /** "2025-11-21T10:15:00", local time, no zone: what the receipt prints. */
  at: string;
  /** Field 13, MMDD. */
  localDate: string;
  /** Field 12, hhmmss. */
  localTime: string;
  /** EMV tag 9A, YYMMDD. */
  emvDate: string;
}

export function stampOf(ms: number): LocalStamp {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const [Y, M, D, h, m, s] = [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return {
    at: `${p(Y, 4)}-${p(M)}-${p(D)}T${p(h)}:${p(m)}:${p(s)}`,
    localDate: p(M) + p(D),
    localTime: p(h) + p(m) + p(s),
    emvDate: p(Y % 100) + p(M) + p(D),
  };
}
