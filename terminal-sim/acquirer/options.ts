import { randomBytes, randomInt } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { Clock } from './ledger.js';
import { defaultRules, loadRulesFile, parseRules, type Rules } from './rules.js';

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
}

export const defaults = {
  host: '127.0.0.1',
  port: 9100,
  httpPort: 9101,
  dbPath: ':memory:',
  latencyMs: 0,
  maxFrameSize: 8192,
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
]);

/** The binary2 length header cannot announce more. */
const MAX_FRAME = 0xffff;
const MAX_LATENCY_MS = 600_000;

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
