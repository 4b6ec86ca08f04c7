import { EntryModes, exponentOf, parseAmount, testCardNamed, TestCards, type EntryMode } from '../device/index.js';
import { Modes, FailCodes, type FailCode, type Mode } from '../acquirer/index.js';
import { parseDuration, parseFaults, FaultNames, type FaultSet } from '../faults/index.js';
import { at, Reader, ScenarioError } from './read.js';

/** The keys of a scenario file, top level. */
const TOP = ['name', 'description', 'seed', 'notes', 'target', 'acquirerUrl', 'defaults', 'terminals', 'acquirer', 'steps', 'reconcileWait'] as const;
const TERMINAL = ['id', 'merchant', 'merchantName', 'timeout', 'floorLimit', 'currency', 'keySet', 'card', 'faults'] as const;
const DEFAULTS = TERMINAL.filter((k) => k !== 'id');
const SALE = ['amount', 'card', 'entry', 'pin', 'emv', 'offline'] as const;
const ACQUIRER = ['mode', 'latency', 'for', 'failCode', 'rules', 'reset'] as const;
const MIX = ['count', 'terminals', 'kinds', 'amount', 'cards', 'entry', 'faults'] as const;
const MIX_KINDS = ['purchase', 'refund', 'void', 'preauth'] as const;

export const TerminalActions = ['signon', 'echo', 'purchase', 'refund', 'preauth', 'void', 'complete', 'reverse', 'settle'] as const;
export type TerminalAction = (typeof TerminalActions)[number];
const STEP_ACTIONS = [...TerminalActions, 'mix', 'acquirer', 'settlement', 'wait'] as const;
const SETTLEMENT = ['omit', 'cutover'] as const;

export interface TerminalSpec {
  id: string;
  merchant: string;
  merchantName?: string;
  timeoutMs: number;
  /** Decimal money in the terminal's currency, as written. */
  floorLimit: string;
  currency: string;
  keySet?: string;
  /** Test card used when a step names none. */
  card: string;
  /** On for every transaction of this terminal. */
  faults: FaultSet;
}

export interface SaleParams {
  amount: string;
  card?: string;
  entry?: EntryMode;
  pin?: string;
  emv?: boolean;
  offline?: boolean;
}

/** A reference to a transaction of the open batch: an invoice number, or "last" (the last one that fits). */
export type Ref = { invoice: string } | { last: true };

export type TerminalStep =
  | { action: 'signon' | 'echo' | 'settle'; params: Record<string, never> }
  | { action: 'purchase' | 'refund' | 'preauth'; params: SaleParams }
  | { action: 'void'; params: { ref: Ref } }
  | { action: 'complete'; params: { ref: Ref; amount?: string } }
  | { action: 'reverse'; params: { ref: Ref | null } };

export interface AcquirerChange {
  mode?: Mode;
  latencyMs?: number;
  /** Back to normal (and the latency from before) after this long. */
  durationMs?: number;
  failCode?: FailCode;
  rules?: unknown;
  reset?: boolean;
}

/** A sale of this run by terminal and invoice: resolved to its RRN when the step runs. */
export interface SaleRef {
  terminal: string;
  /** Six digits, as printed. */
  invoice: string;
}

/** The acquirer's settlement: credits it leaves out (then for the rest of the run), and a cutover now. */
export interface SettlementStep {
  omit: SaleRef[];
  cutover: boolean;
}

export interface MixSpec {
  count: number;
  terminals: string[];
  /** Relative weights. */
  kinds: Partial<Record<(typeof MIX_KINDS)[number], number>>;
  /** Decimal money: drawn from min to max in steps of `step`. */
  amount: { min: string; max: string; step: string };
  cards: string[];
  entry: EntryMode[];
  /** Fault name -> probability (0 to 1) that a transaction gets it. */
  faults: Partial<Record<string, number>>;
}

export type Step = { index: number; path: string } & (
  | ({ kind: 'terminal'; terminals: string[]; faults: FaultSet } & TerminalStep)
  | { kind: 'mix'; mix: MixSpec }
  | { kind: 'acquirer'; change: AcquirerChange }
  | { kind: 'settlement'; settlement: SettlementStep }
  | { kind: 'wait'; ms: number }
);

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  notes: string[];
  target?: string;
  acquirerUrl?: string;
  terminals: TerminalSpec[];
  /** Applied before the first step. */
  acquirer?: AcquirerChange;
  steps: Step[];
  /** How long the report waits for reversals still on their way to the acquirer. */
  reconcileWaitMs: number;
}

const ID = /^[A-Za-z0-9_-]{1,8}$/;
const MERCHANT = /^[!-~][ -~]{0,14}$/;

/** Validates a scenario (parsed JSON); errors name the key. The result is what the runner takes. */
export function parseScenario(input: unknown): Scenario {
  const top = Reader.object(input, 'scenario', TOP);
  const name = top.requiredString('name', { pattern: /^[\w .-]{1,64}$/, hint: 'must be 1 to 64 letters, digits, spaces, ".", "-" or "_"' });
  const defaults = top.has('defaults') ? Reader.object(top.value.defaults, top.at('defaults'), DEFAULTS) : new Reader({}, top.at('defaults'));
  const rawTerminals = top.value.terminals;
  if (!Array.isArray(rawTerminals) || rawTerminals.length === 0) throw new ScenarioError(top.at('terminals'), 'must be a non-empty array');
  const terminals = rawTerminals.map((t, i) => parseTerminal(t, `${top.at('terminals')}[${i}]`, defaults));
  const ids = new Set<string>();
  for (const [i, t] of terminals.entries()) {
    if (ids.has(t.id)) throw new ScenarioError(`${top.at('terminals')}[${i}].id`, `terminal "${t.id}" is listed twice`);
    ids.add(t.id);
  }
  const rawSteps = top.value.steps;
  if (!Array.isArray(rawSteps) || rawSteps.length === 0) throw new ScenarioError(top.at('steps'), 'must be a non-empty array');
  const byId = new Map(terminals.map((t) => [t.id, t]));
  const steps = rawSteps.map((s, i) => parseStep(s, i, `${top.at('steps')}[${i}]`, byId));
  const notes = top.stringArray('notes') ?? [];
  const reconcile = top.string('reconcileWait');
  return {
    name,
    description: top.string('description') ?? '',
    seed: top.integer('seed', 0, 2 ** 32 - 1) ?? 1,
    notes,
    target: top.string('target', { pattern: /^(tcp|tls):\/\//, hint: 'must be a tcp://host:port or tls://host:port URL' }),
    acquirerUrl: top.string('acquirerUrl', { pattern: /^https?:\/\//, hint: 'must be an http:// URL (the stub control API)' }),
    terminals,
    acquirer: top.has('acquirer') ? parseAcquirer(top.value.acquirer, top.at('acquirer')) : undefined,
    steps,
    reconcileWaitMs: reconcile === undefined ? 5000 : at(top.at('reconcileWait'), () => parseDuration(reconcile, 'reconcileWait', { maxMs: 600_000 })),
  };
}

function parseTerminal(input: unknown, path: string, defaults: Reader): TerminalSpec {
  const r = Reader.object(input, path, TERMINAL);
  const pick = <T>(read: (x: Reader) => T | undefined): T | undefined => read(r) ?? read(defaults);
  const id = r.requiredString('id', { pattern: ID, hint: 'must be 1 to 8 letters, digits, "-" or "_"' });
  const merchant = pick((x) => x.string('merchant', { pattern: MERCHANT, hint: 'must be 1 to 15 printable characters' }));
  if (merchant === undefined) throw new ScenarioError(`${path}.merchant`, 'is required (here or in "defaults")');
  const currency = pick((x) => x.string('currency', { pattern: /^\d{3}$/, hint: 'must be 3 digits (ISO 4217 numeric)' })) ?? '840';
  const timeout = pick((x) => x.string('timeout'));
  const floorLimit = pick((x) => x.money('floorLimit')) ?? '0';
  at(`${path}.floorLimit`, () => parseAmount(floorLimit, exponentOf(currency), { allowZero: true, option: 'floorLimit' }));
  const keySet = pick((x) => x.string('keySet', { pattern: /^(test|test3)$/, hint: 'must be test or test3' }));
  const card = pick((x) => x.string('card')) ?? 'visa';
  checkCard(card, `${path}.card`);
  const terminalFaults = r.has('faults') ? at(`${path}.faults`, () => parseFaults(r.value.faults, `${path}.faults`)) : {};
  const defaultFaults = defaults.has('faults') ? at(defaults.at('faults'), () => parseFaults(defaults.value.faults, defaults.at('faults'))) : {};
  return {
    id,
    merchant,
    merchantName: pick((x) => x.string('merchantName')),
    timeoutMs: timeout === undefined ? 30_000 : at(`${path}.timeout`, () => parseDuration(timeout, 'timeout', { maxMs: 600_000 })),
    floorLimit,
    currency,
    keySet,
    card,
    faults: { ...defaultFaults, ...terminalFaults },
  };
}

function checkCard(name: string, path: string): void {
  if (!Object.hasOwn(TestCards, name)) throw new ScenarioError(path, `no test card "${name}" (known: ${Object.keys(TestCards).join(', ')})`);
  testCardNamed(name);
}

function parseStep(input: unknown, index: number, path: string, terminals: Map<string, TerminalSpec>): Step {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ScenarioError(path, 'must be an object');
  const actions = Object.keys(input).filter((k) => (STEP_ACTIONS as readonly string[]).includes(k));
  if (actions.length !== 1) {
    throw new ScenarioError(path, `must have exactly one action key, one of ${STEP_ACTIONS.join(', ')} (found ${actions.length === 0 ? 'none' : actions.join(', ')})`);
  }
  const action = actions[0];
  const base = { index, path };
  if (action === 'wait') {
    const r = Reader.object(input, path, ['wait']);
    return { ...base, kind: 'wait', ms: at(r.at('wait'), () => parseDuration(r.value.wait, 'wait', { maxMs: 600_000 })) };
  }
  if (action === 'acquirer') {
    Reader.object(input, path, ['acquirer']);
    return { ...base, kind: 'acquirer', change: parseAcquirer((input as Record<string, unknown>).acquirer, `${path}.acquirer`) };
  }
  if (action === 'settlement') {
    Reader.object(input, path, ['settlement']);
    return { ...base, kind: 'settlement', settlement: parseSettlement((input as Record<string, unknown>).settlement, `${path}.settlement`, terminals) };
  }
  if (action === 'mix') {
    Reader.object(input, path, ['mix']);
    return { ...base, kind: 'mix', mix: parseMix((input as Record<string, unknown>).mix, `${path}.mix`, terminals) };
  }
  const r = Reader.object(input, path, [action, 'terminal', 'terminals', 'faults']);
  const scope = parseScope(r, terminals, action === 'signon' || action === 'echo' || action === 'settle');
  const faults = r.has('faults') ? at(r.at('faults'), () => parseFaults(r.value.faults, r.at('faults'))) : {};
  const step = parseAction(action as TerminalAction, r.value[action], r.at(action), scope.map((id) => terminals.get(id)!));
  return { ...base, kind: 'terminal', terminals: scope, faults, ...step };
}

/** "terminal": "ID" or "terminals": ["ID", ...]; signon, echo and settle default to every terminal. */
function parseScope(r: Reader, terminals: Map<string, TerminalSpec>, allByDefault: boolean): string[] {
  if (r.has('terminal') && r.has('terminals')) throw new ScenarioError(r.path, 'give "terminal" or "terminals", not both');
  let ids: string[];
  let where: string;
  if (r.has('terminal')) {
    ids = [r.requiredString('terminal')];
    where = r.at('terminal');
  } else if (r.has('terminals')) {
    ids = r.stringArray('terminals')!;
    where = r.at('terminals');
  } else if (allByDefault) {
    return [...terminals.keys()];
  } else {
    throw new ScenarioError(r.path, 'names no terminal: add "terminal": "ID"');
  }
  for (const id of ids) if (!terminals.has(id)) throw new ScenarioError(where, `terminal "${id}" is not in "terminals"`);
  return ids;
}

function parseAction(action: TerminalAction, input: unknown, path: string, scope: TerminalSpec[]): TerminalStep {
  switch (action) {
    case 'signon':
    case 'echo':
    case 'settle':
      if (input !== true) Reader.object(input, path, []);
      return { action, params: {} };
    case 'purchase':
    case 'refund':
    case 'preauth':
      return { action, params: parseSale(input, path, scope, action === 'purchase') };
    case 'void': {
      const r = Reader.object(input, path, ['invoice']);
      return { action, params: { ref: parseRef(r, true)! } };
    }
    case 'complete': {
      const r = Reader.object(input, path, ['invoice', 'amount']);
      const amount = r.money('amount');
      if (amount !== undefined) checkMoney(amount, r.at('amount'), scope);
      return { action, params: { ref: parseRef(r, true)!, amount } };
    }
    case 'reverse': {
      const r = Reader.object(input === true ? {} : input, path, ['invoice']);
      return { action, params: { ref: parseRef(r, false) } };
    }
  }
}

/** "invoice": "12" or "last"; omitted: "last" (or, for reverse, the pending reversal only). */
function parseRef(r: Reader, lastByDefault: boolean): Ref | null {
  const invoice = r.string('invoice', { pattern: /^(last|\d{1,6})$/, hint: 'must be an invoice number (up to 6 digits) or "last"' });
  if (invoice === undefined) return lastByDefault ? { last: true } : null;
  return invoice === 'last' ? { last: true } : { invoice };
}

function parseSale(input: unknown, path: string, scope: TerminalSpec[], offlineAllowed: boolean): SaleParams {
  const r = Reader.object(input, path, offlineAllowed ? SALE : SALE.filter((k) => k !== 'offline'));
  const amount = r.money('amount');
  if (amount === undefined) throw new ScenarioError(r.at('amount'), 'is required (decimal money as a string, e.g. "12.34")');
  checkMoney(amount, r.at('amount'), scope);
  const card = r.string('card');
  if (card !== undefined) checkCard(card, r.at('card'));
  return {
    amount,
    card,
    entry: r.string('entry', { pattern: new RegExp(`^(${EntryModes.join('|')})$`), hint: `must be one of ${EntryModes.join(', ')}` }) as EntryMode | undefined,
    pin: r.string('pin', { pattern: /^\d{4,12}$/, hint: 'must be 4 to 12 digits' }),
    emv: r.boolean('emv'),
    offline: r.boolean('offline'),
  };
}

function checkMoney(text: string, path: string, scope: readonly TerminalSpec[]): void {
  for (const t of scope) at(path, () => parseAmount(text, exponentOf(t.currency), { option: 'amount' }));
}

function parseAcquirer(input: unknown, path: string): AcquirerChange {
  const r = Reader.object(input, path, ACQUIRER);
  const change: AcquirerChange = {};
  const mode = r.string('mode', { pattern: new RegExp(`^(${Object.keys(Modes).join('|')})$`), hint: `must be one of ${Object.keys(Modes).join(', ')}` });
  if (mode !== undefined) change.mode = mode as Mode;
  const latency = r.string('latency');
  if (latency !== undefined) change.latencyMs = at(r.at('latency'), () => parseDuration(latency, 'latency', { maxMs: 600_000 }));
  const duration = r.string('for');
  if (duration !== undefined) change.durationMs = at(r.at('for'), () => parseDuration(duration, 'for', { maxMs: 3_600_000 }));
  const failCode = r.string('failCode', { pattern: new RegExp(`^(${FailCodes.join('|')})$`), hint: `must be one of ${FailCodes.join(', ')}` });
  if (failCode !== undefined) change.failCode = failCode as FailCode;
  if (r.has('rules')) {
    if (typeof r.value.rules !== 'object' || r.value.rules === null || Array.isArray(r.value.rules)) throw new ScenarioError(r.at('rules'), 'must be an object (the stub rules format)');
    change.rules = r.value.rules;
  }
  if (r.boolean('reset') === true) change.reset = true;
  if (Object.keys(change).length === 0) throw new ScenarioError(path, `changes nothing: give one of ${ACQUIRER.join(', ')}`);
  if (change.durationMs !== undefined && change.mode === undefined && change.latencyMs === undefined) {
    throw new ScenarioError(r.at('for'), 'goes with "mode" or "latency"');
  }
  return change;
}

function parseSettlement(input: unknown, path: string, terminals: Map<string, TerminalSpec>): SettlementStep {
  const r = Reader.object(input, path, SETTLEMENT);
  const raw = r.value.omit ?? [];
  if (!Array.isArray(raw)) throw new ScenarioError(r.at('omit'), 'must be an array of { "terminal": "ID", "invoice": "N" }');
  const omit = raw.map((o, i) => {
    const x = Reader.object(o, `${r.at('omit')}[${i}]`, ['terminal', 'invoice']);
    const terminal = x.requiredString('terminal');
    if (!terminals.has(terminal)) throw new ScenarioError(x.at('terminal'), `terminal "${terminal}" is not in "terminals"`);
    const invoice = x.requiredString('invoice', { pattern: /^\d{1,6}$/, hint: 'must be an invoice number (up to 6 digits)' });
    return { terminal, invoice: invoice.padStart(6, '0') };
  });
  const cutover = r.boolean('cutover') === true;
  if (omit.length === 0 && !cutover) throw new ScenarioError(path, 'changes nothing: give "omit" or "cutover": true');
  return { omit, cutover };
}

function parseMix(input: unknown, path: string, terminals: Map<string, TerminalSpec>): MixSpec {
  const r = Reader.object(input, path, MIX);
  const count = r.integer('count', 1, 1_000_000);
  if (count === undefined) throw new ScenarioError(r.at('count'), 'is required (how many transactions)');
  const scope = r.stringArray('terminals') ?? [...terminals.keys()];
  for (const id of scope) if (!terminals.has(id)) throw new ScenarioError(r.at('terminals'), `terminal "${id}" is not in "terminals"`);
  const kinds: MixSpec['kinds'] = {};
  if (r.has('kinds')) {
    const k = Reader.object(r.value.kinds, r.at('kinds'), MIX_KINDS);
    for (const kind of MIX_KINDS) {
      const w = k.integer(kind, 0, 1000);
      if (w !== undefined) kinds[kind] = w;
    }
    if (Object.values(kinds).every((w) => w === 0)) throw new ScenarioError(r.at('kinds'), 'needs a weight above 0');
  } else {
    kinds.purchase = 1;
  }
  const a = r.has('amount') ? Reader.object(r.value.amount, r.at('amount'), ['min', 'max', 'step']) : new Reader({}, r.at('amount'));
  const amount = { min: a.money('min') ?? '1.00', max: a.money('max') ?? '50.00', step: a.money('step') ?? '1.00' };
  for (const t of scope.map((id) => terminals.get(id)!)) {
    const e = exponentOf(t.currency);
    const [min, max, step] = (['min', 'max', 'step'] as const).map((k) => at(a.at(k), () => parseAmount(amount[k], e, { option: k })));
    if (min > max) throw new ScenarioError(a.at('min'), 'is above "max"');
    if (step > max) throw new ScenarioError(a.at('step'), 'is above "max"');
  }
  const cards = r.stringArray('cards') ?? ['visa'];
  cards.forEach((c, i) => checkCard(c, `${r.at('cards')}[${i}]`));
  const entry = (r.stringArray('entry', { pattern: new RegExp(`^(${EntryModes.join('|')})$`), hint: `must be one of ${EntryModes.join(', ')}` }) ?? ['chip']) as EntryMode[];
  const faults: MixSpec['faults'] = {};
  if (r.has('faults')) {
    const f = Reader.object(r.value.faults, r.at('faults'), FaultNames);
    for (const name of FaultNames) {
      const p = f.value[name];
      if (p === undefined) continue;
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ScenarioError(f.at(name), 'must be a probability from 0 to 1');
      // the others take their default value in a mix; a skew has none
      if (name === 'clock-skew') throw new ScenarioError(f.at(name), 'needs a value: give it in the terminal\'s "faults" instead');
      faults[name] = p;
    }
  }
  return { count, terminals: scope, kinds, amount, cards, entry, faults };
}
