import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { buildHttp } from '../../../gateway/http.js';
import { ReconErrorCodes } from '../../../gateway/http-recon.js';
import { createMetrics } from '../../../gateway/metrics.js';
import { ReconService } from '../../../gateway/recon-service/service.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import { M1, ManualClock, OPERATOR, TOKEN1, tempDb } from './fixtures.js';

let store: SqliteStore;
let app: FastifyInstance;

type Operation = { summary?: string; parameters?: { in: string; name: string }[]; requestBody?: unknown; responses?: Record<string, { content?: unknown }> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Every (method, path) fastify serves, from its route tree; HEAD (implied by GET) left out. */
function servedRoutes(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const m = /^(\S*)(?: \(([A-Z, ]+)\))?/.exec(line.slice(at + 3))!;
    stack.length = depth;
    stack.push(m[1]);
    for (const method of (m[2] ?? '').split(', ').filter((x) => x !== '' && x !== 'HEAD')) out.push(`${method} ${stack.join('').replace(/:(\w+)/g, '{$1}')}`);
  }
  return out.sort();
}

beforeAll(async () => {
  store = new SqliteStore({ path: tempDb() });
  const clock = new ManualClock();
  const service = new ReconService({ store, clock });
  app = buildHttp({
    links: new Map(),
    gates: new Map(),
    store,
    metrics: createMetrics(),
    clock,
    logger: pino({ level: 'silent' }),
    adminToken: OPERATOR,
    recon: { service, adminToken: OPERATOR, merchantTokens: new Map([[M1, TOKEN1]]), terminals: new Map([['TERM0001', M1]]) },
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await store.close();
});

const RECON_ROUTES = [
  'GET /batches',
  'GET /recon/cases',
  'GET /recon/cases/{id}',
  'GET /recon/lookup',
  'GET /settlement/reports',
  'POST /recon/cases/{id}/acknowledge',
  'POST /recon/cases/{id}/notes',
  'POST /recon/cases/{id}/reopen',
  'POST /recon/cases/{id}/resolve',
  'POST /recon/receipts',
  'POST /recon/run',
  'POST /settlement/reports',
];

/** Routes that serve pages, not the API: left out of the OpenAPI document on purpose (`schema.hide`). */
const PAGES = ['GET /', 'GET /assets/{name}', 'GET /docs', 'GET /docs/json'];

describe('OpenAPI at /docs', () => {
  it('lists every route the gateway serves, without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as Doc;
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const served = servedRoutes(app.printRoutes({ commonPrefix: false })).filter((r) => !PAGES.includes(r));
    expect(served).toEqual(expect.arrayContaining(RECON_ROUTES));
    expect(documented).toEqual(served);
  });

  it('gives every reconciliation route its request and response schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
    for (const route of RECON_ROUTES) {
      const [method, path] = route.split(' ');
      const op = doc.paths[path][method.toLowerCase()];
      expect(op.summary, route).toBeTruthy();
      expect(op.responses?.['200']?.content ?? op.responses?.['201']?.content, route).toBeDefined();
      for (const code of ['400', '401', '404']) expect(op.responses?.[code], `${route} ${code}`).toBeDefined();
      if (path.includes('{id}')) expect(op.parameters?.some((p) => p.in === 'path' && p.name === 'id'), route).toBe(true);
      if (method === 'POST' && !path.endsWith('/run')) expect(op.requestBody, route).toBeDefined();
    }
    const cases = doc.paths['/recon/cases'].get;
    expect(cases.parameters?.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['class', 'cleared', 'expected', 'format', 'merchant', 'rrn', 'severity', 'status', 'terminal']);
    expect(doc.paths['/recon/lookup'].get.parameters?.map((p) => p.name).sort()).toEqual(['amount', 'date', 'last4', 'rrn']);
  });

  it('serves a plain page listing the routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<code>POST</code></td><td><code>/recon/cases/{id}/resolve</code></td><td>close a case, with the reason</td>');
    expect(res.body).toContain('/docs/json');
  });

  it('documents every error code of the reconciliation API in the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ReconErrorCodes)) expect(readme, code).toMatch(new RegExp(`\\| \`${code}\` \\| \\d{3} \\|`));
  });
});
