import type { FastifyInstance } from 'fastify';
import type { AcquirerStub } from '../stub.js';
import { FaultKinds, FaultsError, type FaultKind } from './faults.js';

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

const reportParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const appliedQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: Object.keys(FaultKinds) },
    reportId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;


/** The settlement routes of the control API. */
export function settlementRoutes(app: FastifyInstance, stub: AcquirerStub): void {
  app.get('/settlement', () => stub.settlementState());
  app.get('/settlement/reports', () => ({ reports: stub.settlementReports() }));
  app.get<{ Params: { id: string } }>(
    '/settlement/reports/:id',
    { schema: { params: reportParams, response: { 404: errorSchema } } },
    (req, reply) => {
      const report = stub.settlementReport(req.params.id);
      if (report === undefined) throw reportNotFound(req.params.id);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report.reportId}.csv"`)
        .send(report.csv);
    },
  );
  // No body, or an empty JSON object: the clock decides the settlement date, nothing else does.
  app.post('/settlement/cutover', (req) => {
    const body = req.body as unknown;
    if (body !== undefined && body !== null) {
      if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be an empty object or absent');
      const key = Object.keys(body)[0];
      if (key !== undefined) throw badRequest(`body has an unknown key "${key}"`);
    }
    return { report: stub.cutover() };
  });
  app.get('/settlement/faults', () => stub.settlementFaults());
  app.post('/settlement/faults', { schema: { body: { type: 'object' }, response: { 400: errorSchema } } }, (req) => {
    try {
      return stub.setSettlementFaults(req.body);
    } catch (e) {
      if (e instanceof FaultsError) throw Object.assign(new Error(e.message), { code: 'FAULTS_INVALID', statusCode: 400 });
      throw e;
    }
  });
  app.get<{ Querystring: { kind?: FaultKind; reportId?: string } }>(
    '/settlement/faults/applied',
    { schema: { querystring: appliedQuery } },
    (req) => ({ faults: stub.appliedFaults(req.query) }),
  );
}

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

function reportNotFound(id: string): Error {
  // A report id is not card data: it is safe to echo.
  return Object.assign(new Error(`no settlement report "${id}"`), { code: 'REPORT_NOT_FOUND', statusCode: 404 });
}
