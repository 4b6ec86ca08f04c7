import { builtinSpecs } from '../../protocol/index.js';
import { acquirerSettlementSchema, reconSchema } from './recon-schema.js';
import type { GatewayConfig } from './types.js';

/**
 * JSON Schema (draft-07) of the gateway config FILE. Every object rejects unknown keys; every optional key has a
 * default, which ajv fills in (`useDefaults`), so a valid file becomes a complete `GatewayConfig`.
 * `patternMessage` is our own annotation: the words an error shows instead of the bare regular expression.
 */

/** setTimeout holds at most a signed 32-bit number of milliseconds. */
export const TIMER_MAX_MS = 0x7fffffff;
/** Terminals give up on a reply after about 30 s, so an upstream deadline must end before that. */
export const DEADLINE_LIMIT_MS = 30_000;

export const DEFAULT_LISTENER = {
  name: 'terminals',
  host: '127.0.0.1',
  port: 9000,
  header: 'binary2',
  tpdu: true,
  spec: 'iso87binary',
  maxFrameSize: 4096,
  idleTimeoutMs: 300_000,
  frameTimeoutMs: 10_000,
  maxInFlight: 32,
  maxConnections: 10_000,
} as const;

const port = (min: number) => ({ type: 'integer', minimum: min, maximum: 65535 }) as const;
/** How often a run looks for requests left forwarding by a failure (saf.strandedCheckMs). */
export const DEFAULT_STRANDED_CHECK_MS = 10_000;

const timer = (fallback: number) =>
  ({ type: 'integer', exclusiveMinimum: 0, maximum: TIMER_MAX_MS, default: fallback }) as const;
const text = { type: 'string', minLength: 1 } as const;
/** Printable ASCII: ISO 8583 "ans" fields 41 and 42 carry nothing else. */
const PRINTABLE = '^[\\x20-\\x7e]*$';

const specNames = Object.keys(builtinSpecs).join('|');

const listener = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { ...text, default: DEFAULT_LISTENER.name },
    host: { ...text, default: DEFAULT_LISTENER.host },
    port: { ...port(0), default: DEFAULT_LISTENER.port },
    header: { type: 'string', enum: ['binary2', 'ascii4', 'bcd2', 'binary4'], default: DEFAULT_LISTENER.header },
    tpdu: { type: 'boolean', default: DEFAULT_LISTENER.tpdu },
    spec: {
      type: 'string',
      pattern: `^(?:${specNames}|.+\\.(?:json|JSON|xml|XML))$`,
      patternMessage: `must be a built-in spec (${Object.keys(builtinSpecs).join(', ')}) or a path ending in .json or .xml`,
      default: DEFAULT_LISTENER.spec,
    },
    maxFrameSize: { type: 'integer', minimum: 1, maximum: 1_048_576, default: DEFAULT_LISTENER.maxFrameSize },
    idleTimeoutMs: timer(DEFAULT_LISTENER.idleTimeoutMs),
    frameTimeoutMs: timer(DEFAULT_LISTENER.frameTimeoutMs),
    maxInFlight: { type: 'integer', minimum: 1, maximum: 65535, default: DEFAULT_LISTENER.maxInFlight },
    maxConnections: { type: 'integer', minimum: 1, maximum: 1_000_000, default: DEFAULT_LISTENER.maxConnections },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['cert', 'key'],
      properties: { cert: text, key: text, ca: text, requestCert: { type: 'boolean' } },
    },
  },
} as const;

export const DEFAULT_SERIAL_PORT = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  rtscts: false,
  framing: 'stx-etx',
  link: { ackTimeoutMs: 2000, interCharTimeoutMs: 500, retries: 3, lrcCovers: 'length-to-etx', lrcSeed: 0 },
  header: 'binary2',
  tpdu: true,
  spec: 'iso87binary',
  maxFrameSize: 4096,
  frameTimeoutMs: 10_000,
  maxInFlight: 4,
  reopen: { initialMs: 500, maxMs: 30_000, jitter: 0.2 },
} as const;

const serialPort = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'path'],
  properties: {
    name: text,
    path: text,
    baudRate: { type: 'integer', minimum: 50, maximum: 4_000_000, default: DEFAULT_SERIAL_PORT.baudRate },
    dataBits: { type: 'integer', minimum: 5, maximum: 8, default: DEFAULT_SERIAL_PORT.dataBits },
    parity: { type: 'string', enum: ['none', 'even', 'odd', 'mark', 'space'], default: DEFAULT_SERIAL_PORT.parity },
    stopBits: { type: 'integer', minimum: 1, maximum: 2, default: DEFAULT_SERIAL_PORT.stopBits },
    rtscts: { type: 'boolean', default: DEFAULT_SERIAL_PORT.rtscts },
    framing: { type: 'string', enum: ['stx-etx', 'length'], default: DEFAULT_SERIAL_PORT.framing },
    link: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ackTimeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000, default: DEFAULT_SERIAL_PORT.link.ackTimeoutMs },
        interCharTimeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000, default: DEFAULT_SERIAL_PORT.link.interCharTimeoutMs },
        retries: { type: 'integer', minimum: 0, maximum: 100, default: DEFAULT_SERIAL_PORT.link.retries },
        lrcCovers: { type: 'string', enum: ['length-to-etx', 'message-to-etx', 'stx-to-etx'], default: DEFAULT_SERIAL_PORT.link.lrcCovers },
        lrcSeed: { type: 'integer', minimum: 0, maximum: 255, default: DEFAULT_SERIAL_PORT.link.lrcSeed },
      },
    },
    header: { type: 'string', enum: ['binary2', 'ascii4', 'bcd2', 'binary4'], default: DEFAULT_SERIAL_PORT.header },
    tpdu: { type: 'boolean', default: DEFAULT_SERIAL_PORT.tpdu },
    spec: { ...listener.properties.spec, default: DEFAULT_SERIAL_PORT.spec },
    // STX/ETX frames count the message in 4 BCD digits; 'length' framing is also bounded by its header (cross-check).
    maxFrameSize: { type: 'integer', minimum: 1, maximum: 65_535, default: DEFAULT_SERIAL_PORT.maxFrameSize },
    frameTimeoutMs: timer(DEFAULT_SERIAL_PORT.frameTimeoutMs),
    maxInFlight: { type: 'integer', minimum: 1, maximum: 65535, default: DEFAULT_SERIAL_PORT.maxInFlight },
    reopen: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        initialMs: timer(DEFAULT_SERIAL_PORT.reopen.initialMs),
        maxMs: timer(DEFAULT_SERIAL_PORT.reopen.maxMs),
        jitter: { type: 'number', minimum: 0, maximum: 1, default: DEFAULT_SERIAL_PORT.reopen.jitter },
      },
    },
  },
} as const;

const acquirer = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'host', 'port'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9-]+$', patternMessage: 'must be lowercase letters, digits and "-"', maxLength: 64 },
    host: text,
    // The gateway connects to the acquirer: port 0 names no one.
    port: port(1),
    deadlineMs: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: DEADLINE_LIMIT_MS, default: 10_000 },
    // 0 turns echoes off.
    echoIntervalMs: { type: 'integer', minimum: 0, maximum: TIMER_MAX_MS, default: 30_000 },
    // Field 32 is n..11.
    acquiringInstitution: { type: 'string', pattern: '^[0-9]{1,11}$', patternMessage: 'must be 1 to 11 digits', default: '000000' },
    reconnect: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        initialMs: timer(200),
        maxMs: timer(10_000),
        jitter: { type: 'number', minimum: 0, maximum: 1, default: 0.2 },
      },
    },
    // The host link frames with binary2, which counts at most 65535 bytes.
    maxFrameSize: { type: 'integer', minimum: 1, maximum: 65535, default: 8192 },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: { ca: text, cert: text, key: text, rejectUnauthorized: { type: 'boolean' } },
    },
    breaker: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        consecutiveFailures: { type: 'integer', minimum: 1, maximum: 1000, default: 5 },
        halfOpenAfterMs: timer(5_000),
      },
    },
    drained: { type: 'boolean', default: false },
    settlement: acquirerSettlementSchema,
  },
} as const;

const SCHEMES = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'diners'] as const;
const acquirerIds = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const routeRule = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'match', 'acquirers'],
  properties: {
    name: text,
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bins: { type: 'array', items: { type: 'string', pattern: '^[0-9]{1,11}$', patternMessage: 'must be 1 to 11 digits' } },
        schemes: { type: 'array', items: { type: 'string', enum: SCHEMES } },
        merchants: { type: 'array', items: { type: 'string', minLength: 1 } },
        terminals: { type: 'array', items: { type: 'string', minLength: 1 } },
        minAmount: { type: 'integer', minimum: 0 },
        maxAmount: { type: 'integer', minimum: 0 },
      },
    },
    acquirers: { ...acquirerIds, minItems: 1 },
  },
} as const;

const merchant = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    // Field 42 is ans 15; shorter ids are space-padded on the wire and trimmed when read, so no trailing space.
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 15,
      pattern: '^(?:[\\x20-\\x7e]*[\\x21-\\x7e])?$',
      patternMessage: 'must be printable ASCII, not ending in a space',
    },
    name: text,
    enabled: { type: 'boolean', default: true },
    apiToken: { type: 'string', minLength: 16, pattern: PRINTABLE, patternMessage: 'must be printable ASCII' },
  },
} as const;

export const DEFAULT_FEED = {
  pingIntervalMs: 30_000,
  helloTimeoutMs: 5_000,
  maxBufferedBytes: 1_048_576,
  replayPageSize: 500,
  maxClients: 10_000,
} as const;

const terminal = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'merchantId'],
  properties: {
    // Field 41 is ans 8, exactly.
    id: { type: 'string', minLength: 8, maxLength: 8, pattern: PRINTABLE, patternMessage: 'must be printable ASCII' },
    merchantId: { type: 'string', minLength: 1, maxLength: 15 },
    enabled: { type: 'boolean', default: true },
  },
} as const;

export const DEFAULT_ALERTS = {
  enabled: true,
  evaluateEveryMs: 10_000,
  clearAfterMs: 120_000,
  approvalRate: { enabled: true, recentMs: 300_000, baselineMs: 3_600_000, minSamples: 20, minBaselineSamples: 50, raiseDropPoints: 20, clearDropPoints: 10 },
  upstreamTimeouts: { enabled: true, windowMs: 300_000, minSamples: 10, raisePercent: 20, clearPercent: 5 },
  upstreamLatency: { enabled: true, windowMs: 300_000, minSamples: 10, raiseP95Ms: 5_000, clearP95Ms: 2_500 },
  volume: { enabled: true, windowMs: 3_600_000, lookbackDays: 7, minBaseline: 20, raisePercent: 30, clearPercent: 60 },
  receiptsWithoutCredit: { enabled: true, raiseCount: 1, clearCount: 1 },
  safBacklog: { enabled: true, raiseAgeMs: 600_000, clearAgeMs: 120_000 },
  openBatch: { enabled: true, raiseAgeMs: 93_600_000 },
  webhook: { timeoutMs: 5_000, retries: 5, backoffMs: 1_000 },
} as const;

/** Windows and ages are compared with timestamps, never handed to setTimeout; 30 days bounds the memory they need. */
const span = (fallback: number) => ({ type: 'integer', exclusiveMinimum: 0, maximum: 2_592_000_000, default: fallback }) as const;
const percent = (fallback: number) => ({ type: 'number', minimum: 0, maximum: 100, default: fallback }) as const;
const count = (fallback: number) => ({ type: 'integer', minimum: 1, maximum: 1_000_000, default: fallback }) as const;
const on = { type: 'boolean', default: true } as const;
const rule = <const P extends object>(properties: P) => ({ type: 'object', additionalProperties: false, default: {}, properties: { enabled: on, ...properties } }) as const;

const alerts = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: on,
    evaluateEveryMs: timer(DEFAULT_ALERTS.evaluateEveryMs),
    clearAfterMs: { type: 'integer', minimum: 0, maximum: 2_592_000_000, default: DEFAULT_ALERTS.clearAfterMs },
    approvalRate: rule({
      recentMs: span(DEFAULT_ALERTS.approvalRate.recentMs),
      baselineMs: span(DEFAULT_ALERTS.approvalRate.baselineMs),
      minSamples: count(DEFAULT_ALERTS.approvalRate.minSamples),
      minBaselineSamples: count(DEFAULT_ALERTS.approvalRate.minBaselineSamples),
      raiseDropPoints: percent(DEFAULT_ALERTS.approvalRate.raiseDropPoints),
      clearDropPoints: percent(DEFAULT_ALERTS.approvalRate.clearDropPoints),
    }),
    upstreamTimeouts: rule({
      windowMs: span(DEFAULT_ALERTS.upstreamTimeouts.windowMs),
      minSamples: count(DEFAULT_ALERTS.upstreamTimeouts.minSamples),
      raisePercent: percent(DEFAULT_ALERTS.upstreamTimeouts.raisePercent),
      clearPercent: percent(DEFAULT_ALERTS.upstreamTimeouts.clearPercent),
    }),
    upstreamLatency: rule({
      windowMs: span(DEFAULT_ALERTS.upstreamLatency.windowMs),
      minSamples: count(DEFAULT_ALERTS.upstreamLatency.minSamples),
      raiseP95Ms: span(DEFAULT_ALERTS.upstreamLatency.raiseP95Ms),
      clearP95Ms: span(DEFAULT_ALERTS.upstreamLatency.clearP95Ms),
    }),
    volume: rule({
      windowMs: span(DEFAULT_ALERTS.volume.windowMs),
      lookbackDays: { type: 'integer', minimum: 1, maximum: 28, default: DEFAULT_ALERTS.volume.lookbackDays },
      minBaseline: count(DEFAULT_ALERTS.volume.minBaseline),
      raisePercent: percent(DEFAULT_ALERTS.volume.raisePercent),
      clearPercent: percent(DEFAULT_ALERTS.volume.clearPercent),
    }),
    receiptsWithoutCredit: rule({
      raiseCount: count(DEFAULT_ALERTS.receiptsWithoutCredit.raiseCount),
      clearCount: count(DEFAULT_ALERTS.receiptsWithoutCredit.clearCount),
    }),
    safBacklog: rule({ raiseAgeMs: span(DEFAULT_ALERTS.safBacklog.raiseAgeMs), clearAgeMs: span(DEFAULT_ALERTS.safBacklog.clearAgeMs) }),
    openBatch: rule({ raiseAgeMs: span(DEFAULT_ALERTS.openBatch.raiseAgeMs) }),
    // no default: without a url there is no webhook
    webhook: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^https?://[^\\s]+$', patternMessage: 'must be an http:// or https:// URL' },
        timeoutMs: timer(DEFAULT_ALERTS.webhook.timeoutMs),
        retries: { type: 'integer', minimum: 0, maximum: 100, default: DEFAULT_ALERTS.webhook.retries },
        backoffMs: timer(DEFAULT_ALERTS.webhook.backoffMs),
      },
    },
  },
} as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'pos-gateway configuration',
  type: 'object',
  additionalProperties: false,
  required: ['acquirers', 'merchants', 'terminals', 'security'],
  properties: {
    listeners: { type: 'array', minItems: 1, items: listener, default: [DEFAULT_LISTENER] },
    // no default: a config without serial terminals stays as it was
    serialPorts: { type: 'array', items: serialPort },
    acquirers: { type: 'array', minItems: 1, items: acquirer },
    routing: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        rules: { type: 'array', items: routeRule, default: [] },
        default: { ...acquirerIds, default: [] },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { ...text, default: '127.0.0.1' },
        port: { ...port(0), default: 8080 },
        adminToken: { type: 'string', minLength: 16, pattern: PRINTABLE, patternMessage: 'must be printable ASCII' },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        driver: { type: 'string', enum: ['sqlite', 'postgres'], default: 'sqlite' },
        // sqlite
        path: { ...text, default: './data/gateway.db' },
        synchronous: { type: 'string', enum: ['full', 'normal'], default: 'full' },
        thread: { type: 'boolean' },
        // postgres: url is required with it (parse.ts)
        url: { ...text, pattern: '^postgres(?:ql)?://', patternMessage: 'must be a postgres:// or postgresql:// URL' },
        schema: {
          type: 'string',
          pattern: '^[a-z_][a-z0-9_]{0,62}$',
          patternMessage: 'must be a lower-case name: letters, digits and _, not starting with a digit, at most 63',
        },
      },
    },
    saf: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        retryInitialMs: timer(1000),
        retryMaxMs: timer(60_000),
        // Compared with timestamps, never handed to setTimeout, so it may exceed the timer limit.
        expireAfterMs: { type: 'integer', exclusiveMinimum: 0, default: 86_400_000 },
        pollMs: timer(500),
        strandedCheckMs: timer(DEFAULT_STRANDED_CHECK_MS),
      },
    },
    security: {
      type: 'object',
      additionalProperties: false,
      required: ['panHashKey'],
      properties: {
        panHashKey: {
          type: 'string',
          pattern: '^(?:[0-9a-fA-F]{2}){32,}$',
          patternMessage: 'must be hex, an even number of digits and at least 64 (32 bytes)',
        },
      },
    },
    merchants: { type: 'array', items: merchant },
    terminals: { type: 'array', items: terminal },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
      },
    },
    recon: reconSchema,
    feed: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pingIntervalMs: timer(DEFAULT_FEED.pingIntervalMs),
        helloTimeoutMs: timer(DEFAULT_FEED.helloTimeoutMs),
        maxBufferedBytes: { type: 'integer', minimum: 1024, maximum: 1_073_741_824, default: DEFAULT_FEED.maxBufferedBytes },
        replayPageSize: { type: 'integer', minimum: 1, maximum: 10_000, default: DEFAULT_FEED.replayPageSize },
        maxClients: { type: 'integer', minimum: 1, maximum: 1_000_000, default: DEFAULT_FEED.maxClients },
      },
    },
    alerts,
  },
} as const satisfies ObjectSchema<GatewayConfig>;

// Compile-time link between the schema and types.ts: the schema must describe exactly the keys of GatewayConfig,
// with matching JSON types and enums. A key added to one and not the other fails the typecheck.
type SchemaOf<T> = [T] extends [string]
  ? StringSchema<T>
  : [T] extends [number]
    ? NumberSchema
    : [T] extends [boolean]
      ? { type: 'boolean'; default?: boolean }
      : [T] extends [readonly (infer U)[]]
        ? { type: 'array'; items: SchemaOf<U>; minItems?: number; default?: readonly U[] }
        : ObjectSchema<T>;

interface StringSchema<T> {
  type: 'string';
  enum?: readonly T[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  patternMessage?: string;
  default?: T;
}

interface NumberSchema {
  type: 'integer' | 'number';
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: number;
}

/** Keys the schema has and the type lacks, anywhere in the tree: `never` when the two agree. */
type ExtraKeys<S, T> = S extends { items: infer I }
  ? ExtraKeys<I, T extends readonly (infer U)[] ? U : never>
  : S extends { properties: infer P }
    ? Exclude<keyof P, keyof T> | { [K in keyof P & keyof T]-?: ExtraKeys<P[K], Required<T>[K]> }[keyof P & keyof T]
    : never;
export const schemaMatchesTypes: [ExtraKeys<typeof configSchema, GatewayConfig>] extends [never] ? true : never = true;

interface ObjectSchema<T> {
  $schema?: string;
  title?: string;
  type: 'object';
  additionalProperties: false;
  required?: readonly (keyof T)[];
  properties: { [K in keyof Required<T>]: SchemaOf<Required<T>[K]> };
  default?: object;
}
