import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LengthHeaders, SERIAL_MAX_MESSAGE, type LengthHeaderKind } from '../../protocol/index.js';
import { checkAlertsConfig } from '../alerts/config.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { applyOverrides, type ConfigOverrides } from './overrides.js';
import { configSchema } from './schema.js';
import type { GatewayConfig } from './types.js';

/** Problem paths start here, whatever the source: "config.acquirers[0].deadlineMs". */
const ROOT = 'config';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    // verbose: errors carry their parent schema, for patternMessage and exact lengths. Their `data` is never shown.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
    ajv.addKeyword({ keyword: 'patternMessage', schemaType: 'string' });
    compiled = ajv.compile(configSchema);
  }
  return compiled;
}

/**
 * Validates a parsed config object, fills in defaults and returns a deep-frozen copy; the input is not changed.
 * `source` names where the object came from in the error message (a file path, "env", ...). Overrides are applied
 * before validation. Throws ConfigError CONFIG_INVALID listing every problem.
 */
export function parseConfig(input: unknown, source = 'config', overrides: ConfigOverrides = {}): GatewayConfig {
  let raw: unknown;
  try {
    raw = structuredClone(input);
  } catch (cause) {
    throw new ConfigError('CONFIG_INVALID', source, [{ path: ROOT, message: 'must be plain JSON data' }], { cause });
  }

  const problems = applyOverrides(raw, overrides);
  const validate = validator();
  if (!validate(raw)) problems.push(...dedupe((validate.errors ?? []).map(toProblem)));
  problems.push(...crossCheck(raw));

  if (problems.length > 0) throw new ConfigError('CONFIG_INVALID', source, problems);
  return deepFreeze(raw) as GatewayConfig;
}

function toProblem(e: ErrorObject): ConfigProblem {
  const at = jsonPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: at, message: `unknown key "${String(p.additionalProperty)}"` };
    case 'required':
      return { path: at, message: `missing required key "${String(p.missingProperty)}"` };
    case 'type':
      return { path: at, message: `must be ${TYPE_NAMES[String(p.type)] ?? String(p.type)}` };
    case 'enum':
      return { path: at, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'minLength':
    case 'maxLength':
      if (parent.minLength === parent.maxLength) return { path: at, message: `must be exactly ${String(p.limit)} characters` };
      if (e.keyword === 'minLength') {
        return { path: at, message: p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters` };
      }
      return { path: at, message: `must be at most ${String(p.limit)} characters` };
    case 'minItems':
      return { path: at, message: p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} items` };
    case 'pattern':
      return { path: at, message: typeof parent.patternMessage === 'string' ? parent.patternMessage : `must match ${String(p.pattern)}` };
    default:
      // minimum, maximum, exclusiveMinimum, exclusiveMaximum: ajv says "must be >= 1", "must be < 30000".
      return { path: at, message: e.message ?? `fails "${e.keyword}"` };
  }
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** "/acquirers/0/reconnect" -> "config.acquirers[0].reconnect". */
function jsonPath(pointer: string): string {
  if (pointer === '') return ROOT;
  return ROOT + pointer.slice(1).split('/').map((s) => step(s.replace(/~1/g, '/').replace(/~0/g, '~'))).join('');
}

function step(key: string): string {
  if (/^(?:0|[1-9][0-9]*)$/.test(key)) return `[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What a schema cannot say: unique ids, terminals pointing at real merchants, limits that depend on each other.
 * Runs even when the schema failed, so one run reports everything; it skips whatever is not the expected shape.
 */
function crossCheck(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isRecord(raw)) return problems;

  const listeners = records(raw.listeners);
  unique(listeners, 'listeners', 'name', 'listener name', problems);
  const ports = new Map<number, string>();
  for (const [i, l] of listeners) {
    // Port 0 asks the OS for a free port, so any number of listeners may use it.
    if (Number.isInteger(l.port) && l.port !== 0) {
      const first = ports.get(l.port as number);
      const at = `${ROOT}.listeners[${i}].port`;
      if (first !== undefined) problems.push({ path: at, message: `port ${String(l.port)} is already used by ${first}` });
      else ports.set(l.port as number, `${ROOT}.listeners[${i}]`);
    }
    const header =
      typeof l.header === 'string' && Object.hasOwn(LengthHeaders, l.header) ? LengthHeaders[l.header as LengthHeaderKind] : undefined;
    if (header !== undefined && typeof l.maxFrameSize === 'number' && l.maxFrameSize > header.max) {
      problems.push({
        path: `${ROOT}.listeners[${i}].maxFrameSize`,
        message: `must be <= ${header.max}: a "${header.name}" length header counts no more`,
      });
    }
  }
  problems.push(...checkSerialPorts(records(raw.serialPorts), listeners));
  if (isRecord(raw.http) && Number.isInteger(raw.http.port) && raw.http.port !== 0) {
    const first = ports.get(raw.http.port as number);
    if (first !== undefined) {
      problems.push({ path: `${ROOT}.http.port`, message: `port ${String(raw.http.port)} is already used by ${first}` });
    }
  }

  const acquirers = records(raw.acquirers);
  unique(acquirers, 'acquirers', 'id', 'acquirer id', problems);
  for (const [i, a] of acquirers) {
    if (isRecord(a.reconnect)) notBelow(a.reconnect, 'maxMs', 'initialMs', `${ROOT}.acquirers[${i}].reconnect`, problems);
  }
  if (isRecord(raw.saf)) notBelow(raw.saf, 'retryMaxMs', 'retryInitialMs', `${ROOT}.saf`, problems);
  if (isRecord(raw.store)) {
    const postgres = raw.store.driver === 'postgres';
    if (postgres && raw.store.url === undefined) problems.push({ path: `${ROOT}.store.url`, message: 'is required with driver "postgres"' });
    for (const key of ['url', 'schema']) {
      if (!postgres && raw.store[key] !== undefined) problems.push({ path: `${ROOT}.store.${key}`, message: 'is for driver "postgres" only' });
    }
    if (postgres && raw.store.thread !== undefined) problems.push({ path: `${ROOT}.store.thread`, message: 'is for driver "sqlite" only' });
    // a database in memory belongs to its connection: another thread cannot open the same one
    if (raw.store.thread === true && raw.store.path === ':memory:') problems.push({ path: `${ROOT}.store.thread`, message: 'cannot be true with path ":memory:"' });
  }
  problems.push(...checkAlertsConfig(raw.alerts, `${ROOT}.alerts`));
  if (isRecord(raw.recon) && isRecord(raw.recon.fetch)) notBelow(raw.recon.fetch, 'retryMaxMs', 'retryInitialMs', `${ROOT}.recon.fetch`, problems);

  // routes name configured acquirers only
  const acquirerIds = new Set(acquirers.map(([, a]) => a.id));
  const routeNames = (list: unknown, at: string): void => {
    if (!Array.isArray(list)) return;
    list.forEach((id, j) => {
      if (typeof id === 'string' && !acquirerIds.has(id)) problems.push({ path: `${at}[${j}]`, message: `no acquirer "${id}" in config.acquirers` });
    });
  };
  if (isRecord(raw.routing)) {
    routeNames(raw.routing.default, `${ROOT}.routing.default`);
    for (const [i, rule] of records(raw.routing.rules)) {
      routeNames(rule.acquirers, `${ROOT}.routing.rules[${i}].acquirers`);
      if (isRecord(rule.match)) notBelow(rule.match, 'maxAmount', 'minAmount', `${ROOT}.routing.rules[${i}].match`, problems);
    }
  }

  const merchants = records(raw.merchants);
  unique(merchants, 'merchants', 'id', 'merchant id', problems);
  const merchantIds = new Set(merchants.map(([, m]) => m.id));
  const terminals = records(raw.terminals);
  unique(terminals, 'terminals', 'id', 'terminal id', problems);
  for (const [i, t] of terminals) {
    if (typeof t.merchantId === 'string' && !merchantIds.has(t.merchantId)) {
      problems.push({ path: `${ROOT}.terminals[${i}].merchantId`, message: `no merchant "${t.merchantId}" in config.merchants` });
    }
  }
  return problems;
}

/** Names unique among ports and listeners (they share metric labels), one port per device, frame limits. */
function checkSerialPorts(ports: [number, Record<string, unknown>][], listeners: [number, Record<string, unknown>][]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  unique(ports, 'serialPorts', 'name', 'serial port name', problems);
  unique(ports, 'serialPorts', 'path', 'serial port path', problems);
  const listenerNames = new Set(listeners.map(([, l]) => l.name));
  for (const [i, p] of ports) {
    const at = `${ROOT}.serialPorts[${i}]`;
    if (typeof p.name === 'string' && listenerNames.has(p.name)) {
      problems.push({ path: `${at}.name`, message: `"${p.name}" is already a listener name` });
    }
    const framing = p.framing ?? 'stx-etx';
    if (typeof p.maxFrameSize === 'number') {
      const header =
        typeof p.header === 'string' && Object.hasOwn(LengthHeaders, p.header) ? LengthHeaders[p.header as LengthHeaderKind] : undefined;
      if (framing === 'stx-etx' && p.maxFrameSize > SERIAL_MAX_MESSAGE) {
        problems.push({ path: `${at}.maxFrameSize`, message: `must be <= ${SERIAL_MAX_MESSAGE}: an STX/ETX frame counts its length in 4 BCD digits` });
      } else if (framing === 'length' && header !== undefined && p.maxFrameSize > header.max) {
        problems.push({ path: `${at}.maxFrameSize`, message: `must be <= ${header.max}: a "${header.name}" length header counts no more` });
      }
    }
    if (isRecord(p.link) && typeof p.link.interCharTimeoutMs === 'number' && typeof p.link.ackTimeoutMs === 'number') {
      // the receiver's NAK after a bad frame waits for a quiet line: it must come before the sender's ACK timer ends
      if (p.link.interCharTimeoutMs >= p.link.ackTimeoutMs) {
        problems.push({ path: `${at}.link.interCharTimeoutMs`, message: `must be < ackTimeoutMs (${p.link.ackTimeoutMs})` });
      }
    }
    if (isRecord(p.reopen)) notBelow(p.reopen, 'maxMs', 'initialMs', `${at}.reopen`, problems);
  }
  return problems;
}

function unique(
  items: [number, Record<string, unknown>][],
  list: string,
  key: string,
  what: string,
  problems: ConfigProblem[],
): void {
  const first = new Map<string, number>();
  for (const [i, item] of items) {
    const value = item[key];
    if (typeof value !== 'string') continue;
    const j = first.get(value);
    if (j === undefined) first.set(value, i);
    else problems.push({ path: `${ROOT}.${list}[${i}].${key}`, message: `duplicate ${what} "${value}" (first at ${ROOT}.${list}[${j}])` });
  }
}

function notBelow(obj: Record<string, unknown>, high: string, low: string, at: string, problems: ConfigProblem[]): void {
  if (typeof obj[high] === 'number' && typeof obj[low] === 'number' && obj[high] < obj[low]) {
    problems.push({ path: `${at}.${high}`, message: `must be >= ${low} (${obj[low]})` });
  }
}

/** The object items of a list, with their indexes; anything else yields nothing. */
function records(list: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, i): [number, Record<string, unknown>][] => (isRecord(item) ? [[i, item]] : []));
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
