import type { ReconOptions, ReconRules, SettlementWindow } from './types.js';

export interface ResolvedOptions {
  readonly acquirers: ReadonlyMap<string, SettlementWindow>;
  readonly defaultWindow: SettlementWindow;
  readonly utcOffsetMinutes: number;
  readonly batchStaleAfterMs: number;
  readonly rules: Readonly<ReconRules>;
}

const DAY_MS = 86_400_000;
const KEYS = ['acquirers', 'defaultWindow', 'utcOffsetMinutes', 'batchStaleAfterMs', 'rules'] as const;
const RULE_KEYS = ['duplicateRefund', 'amountTolerance', 'lateCreditCloses'] as const;
const WINDOW_KEYS = ['settleAfterDays', 'graceDays'] as const;

export const DEFAULT_WINDOW: SettlementWindow = Object.freeze({ settleAfterDays: 1, graceDays: 1 });

function unknownKeys(o: object, known: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new TypeError(`"${where}${k}" is not a reconciliation option`);
}

function days(v: unknown, name: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > 366) throw new TypeError(`"${name}" must be a whole number of days from 0 to 366`);
  return v as number;
}

function window(v: unknown, name: string): SettlementWindow {
  if (typeof v !== 'object' || v === null) throw new TypeError(`"${name}" must be { settleAfterDays, graceDays }`);
  unknownKeys(v, WINDOW_KEYS, `${name}.`);
  const w = v as Partial<SettlementWindow>;
  return Object.freeze({ settleAfterDays: days(w.settleAfterDays, `${name}.settleAfterDays`), graceDays: days(w.graceDays, `${name}.graceDays`) });
}

/** Validates the options once, naming the option at fault, and fills the defaults. */
export function resolveOptions(o: ReconOptions = {}): ResolvedOptions {
  if (typeof o !== 'object' || o === null) throw new TypeError('reconciliation options must be an object');
  unknownKeys(o, KEYS, '');
  const acquirers = new Map<string, SettlementWindow>();
  if (o.acquirers !== undefined) {
    if (typeof o.acquirers !== 'object' || o.acquirers === null) throw new TypeError('"acquirers" must map acquirer ids to settlement windows');
    for (const [id, w] of Object.entries(o.acquirers)) acquirers.set(id, window(w, `acquirers.${id}`));
  }
  const utcOffsetMinutes = o.utcOffsetMinutes ?? 0;
  if (!Number.isSafeInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 14 * 60) {
    throw new TypeError('"utcOffsetMinutes" must be a whole number of minutes from -840 to 840');
  }
  const batchStaleAfterMs = o.batchStaleAfterMs ?? DAY_MS;
  if (!Number.isSafeInteger(batchStaleAfterMs) || batchStaleAfterMs <= 0) throw new TypeError('"batchStaleAfterMs" must be a positive whole number of milliseconds');
  const r = o.rules ?? {};
  if (typeof r !== 'object' || r === null) throw new TypeError('"rules" must be an object');
  unknownKeys(r, RULE_KEYS, 'rules.');
  const flag = (v: unknown, name: string): boolean => {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new TypeError(`"rules.${name}" must be true or false`);
    return v;
  };
  const tolerance = r.amountTolerance ?? null;
  if (tolerance !== null && (!Number.isSafeInteger(tolerance) || tolerance < 0)) {
    throw new TypeError('"rules.amountTolerance" must be null or a whole number of minor units, 0 or more');
  }
  return Object.freeze({
    acquirers,
    defaultWindow: o.defaultWindow === undefined ? DEFAULT_WINDOW : window(o.defaultWindow, 'defaultWindow'),
    utcOffsetMinutes,
    batchStaleAfterMs,
    rules: Object.freeze({
      duplicateRefund: flag(r.duplicateRefund, 'duplicateRefund'),
      amountTolerance: tolerance,
      lateCreditCloses: flag(r.lateCreditCloses, 'lateCreditCloses'),
    }),
  });
}
