/**
 * JSON schemas of the reconciliation API: they validate requests, shape responses (fields not named here are not
 * sent) and make the OpenAPI document at /docs.
 */
import { CaseClasses, CaseStatuses, Severities } from './recon/index.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
/** Retrieval reference numbers: field 37, an 12 (spaces pad a short one). */
export const RRN = { type: 'string', pattern: '^[0-9A-Za-z ]{1,12}$' } as const;
export const DAY = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: str, message: str, line: int, column: int, index: int, field: str },
    },
  },
} as const;
export const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;

export const totals = {
  type: 'object',
  properties: { saleCount: int, saleAmount: int, refundCount: int, refundAmount: int },
} as const;
const nullableTotals = { anyOf: [totals, { type: 'null' }] } as const;

const creditRef = { type: 'object', properties: { reportId: str, line: int, settlementDate: str, amount: int } } as const;

export const caseSchema = {
  type: 'object',
  description: 'A reconciliation case: one discrepancy, why it likely happened, what to do, and who did what about it.',
  properties: {
    id: str,
    subject: { type: 'string', description: 'opaque key of what the case is about' },
    class: { type: 'string', enum: [...CaseClasses] },
    severity: { type: 'string', enum: [...Severities] },
    merchantId: nullableStr,
    terminalId: nullableStr,
    batchNo: nullableStr,
    stan: nullableStr,
    localDate: nullableStr,
    rrn: nullableStr,
    authCode: nullableStr,
    amount: { type: ['integer', 'null'], description: 'minor units' },
    currency: nullableStr,
    explanation: { type: 'string', description: 'one sentence naming the differing field and both values' },
    likelyCause: str,
    suggestedAction: str,
    status: { type: 'string', enum: [...CaseStatuses] },
    resolution: { anyOf: [{ type: 'null' }, { type: 'object', properties: { reason: str, by: str, at: int } }] },
    manual: { type: 'boolean', description: 'a person set the status: the automatic rules leave it alone' },
    cleared: { type: 'boolean', description: 'the data no longer shows the discrepancy' },
    markedForRefund: { type: 'boolean' },
    refs: { type: 'object', properties: { journalId: nullableInt, credits: { type: 'array', items: creditRef }, receipts: int } },
    openedAt: int,
    updatedAt: int,
    audit: {
      type: 'array',
      items: { type: 'object', properties: { at: int, actor: str, action: str, note: str } },
    },
  },
} as const;

export const whereSchema = {
  type: 'object',
  properties: {
    rrn: str,
    merchantId: nullableStr,
    terminalId: nullableStr,
    amount: nullableInt,
    day: nullableStr,
    stage: str,
    next: str,
    journalId: nullableInt,
    dueBy: nullableStr,
    credits: { type: 'array', items: creditRef },
    cases: { type: 'array', items: caseSchema },
  },
} as const;

export const importResult = {
  type: 'object',
  properties: { reportId: str, acquirerId: str, settlementDate: str, imported: { type: 'boolean' }, lines: int },
} as const;

export const reportList = {
  type: 'object',
  properties: {
    reports: {
      type: 'array',
      items: { type: 'object', properties: { reportId: str, acquirerId: str, settlementDate: str, lines: int, importedAt: str } },
    },
  },
} as const;

export const batchList = {
  type: 'object',
  properties: {
    batches: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          terminalId: str,
          batchNo: str,
          merchantId: str,
          status: str,
          openedAt: str,
          closedAt: nullableStr,
          terminal: nullableTotals,
          host: totals,
          funded: totals,
          variance: { type: 'object', properties: { terminalVsHost: nullableInt, fundedVsHost: int } },
        },
      },
    },
  },
} as const;

export const caseParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Who acted, as the person names themselves; the token's principal is recorded with it. */
const actor = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e][\\x20-\\x7e]*$' } as const;
const words = (description: string) => ({ type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S', description }) as const;

export const actionBodies = {
  acknowledge: { type: 'object', additionalProperties: false, properties: { note: words('why, or what happens next'), actor } },
  resolve: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: words('why the case is closed'), actor } },
  reopen: { type: 'object', additionalProperties: false, properties: { note: words('why it is open again'), actor } },
  note: { type: 'object', additionalProperties: false, required: ['note'], properties: { note: words('the note'), actor } },
} as const;

export const batchesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['open', 'closed'], description: 'open: not yet settled; closed: settled, whatever the balance' },
    limit: { type: 'integer', minimum: 1, maximum: 10_000, description: 'at most this many, the most recently opened first' },
  },
} as const;

export const casesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    class: { type: 'string', enum: [...CaseClasses] },
    status: { type: 'string', enum: [...CaseStatuses] },
    severity: { type: 'string', enum: [...Severities] },
    terminal: { type: 'string', minLength: 1, maxLength: 16 },
    merchant: { type: 'string', minLength: 1, maxLength: 15 },
    rrn: RRN,
    expected: { type: 'boolean', description: 'also list the sales still inside their settlement window (EXPECTED)' },
    cleared: { type: 'boolean', description: 'false: leave out the cases the data has since cleared (default true)' },
    format: { type: 'string', enum: ['json', 'csv'] },
  },
} as const;

export const lookupQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rrn: RRN,
    last4: { type: 'string', pattern: '^[0-9]{4}$' },
    amount: { type: 'integer', minimum: 0, description: 'minor units' },
    date: DAY,
  },
  anyOf: [{ required: ['rrn'] }, { required: ['last4', 'amount', 'date'] }],
} as const;

export const runResult = {
  type: 'object',
  properties: { cases: int, agrees: { type: 'boolean' }, differences: { type: 'array', items: str } },
} as const;
