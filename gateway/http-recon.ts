import { Ajv } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import {
  actionBodies, batchesQuery, batchList, caseParams, caseSchema, casesQuery, errors, importResult, lookupQuery, reportList, runResult, whereSchema,
} from './http-recon-schemas.js';
import type { Case } from './recon/index.js';
import { ExportError, exportedReceiptSchema, type ExportedReceipt } from './recon-service/receipt-export.js';
import type { CaseAction, ReconService } from './recon-service/service.js';
import { ReportError } from './settlement/report.js';

export interface ReconHttpDeps {
  service: ReconService;
  /** The operator's token: sees every merchant and runs reconciliation. */
  adminToken?: string;
  /** Merchant id -> its API token (merchants without one cannot use the API). */
  merchantTokens: ReadonlyMap<string, string>;
  /** Terminal id -> its merchant, so a merchant asking for another's terminal gets 404. */
  terminals: ReadonlyMap<string, string>;
}

/** Who is asking: the operator sees all, a merchant its own data. */
type Principal = { kind: 'operator' } | { kind: 'merchant'; merchantId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const ReconErrorCodes = {
  UNAUTHORIZED: 'a valid Authorization: Bearer <token> is required',
  FORBIDDEN: 'only the operator token may do this',
  BAD_REQUEST: 'the request does not match the route schema',
  REPORT_INVALID: 'the settlement report is malformed (line and column given)',
  RECEIPTS_INVALID: 'the receipt export is malformed or names a terminal not this token\'s (index and field given)',
  CASE_NOT_FOUND: 'no such case for this token',
  TRANSACTION_NOT_FOUND: 'no such sale for this token',
  TERMINAL_NOT_FOUND: 'no such terminal for this token',
  MERCHANT_NOT_FOUND: 'no such merchant for this token',
} as const;
export type ReconErrorCode = keyof typeof ReconErrorCodes;

const CSV_COLUMNS = [
  'id', 'class', 'severity', 'status', 'merchantId', 'terminalId', 'batchNo', 'stan', 'localDate', 'rrn', 'authCode', 'amount', 'currency',
  'explanation', 'likelyCause', 'suggestedAction',
] as const satisfies readonly (keyof Case)[];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function casesCsv(cases: Case[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const c of cases) rows.push(CSV_COLUMNS.map((k) => csvCell(c[k])).join(','));
  return `${rows.join('\n')}\n`;
}

function fail(res: FastifyReply, status: number, code: ReconErrorCode, message: string = ReconErrorCodes[code], extra: Record<string, unknown> = {}): FastifyReply {
  return res.code(status).send({ error: { code, message, ...extra } });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * JSON bodies are validated as sent: fastify's default validator coerces types, and would take "10.00" for the integer
 * 10 (minor units). Params are strings either way.
 */
const asSent = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false });
const jsonBody: FastifySchemaCompiler<object> = ({ schema }) => asSent.compile(schema);

function scope(req: FastifyRequest): string | undefined {
  const p = req.principal!;
  return p.kind === 'merchant' ? p.merchantId : undefined;
}

/**
 * The reconciliation API: settlement reports, cases (JSON or CSV), "where is my money" and batches. Every route needs
 * a bearer token: a merchant's sees that merchant's data, the operator's (http.adminToken) sees all.
 */
export async function reconRoutes(app: FastifyInstance, deps: ReconHttpDeps): Promise<void> {
  const { service } = deps;

  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.setErrorHandler((e: FastifyError, _req, res) => {
    if (e.validation) return fail(res, 400, 'BAD_REQUEST', e.message);
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return fail(res, e.statusCode, 'BAD_REQUEST', e.message);
    return res.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  // reads see the sales journaled since the last sync (at most maxStalenessMs old)
  app.addHook('preHandler', async (req) => {
    if (req.method === 'GET') await service.fresh();
  });

  app.addHook('onRequest', async (req, res) => {
    const h = req.headers.authorization;
    const token = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
    if (token !== undefined) {
      if (deps.adminToken !== undefined && same(token, deps.adminToken)) req.principal = { kind: 'operator' };
      else for (const [merchantId, t] of deps.merchantTokens) if (same(token, t)) req.principal = { kind: 'merchant', merchantId };
    }
    if (req.principal === undefined) return fail(res, 401, 'UNAUTHORIZED');
  });

  const operatorOnly = async (req: FastifyRequest, res: FastifyReply): Promise<void> => {
    if (req.principal?.kind !== 'operator') await fail(res, 403, 'FORBIDDEN');
  };

  app.post('/settlement/reports', {
    preHandler: operatorOnly,
    schema: {
      summary: 'import a settlement report (CSV); the same report twice changes nothing',
      consumes: ['text/csv'],
      body: { type: 'string', minLength: 1 },
      response: { 200: importResult, 201: importResult, ...errors },
    },
  }, async (req, res) => {
    try {
      const r = await service.importReport(req.body as string);
      return res.code(r.imported ? 201 : 200).send(r);
    } catch (e) {
      if (e instanceof ReportError) return fail(res, 400, 'REPORT_INVALID', e.message, { line: e.line, column: e.column });
      throw e;
    }
  });

  app.get('/settlement/reports', {
    schema: { summary: 'the imported settlement reports (a merchant: those with its lines)', response: { 200: reportList, ...errors } },
  }, async (req) => ({ reports: (await service.reports(scope(req))).map((r) => ({ ...r, importedAt: new Date(r.importedAt).toISOString() })) }));

  app.get<{ Querystring: { class?: Case['class']; status?: Case['status']; severity?: Case['severity']; terminal?: string; merchant?: string; rrn?: string; expected?: boolean; cleared?: boolean; format?: 'json' | 'csv' } }>('/recon/cases', {
    schema: {
      summary: 'the cases, most severe first, filtered; format=csv for a spreadsheet',
      querystring: casesQuery,
      response: { 200: { type: 'object', properties: { count: { type: 'integer' }, cases: { type: 'array', items: caseSchema } } }, ...errors },
    },
  }, async (req, res) => {
    const q = req.query;
    const own = scope(req);
    if (own !== undefined && q.merchant !== undefined && q.merchant !== own) return fail(res, 404, 'MERCHANT_NOT_FOUND');
    if (own !== undefined && q.terminal !== undefined && deps.terminals.get(q.terminal) !== own) return fail(res, 404, 'TERMINAL_NOT_FOUND');
    const cases = service.cases({
      merchantId: own ?? q.merchant,
      terminalId: q.terminal,
      rrn: q.rrn,
      class: q.class,
      status: q.status,
      severity: q.severity,
      includeExpected: q.expected === true || q.class === 'EXPECTED',
      includeCleared: q.cleared,
    });
    if (q.format === 'csv') {
      // the schema above is for JSON: the CSV is sent as is
      return res.code(200).type('text/csv; charset=utf-8').serializer((p) => p as string).send(casesCsv(cases));
    }
    return { count: cases.length, cases };
  });

  app.get<{ Params: { id: string } }>('/recon/cases/:id', {
    schema: { summary: 'one case with its audit trail', params: caseParams, response: { 200: caseSchema, ...errors } },
  }, async (req, res) => {
    const c = service.getCase(req.params.id);
    const own = scope(req);
    if (c === undefined || (own !== undefined && c.merchantId !== own)) return fail(res, 404, 'CASE_NOT_FOUND');
    return c;
  });

  app.get<{ Querystring: { rrn?: string; last4?: string; amount?: number; date?: string } }>('/recon/lookup', {
    schema: {
      summary: 'where is my money: by RRN, or by last 4 digits, amount and date',
      querystring: lookupQuery,
      response: { 200: { type: 'object', properties: { matches: { type: 'array', items: whereSchema } } }, ...errors },
    },
  }, async (req, res) => {
    const q = req.query;
    const own = scope(req);
    if (q.rrn !== undefined) {
      const owners = service.merchantsOfRrn(q.rrn);
      if (owners.size === 0 || (own !== undefined && !owners.has(own))) return fail(res, 404, 'TRANSACTION_NOT_FOUND');
      return { matches: [service.locate(q.rrn)] };
    }
    const matches = service.find(q.last4!, q.amount!, q.date!, own);
    if (matches.length === 0) return fail(res, 404, 'TRANSACTION_NOT_FOUND');
    return { matches };
  });

  app.get<{ Querystring: { status?: 'open' | 'closed'; limit?: number } }>('/batches', {
    schema: { summary: 'each batch with terminal, host and funded totals and the variance', querystring: batchesQuery, response: { 200: batchList, ...errors } },
  }, async (req) => {
    const { status, limit } = req.query;
    let batches = await service.batches(scope(req), status === 'open' ? { open: true } : undefined);
    if (status === 'closed') batches = batches.filter((b) => b.status !== 'open');
    if (limit !== undefined) batches = batches.sort((a, b) => b.openedAt - a.openedAt).slice(0, limit);
    return {
      batches: batches.map((b) => ({
        ...b,
        openedAt: new Date(b.openedAt).toISOString(),
        closedAt: b.closedAt === null ? null : new Date(b.closedAt).toISOString(),
      })),
    };
  });

  app.post('/recon/run', {
    preHandler: operatorOnly,
    schema: { summary: 'a full run from the store, compared with the incremental cases', response: { 200: runResult, ...errors } },
  }, async () => service.run());

  app.post<{ Body: ExportedReceipt[] }>('/recon/receipts', {
    bodyLimit: 64 * 1024 * 1024,
    validatorCompiler: jsonBody,
    schema: {
      summary: "upload a terminal's receipt export (terminal-sim receipts --json); the same receipt again is kept once",
      body: { type: 'array', items: exportedReceiptSchema },
      response: {
        200: { type: 'object', properties: { received: { type: 'integer' }, stored: { type: 'integer' }, duplicates: { type: 'integer' }, skipped: { type: 'integer' } } },
        ...errors,
      },
    },
  }, async (req, res) => {
    const own = scope(req);
    const owns = (merchantId: string, terminalId: string): boolean => deps.terminals.get(terminalId) === merchantId && (own === undefined || own === merchantId);
    try {
      return await service.addReceiptExport(req.body, owns);
    } catch (e) {
      if (e instanceof ExportError) return fail(res, 400, 'RECEIPTS_INVALID', e.message, { index: e.index, field: e.field });
      throw e;
    }
  });

  const act = (path: string, action: CaseAction, summary: string): void => {
    app.post<{ Params: { id: string }; Body: { note?: string; reason?: string; actor?: string } | undefined }>(path, {
      schema: { summary, params: caseParams, body: actionBodies[action], response: { 200: caseSchema, ...errors } },
      validatorCompiler: jsonBody,
      // no body at all is an empty one (its schema says what is required)
      preValidation: async (req) => {
        req.body ??= {};
      },
    }, async (req, res) => {
      const own = scope(req);
      const c = service.getCase(req.params.id);
      if (c === undefined || (own !== undefined && c.merchantId !== own)) return fail(res, 404, 'CASE_NOT_FOUND');
      const body = req.body ?? {};
      const who = own === undefined ? 'operator' : `merchant:${own}`;
      const actor = body.actor === undefined ? who : `${who} (${body.actor})`;
      return service.act(c.id, action, actor, (action === 'resolve' ? body.reason : body.note) ?? '');
    });
  };
  act('/recon/cases/:id/acknowledge', 'acknowledge', 'take a case in hand (the automatic rules leave it alone from then on)');
  act('/recon/cases/:id/resolve', 'resolve', 'close a case, with the reason');
  act('/recon/cases/:id/reopen', 'reopen', 'open a closed or acknowledged case again');
  act('/recon/cases/:id/notes', 'note', "add a note to a case's audit trail");
}
