import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import type { Logger } from 'pino';
import { LedgerStatuses, type LedgerFilter } from './ledger.js';
import { Modes } from './link.js';
import { FailCodes, RulesError } from './rules.js';
import { settlementRoutes } from './settlement/routes.js';
import type { AcquirerStub, ControlChange } from './stub.js';

/** Every error the control API answers: {"error":{"code","message"}} with this HTTP status. */
export const ControlErrors = {
  BAD_REQUEST: { status: 400, description: 'the body, query string or JSON syntax does not match the route' },
  RULES_INVALID: { status: 400, description: 'rules do not validate; the message names the key' },
  FAULTS_INVALID: { status: 400, description: 'settlement faults do not validate; the message names the key' },
  NOT_FOUND: { status: 404, description: 'no such route' },
  REPORT_NOT_FOUND: { status: 404, description: 'no settlement report with that id' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'the body is over the size limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'the body is not application/json' },
  INTERNAL: { status: 500, description: 'the stub failed; see its log' },
} as const;
export type ControlErrorCode = keyof typeof ControlErrors;

const BODY_LIMIT = 1 << 20;
const MAX_DURATION_MS = 3_600_000;

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

const stateSchema = {
  type: 'object',
  properties: {
    mode: { type: 'string' },
    latencyMs: { type: 'integer' },
    failCode: { type: 'string' },
    connections: { type: 'integer' },
    revertsInMs: { type: ['integer', 'null'] },
  },
} as const;

const controlBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: Object.keys(Modes) },
    latencyMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    durationMs: { type: 'integer', minimum: 1, maximum: MAX_DURATION_MS },
    failCode: { type: 'string', enum: [...FailCodes] },
  },
} as const;

const ledgerQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rrn: { type: 'string', minLength: 1, maxLength: 12 },
    status: { type: 'string', enum: [...LedgerStatuses] },
  },
} as const;

/** The control API, built apart from listen() so tests can use inject(). */
export function buildControlApi(stub: AcquirerStub, logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Unknown keys are errors, not silently dropped; JSON types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    schemaErrorFormatter: (errors, dataVar) => new Error(errors.map((e) => describeSchemaError(e, dataVar)).join('; ')),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const code = errorCodeOf(err);
    if (code === 'INTERNAL') logger.error({ event: 'http_error', error: err.message });
    const message = code === 'INTERNAL' ? 'internal error' : err.message;
    return reply.status(ControlErrors[code].status).send({ error: { code, message } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );

  const healthSchema = { ...stateSchema, properties: { status: { type: 'string' }, ...stateSchema.properties } };
  app.get('/health', { schema: { response: { 200: healthSchema } } }, () => ({ status: 'ok', ...stub.state() }));

  app.get<{ Querystring: LedgerFilter }>('/ledger', { schema: { querystring: ledgerQuery } }, (req) => ({
    rows: stub.ledger(req.query),
  }));
  app.get('/ledger/summary', () => stub.ledgerSummary());
  app.get('/ledger/reversals', () => ({ rows: stub.reversals() }));
  app.get('/balances', () => ({ cards: stub.balances() }));

  app.get('/rules', () => stub.rules());
  app.put('/rules', { schema: { body: { type: 'object' }, response: { 400: errorSchema } } }, (req) => {
    try {
      return stub.setRules(req.body);
    } catch (e) {
      if (e instanceof RulesError) throw rulesInvalid(e);
      throw e;
    }
  });

  app.post<{ Body: ControlChange }>(
    '/control',
    { schema: { body: controlBody, response: { 200: stateSchema, 400: errorSchema } } },
    (req) => stub.control(req.body),
  );
  app.post('/reset', { schema: { response: { 200: stateSchema } } }, () => {
    stub.reset();
    return stub.state();
  });
  settlementRoutes(app, stub);
  return app;
}

/** Ajv's own text does not say which key is unknown; this does. */
function describeSchemaError(e: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${e.instancePath.replace(/\//g, '.')}`;
  const params = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (e.keyword === 'additionalProperties') return `${where} has an unknown key "${params.additionalProperty}"`;
  if (e.keyword === 'enum') return `${where} must be one of ${(params.allowedValues ?? []).join(', ')}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

function rulesInvalid(e: RulesError): Error {
  return Object.assign(new Error(e.message), { code: 'RULES_INVALID', statusCode: 400 });
}

function errorCodeOf(err: FastifyError): ControlErrorCode {
  if (err.code === 'RULES_INVALID' || err.code === 'FAULTS_INVALID' || err.code === 'REPORT_NOT_FOUND') return err.code;
  if (err.validation !== undefined) return 'BAD_REQUEST';
  switch (err.statusCode) {
    case 400:
      return 'BAD_REQUEST';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    default:
      return 'INTERNAL';
  }
}
