import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

interface Operation {
  summary?: string;
  description?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain page: every route, its method and what it does, linking to the OpenAPI document. */
function page(doc: { info?: { title?: string; version?: string }; paths?: Record<string, Record<string, Operation>> }): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      rows.push(`<tr><td><code>${escapeHtml(method.toUpperCase())}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? op.description ?? '')}</td></tr>`);
    }
  }
  const title = escapeHtml(doc.info?.title ?? 'API');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style>
</head><body>
<h1>${title} ${escapeHtml(doc.info?.version ?? '')}</h1>
<p>The OpenAPI 3 document: <a href="/docs/json">/docs/json</a>. Reconciliation routes need <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}

/**
 * The OpenAPI 3 document of every route (/docs/json) and a readable list of them (/docs). Call it right after the
 * instance is created: the route collector must be in place before the first route is declared.
 */
export function serveDocs(app: FastifyInstance, info: { title: string; version: string }): void {
  // called directly, not registered: a registered plugin loads at ready(), after the routes declared at the top level
  // of buildHttp, and would miss them
  fastifySwagger(app, {
    openapi: {
      openapi: '3.0.3',
      info,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  }, (e) => {
    if (e) throw e;
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_req, res) => res.type('text/html; charset=utf-8').send(page(app.swagger() as Parameters<typeof page>[0])));
}
