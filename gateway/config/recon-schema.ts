/** The reconciliation parts of the config schema: an acquirer's `settlement` and the top-level `recon`. */

const PRINTABLE = '^[\\x20-\\x7e]*$';
const days = (fallback: number) => ({ type: 'integer', minimum: 0, maximum: 366, default: fallback }) as const;
/** Polls and retries are handed to setTimeout: at most a signed 32-bit number of milliseconds. */
const timer = (fallback: number) => ({ type: 'integer', exclusiveMinimum: 0, maximum: 0x7fffffff, default: fallback }) as const;

export const DEFAULT_RECON = {
  settleAfterDays: 1,
  graceDays: 1,
  utcOffsetMinutes: 0,
  batchStaleAfterMs: 86_400_000,
  fetch: { pollMs: 1_000, timeoutMs: 30_000, retryInitialMs: 60_000, retryMaxMs: 3_600_000 },
} as const;

export const acquirerSettlementSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    settleAfterDays: days(DEFAULT_RECON.settleAfterDays),
    graceDays: days(DEFAULT_RECON.graceDays),
    // no default: without it reports are imported by hand
    fetch: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'at'],
      properties: {
        url: { type: 'string', pattern: '^https?://[^\\s]+$', patternMessage: 'must be an http:// or https:// URL' },
        at: { type: 'string', pattern: '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$', patternMessage: 'must be a time HH:MM, 00:00 to 23:59' },
        token: { type: 'string', minLength: 1, pattern: PRINTABLE, patternMessage: 'must be printable ASCII' },
      },
    },
  },
} as const;

export const reconSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    utcOffsetMinutes: { type: 'integer', minimum: -840, maximum: 840, default: DEFAULT_RECON.utcOffsetMinutes },
    // compared with timestamps, never handed to setTimeout
    batchStaleAfterMs: { type: 'integer', exclusiveMinimum: 0, default: DEFAULT_RECON.batchStaleAfterMs },
    rules: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        duplicateRefund: { type: 'boolean', default: false },
        amountTolerance: { type: 'integer', minimum: 0 },
        lateCreditCloses: { type: 'boolean', default: false },
      },
    },
    fetch: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pollMs: timer(DEFAULT_RECON.fetch.pollMs),
        timeoutMs: timer(DEFAULT_RECON.fetch.timeoutMs),
        retryInitialMs: timer(DEFAULT_RECON.fetch.retryInitialMs),
        retryMaxMs: timer(DEFAULT_RECON.fetch.retryMaxMs),
      },
    },
  },
} as const;
