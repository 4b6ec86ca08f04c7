import { readFileSync } from 'node:fs';
import { maskPan } from '../../protocol/index.js';

/**
 * How the stub decides, as data a tester can read and change: a JSON file, `PUT /rules`, or `setRules()`.
 * An outcome is either a response code to answer with, or a behaviour that changes how (or whether) the answer is
 * delivered while the authorization itself is processed as an approval.
 */
export const Behaviours = {
  slow: 'answer after timings.slowMs (inside the gateway deadline)',
  late: "answer after timings.lateMs (after the gateway's deadline)",
  never: 'process the request and never answer',
  drop: 'process the request, then close the connection without answering',
} as const;
export type Behaviour = keyof typeof Behaviours;

/** A two-character response code ('05', '51', '00') or a behaviour name. */
export type Outcome = string;

export interface CardRule {
  /** Available funds in minor units: a debit over it is declined '51'; approvals debit it, reversals credit it. */
  balance?: number;
  /** Wins over the amount endings: a response code or a behaviour. */
  outcome?: Outcome;
}

export interface Timings {
  slowMs: number;
  lateMs: number;
}

export interface Rules {
  /** The amount's last two digits (minor units) -> outcome. */
  amountEndings: Readonly<Record<string, Outcome>>;
  /** PAN -> per-card rule. */
  cards: Readonly<Record<string, Readonly<CardRule>>>;
  timings: Readonly<Timings>;
  /** What mode 'fail' answers: '96' system malfunction or '91' issuer unavailable. */
  failCode: FailCode;
}

export const FailCodes = ['96', '91'] as const;
export type FailCode = (typeof FailCodes)[number];

export const defaultRules: Rules = deepFreeze({
  amountEndings: {
    '05': '05',
    '14': '14',
    '51': '51',
    '54': '54',
    '55': '55',
    '57': '57',
    '58': '58',
    '91': '91',
    '96': '96',
    '71': 'slow',
    '72': 'late',
    '73': 'never',
    '74': 'drop',
  },
  cards: {},
  timings: { slowMs: 3000, lateMs: 15000 },
  failCode: '96',
});

/** A rules file or body that does not validate; `path` names the offending key (PANs masked). */
export class RulesError extends Error {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'RulesError';
    this.path = path;
    this.detail = detail;
  }
}

const TOP_KEYS = ['amountEndings', 'cards', 'timings', 'failCode'] as const;
const CARD_KEYS = ['balance', 'outcome'] as const;
const TIMING_KEYS = ['slowMs', 'lateMs'] as const;
const RESPONSE_CODE = /^[0-9A-Z]{2}$/;
const ENDING = /^\d{2}$/;
const PAN = /^\d{12,19}$/;
/** Timers beyond this are surely a typo (and setTimeout caps at 2^31-1 ms). */
const MAX_TIMING_MS = 600_000;

/**
 * Validates rules given as data. Omitted sections take the defaults; a given section replaces its default whole,
 * so a rules file shows every ending it uses. Unknown keys are rejected, naming the key. The result is frozen.
 */
export function parseRules(input: unknown): Rules {
  const top = object(input, 'rules');
  rejectUnknown(top, TOP_KEYS, 'rules');
  const amountEndings: Record<string, Outcome> = {};
  if (top.amountEndings !== undefined) {
    for (const [ending, outcome] of Object.entries(object(top.amountEndings, 'rules.amountEndings'))) {
      const path = `rules.amountEndings["${ending}"]`;
      if (!ENDING.test(ending)) throw new RulesError(path, 'an amount ending is two digits');
      amountEndings[ending] = parseOutcome(outcome, path);
    }
  }
  const cards: Record<string, CardRule> = {};
  if (top.cards !== undefined) {
    for (const [pan, rule] of Object.entries(object(top.cards, 'rules.cards'))) {
      // Card rules are keyed by PAN: errors show it masked, as logs would.
      const path = `rules.cards["${/\d{7}/.test(pan) ? maskPan(pan) : pan}"]`;
      if (!PAN.test(pan)) throw new RulesError(path, 'a card is keyed by its PAN, 12 to 19 digits');
      const r = object(rule, path);
      rejectUnknown(r, CARD_KEYS, path);
      const card: CardRule = {};
      if (r.balance !== undefined) {
        if (!Number.isSafeInteger(r.balance) || (r.balance as number) < 0) {
          throw new RulesError(`${path}.balance`, 'a balance is a non-negative integer in minor units');
        }
        card.balance = r.balance as number;
      }
      if (r.outcome !== undefined) card.outcome = parseOutcome(r.outcome, `${path}.outcome`);
      cards[pan] = card;
    }
  }
  const timings: Timings = { ...defaultRules.timings };
  if (top.timings !== undefined) {
    const t = object(top.timings, 'rules.timings');
    rejectUnknown(t, TIMING_KEYS, 'rules.timings');
    for (const key of TIMING_KEYS) {
      const v = t[key];
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > MAX_TIMING_MS) {
        throw new RulesError(`rules.timings.${key}`, `must be an integer from 0 to ${MAX_TIMING_MS} (milliseconds)`);
      }
      timings[key] = v as number;
    }
  }
  let failCode: FailCode = defaultRules.failCode;
  if (top.failCode !== undefined) {
    if (!(FailCodes as readonly unknown[]).includes(top.failCode)) {
      throw new RulesError('rules.failCode', `must be one of ${FailCodes.join(', ')}`);
    }
    failCode = top.failCode as FailCode;
  }
  return deepFreeze({
    amountEndings: top.amountEndings === undefined ? { ...defaultRules.amountEndings } : amountEndings,
    cards,
    timings,
    failCode,
  });
}

/** Reads and validates a rules file; errors name the file and the key. */
export function loadRulesFile(path: string): Rules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RulesError(path, `cannot read the rules file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RulesError(path, `not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseRules(json);
  } catch (e) {
    if (e instanceof RulesError) throw new RulesError(`${path}: ${e.path}`, e.detail);
    throw e;
  }
}

export function isBehaviour(outcome: Outcome | undefined): outcome is Behaviour {
  return outcome !== undefined && Object.hasOwn(Behaviours, outcome);
}

function parseOutcome(v: unknown, path: string): Outcome {
  if (typeof v === 'string' && (RESPONSE_CODE.test(v) || isBehaviour(v))) return v;
  throw new RulesError(path, `an outcome is a two-character response code or one of ${Object.keys(Behaviours).join(', ')}`);
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RulesError(path, 'must be an object');
  return v as Record<string, unknown>;
}

function rejectUnknown(o: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new RulesError(path, `unknown key "${key}" (known: ${known.join(', ')})`);
  }
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
