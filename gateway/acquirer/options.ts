import type { ConnectionOptions } from 'node:tls';
import { systemClock, type Clock } from '../clock.js';
import type { BackoffOptions } from './backoff.js';
import { STAN_MAX } from './stan.js';

/** The pino methods the link uses, called pino-style: (object, message). */
export interface LinkLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HostLinkOptions {
  /** Acquirer id, for logs and for the owner's bookkeeping. */
  id: string;
  host: string;
  port: number;
  /** Default deadline of a request, ms. Default 10000. */
  deadlineMs?: number;
  /** Send an 0800/301 echo once the link has been idle (nothing read or written) this long, ms; 0 disables. Default 30000. */
  echoIntervalMs?: number;
  /** Give up a TCP (and TLS) connect after this long, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff. Defaults: initialMs 200, maxMs 10000, jitter 0.2. */
  reconnect?: Partial<BackoffOptions>;
  /** Largest frame accepted from or sent to the acquirer (binary2 length). Default 8192. */
  maxFrameSize?: number;
  /** Requests in flight before `request` answers OVERLOADED. Default 10000. */
  maxPending?: number;
  /** How many expired request keys are remembered, to tell a late reply from an unknown one. Default 10000. */
  lateMemory?: number;
  /** First STAN the link hands out, 1..999999 (e.g. one past the last persisted STAN). Default 1. */
  initialStan?: number;
  /** Wall clock for field 7 and for the sentAt/deadlineAt times. Default the system clock. */
  clock?: Clock;
  logger?: LinkLogger;
  /** Connect with node:tls using these options (host and port are taken from above). */
  tls?: ConnectionOptions;
}

export interface ResolvedLinkOptions {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly deadlineMs: number;
  readonly echoIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnect: Readonly<BackoffOptions>;
  readonly maxFrameSize: number;
  readonly maxPending: number;
  readonly lateMemory: number;
  readonly initialStan: number;
  readonly clock: Clock;
  readonly logger: LinkLogger;
  readonly tls: ConnectionOptions | undefined;
}

const noop = () => {};
export const silentLogger: LinkLogger = { debug: noop, info: noop, warn: noop, error: noop };

const KEYS = new Set([
  'id', 'host', 'port', 'deadlineMs', 'echoIntervalMs', 'connectTimeoutMs', 'reconnect', 'maxFrameSize', 'maxPending',
  'lateMemory', 'initialStan', 'clock', 'logger', 'tls',
]);
const RECONNECT_KEYS = new Set(['initialMs', 'maxMs', 'jitter']);
/** binary2 counts at most 65535 bytes. */
const BINARY2_MAX = 0xffff;

/** Checks every option once, naming the bad one, and fills in defaults. */
export function resolveLinkOptions(options: HostLinkOptions): ResolvedLinkOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  for (const key of Object.keys(options)) if (!KEYS.has(key)) throw new TypeError(`unknown option "${key}"`);
  const o = options as unknown as Record<string, unknown>;

  const id = nonEmptyString(o.id, 'id');
  const host = nonEmptyString(o.host, 'host');
  if (!Number.isInteger(o.port) || (o.port as number) < 1 || (o.port as number) > 65535) {
    throw new TypeError('"port" must be an integer from 1 to 65535');
  }

  const r = o.reconnect ?? {};
  if (typeof r !== 'object' || r === null) throw new TypeError('"reconnect" must be an object');
  for (const key of Object.keys(r)) if (!RECONNECT_KEYS.has(key)) throw new TypeError(`unknown option "reconnect.${key}"`);
  const rr = r as Record<string, unknown>;
  const initialMs = positive(rr.initialMs, 'reconnect.initialMs', 200);
  const maxMs = positive(rr.maxMs, 'reconnect.maxMs', 10_000);
  if (maxMs < initialMs) throw new TypeError('"reconnect.maxMs" must not be less than "reconnect.initialMs"');
  const jitter = rr.jitter ?? 0.2;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw new TypeError('"reconnect.jitter" must be a number from 0 to 1');

  const echoIntervalMs = o.echoIntervalMs ?? 30_000;
  if (typeof echoIntervalMs !== 'number' || !Number.isFinite(echoIntervalMs) || echoIntervalMs < 0 || echoIntervalMs > 0x7fffffff) {
    throw new TypeError('"echoIntervalMs" must be a non-negative number (0 disables echoes)');
  }

  const maxFrameSize = integer(o.maxFrameSize, 'maxFrameSize', 8192, 1, BINARY2_MAX);
  const initialStan = integer(o.initialStan, 'initialStan', 1, 1, STAN_MAX);

  const clock = o.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof (clock as { now?: unknown }).now !== 'function') {
    throw new TypeError('"clock" must be an object with a now() method');
  }
  const logger = o.logger ?? silentLogger;
  if (typeof logger !== 'object' || logger === null) throw new TypeError('"logger" must be a pino-like logger');
  for (const level of ['debug', 'info', 'warn', 'error']) {
    if (typeof (logger as Record<string, unknown>)[level] !== 'function') throw new TypeError(`"logger" must have a ${level}() method`);
  }
  if (o.tls !== undefined && (typeof o.tls !== 'object' || o.tls === null)) throw new TypeError('"tls" must be an object of tls.connect options');

  return Object.freeze({
    id,
    host,
    port: o.port as number,
    deadlineMs: positive(o.deadlineMs, 'deadlineMs', 10_000),
    echoIntervalMs,
    connectTimeoutMs: positive(o.connectTimeoutMs, 'connectTimeoutMs', 5_000),
    reconnect: Object.freeze({ initialMs, maxMs, jitter }),
    maxFrameSize,
    maxPending: integer(o.maxPending, 'maxPending', 10_000, 1, Number.MAX_SAFE_INTEGER),
    lateMemory: integer(o.lateMemory, 'lateMemory', 10_000, 0, Number.MAX_SAFE_INTEGER),
    initialStan,
    clock: clock as Clock,
    logger: logger as LinkLogger,
    tls: o.tls as ConnectionOptions | undefined,
  });
}

function nonEmptyString(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new TypeError(`"${name}" must be a non-empty string`);
  return v;
}

/** A timer length: finite, above zero, and within what setTimeout can hold. */
export function positive(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 0x7fffffff) {
    throw new TypeError(`"${name}" must be a positive number of milliseconds`);
  }
  return v;
}

function integer(v: unknown, name: string, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    throw new TypeError(`"${name}" must be an integer from ${min} to ${max}`);
  }
  return v as number;
}
