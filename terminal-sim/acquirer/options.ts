import { randomBytes, randomInt } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Clock } from './ledger.js';
import { defaultRules, loadRulesFile, parseRules, type Rules } from './rules.js';
import { FaultsError, parseFaults, type SettlementFaults } from './settlement/faults.js';
import { parseCutover } from './settlement/schedule.js';

export interface AcquirerOptions {
  /** Interface both servers bind to. Default 127.0.0.1. */
  host?: string;
  /** Host link TCP port; 0 picks a free one. Default 9100. */
  port?: number;
  /** Control API port; 0 picks a free one. Default 9101. */
  httpPort?: number;
  /** The ledger's SQLite file. Default ':memory:' (the CLI defaults to a file). */
  dbPath?: string;
  /** Rules as data (validated); wins over `rulesFile`. Default `defaultRules`. */
  rules?: unknown;
  /** A JSON rules file, validated at start. */
  rulesFile?: string;
  /** Added to every answer, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Key of the HMAC-SHA256 kept instead of PANs. Default: random per start, so hashes do not survive a restart. */
  panKey?: string | Buffer;
  /** Timestamps of ledger rows. Default Date.now. */
  clock?: Clock;
  /** Structured logs. Default: pino JSON lines to stdout at level info. */
  logger?: Logger;
  /** Largest frame the host link accepts. Default 8192. */
  maxFrameSize?: number;
  /** Makes approval codes (6 characters). Default: random upper-case letters and digits. */
  authCode?: () => string;
  /** The acquirer_id column and the first part of every report_id. Default 'stub'. */
  acquirerId?: string;
  /** Daily cutover, 'HH:MM' UTC on `clock`; null: only forced cutovers. Default '22:00'. */
  cutover?: string | null;
  /** Settlement lag: a transaction approved on date T is paid at the cutover of date T + this. Default 1. */
  settleAfterDays?: number;
  /** Fee per credit in basis points of its amount, rounded half up to minor units. Default 150 (1.5%). */
  feeBasisPoints?: number;
  /** A fixed fee per credit in minor units, added to the percentage. Default 0. */
  feeFixed?: number;
  /** Directory each report is written to as <report_id>.csv (created if missing). Default: none, database only. */
  reportsDir?: string;
  /** Seeds the settlement fault draws. Default 0. */
  faultSeed?: number;
  /** Settlement faults at start and after reset(), as setSettlementFaults() takes them. Default: none. */
  faults?: unknown;
  /** How often the clock is checked for a due cutover, in milliseconds. Default 1000. */
  settlementCheckMs?: number;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  httpPort: number;
  dbPath: string;
  rules: Rules;
  latencyMs: number;
  panKey: Buffer;
  panKeyGenerated: boolean;
  clock: Clock;
  logger: Logger;
  maxFrameSize: number;
  authCode: () => string;
  acquirerId: string;
  cutoverMinutes: number | null;
  settleAfterDays: number;
  feeBasisPoints: number;
  feeFixed: number;
  reportsDir: string | null;
  faults: SettlementFaults;
  settlementCheckMs: number;
}

export const defaults = {
  host: '127.0.0.1',
  port: 9100,
  httpPort: 9101,
  dbPath: ':memory:',
  latencyMs: 0,
  maxFrameSize: 8192,
  acquirerId: 'stub',
  cutover: '22:00',
  settleAfterDays: 1,
  feeBasisPoints: 150,
  feeFixed: 0,
  faultSeed: 0,
  settlementCheckMs: 1000,
} as const;

const KEYS = new Set([
  'host',
  'port',
  'httpPort',
  'dbPath',
  'rules',
  'rulesFile',
  'latencyMs',
  'panKey',
  'clock',
  'logger',
  'maxFrameSize',
  'authCode',
  'acquirerId',
  'cutover',
  'settleAfterDays',
  'feeBasisPoints',
  'feeFixed',
  'reportsDir',
  'faultSeed',
  'faults',
  'settlementCheckMs',
]);

/** The binary2 length header cannot announce more. */
const MAX_FRAME = 0xffff;
const MAX_LATENCY_MS = 600_000;
// It names report files and is a CSV cell: no separators, no path characters.
const ACQUIRER_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** Checks every option once, up front, naming the option; fills in defaults. */
export function resolveOptions(opts: AcquirerOptions = {}): ResolvedOptions {
  if (typeof opts !== 'object' || opts === null) throw new TypeError('options must be an object');
  for (const key of Object.keys(opts)) if (!KEYS.has(key)) throw new TypeError(`unknown option "${key}"`);
  const host = opts.host ?? defaults.host;
  if (typeof host !== 'string' || host === '') throw new TypeError('"host" must be a non-empty string');
  const dbPath = opts.dbPath ?? defaults.dbPath;
  if (typeof dbPath !== 'string' || dbPath === '') throw new TypeError('"dbPath" must be a non-empty string');
  let rules = defaultRules;
  if (opts.rules !== undefined) rules = parseRules(opts.rules);
  else if (opts.rulesFile !== undefined) rules = loadRulesFile(opts.rulesFile);
  const panKey = opts.panKey === undefined ? randomBytes(32) : Buffer.from(opts.panKey);
  if (panKey.length < 16) throw new TypeError('"panKey" must be at least 16 bytes');
  if (opts.clock !== undefined && typeof opts.clock?.now !== 'function') throw new TypeError('"clock" must have a now() method');
  if (opts.authCode !== undefined && typeof opts.authCode !== 'function') throw new TypeError('"authCode" must be a function');
  const acquirerId = opts.acquirerId ?? defaults.acquirerId;
  if (typeof acquirerId !== 'string' || !ACQUIRER_ID.test(acquirerId)) {
    throw new TypeError('"acquirerId" must be 1 to 32 letters, digits, ".", "_" or "-"');
  }
  if (opts.reportsDir !== undefined && (typeof opts.reportsDir !== 'string' || opts.reportsDir === '')) {
    throw new TypeError('"reportsDir" must be a non-empty string');
  }
  const faultSeed = integer(opts.faultSeed ?? defaults.faultSeed, 'faultSeed', 0, 0xffffffff);
  let faults: SettlementFaults;
  try {
    faults = parseFaults(opts.faults ?? {}, faultSeed);
  } catch (e) {
    if (e instanceof FaultsError) throw new TypeError(`"faults": ${e.message}`);
    throw e;
  }
  return {
    host,
    port: port(opts.port, 'port', defaults.port),
    httpPort: port(opts.httpPort, 'httpPort', defaults.httpPort),
    dbPath,
    rules,
    latencyMs: checkLatency(opts.latencyMs ?? defaults.latencyMs, 'latencyMs'),
    panKey,
    panKeyGenerated: opts.panKey === undefined,
    clock: opts.clock ?? { now: Date.now },
    logger: opts.logger ?? pino({ base: { service: 'acquirer-stub' } }),
    maxFrameSize: integer(opts.maxFrameSize ?? defaults.maxFrameSize, 'maxFrameSize', 1, MAX_FRAME),
    authCode: opts.authCode ?? randomAuthCode,
    acquirerId,
    cutoverMinutes: opts.cutover === null ? null : parseCutover(opts.cutover ?? defaults.cutover, 'cutover'),
    settleAfterDays: integer(opts.settleAfterDays ?? defaults.settleAfterDays, 'settleAfterDays', 0, 30),
    feeBasisPoints: integer(opts.feeBasisPoints ?? defaults.feeBasisPoints, 'feeBasisPoints', 0, 10_000),
    feeFixed: integer(opts.feeFixed ?? defaults.feeFixed, 'feeFixed', 0, 1_000_000_000),
    reportsDir: opts.reportsDir ?? null,
    faults,
    settlementCheckMs: integer(opts.settlementCheckMs ?? defaults.settlementCheckMs, 'settlementCheckMs', 10, 60_000),
  };
}

export function checkLatency(v: unknown, name: string): number {
  return integer(v, name, 0, MAX_LATENCY_MS);
}

function port(v: unknown, name: string, fallback: number): number {
  return integer(v ?? fallback, name, 0, 65535);
}

function integer(v: unknown, name: string, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
    throw new TypeError(`"${name}" must be an integer from ${min} to ${max}`);
  }
  return v as number;
}

const AUTH_CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomAuthCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += AUTH_CODE_ALPHABET[randomInt(AUTH_CODE_ALPHABET.length)];
  return code;
}
