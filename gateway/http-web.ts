import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebDeps {
  logger: import('pino').Logger;
  /** The folder holding index.html and the page's assets; default: gateway/web/ of the source tree. */
  root?: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// the page runs only its own scripts and styles and talks only to this origin (the API and the /feed WebSocket)
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(?:js|css|svg)$/;

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * Where the page's files are. They are plain files, not TypeScript, so tsc does not copy them: running from source
 * they sit next to this module (gateway/web/), running from dist/gateway/ they are in the source tree two levels up.
 */
export function findWebRoot(): string | undefined {
  for (const url of [new URL('./web/', import.meta.url), new URL('../../gateway/web/', import.meta.url)]) {
    const dir = fileURLToPath(url);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/** Every servable file of the folder, read once: the page is a few small files and nothing else is reachable. */
function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(root)) {
    const type = TYPES[extname(name)];
    if (type !== undefined && (name === 'index.html' || ASSET_NAME.test(name))) assets.set(name, { body: readFileSync(join(root, name)), type });
  }
  return assets;
}

function send(res: FastifyReply, asset: Asset): FastifyReply {
  return res.code(200).headers(SECURITY_HEADERS).type(asset.type).send(asset.body);
}

/**
 * The merchant's dashboard: GET / is the page, GET /assets/<name> its scripts and styles. Anyone may load them; the
 * data behind them (the reconciliation API, the /feed WebSocket) needs the merchant's token.
 */
export async function webRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const root = deps.root ?? findWebRoot();
  const assets = root === undefined ? new Map<string, Asset>() : loadAssets(root);
  const page = assets.get('index.html');
  if (page === undefined) deps.logger.warn({ root }, 'dashboard page not found (gateway/web/index.html): GET / answers 503');

  // not part of the API: left out of the OpenAPI document
  app.get('/', { schema: { hide: true } }, async (_req, res) => {
    if (page === undefined) return res.code(503).send({ error: { code: 'DASHBOARD_UNAVAILABLE', message: 'the dashboard files (gateway/web/) are not installed' } });
    return send(res, page);
  });

  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (req, res) => {
    const asset = req.params.name === 'index.html' ? undefined : assets.get(req.params.name);
    if (asset === undefined) return res.code(404).send({ error: { code: 'NOT_FOUND', message: `no asset "${req.params.name}"` } });
    return send(res, asset);
  });
}
