import Fastify, { type FastifyInstance } from 'fastify';
import type { HostLink } from './acquirer/index.js';
import { serveDocs } from './http-docs.js';
import { reconRoutes, type ReconHttpDeps } from './http-recon.js';
import { webRoutes } from './http-web.js';
import type { Metrics } from './metrics.js';
import type { AcquirerGate } from './routing/gate.js';
import type { SerialPorts } from './serial/index.js';
import type { JournalHealth } from './store/health.js';
import type { Store } from './store/types.js';

export interface HttpDeps {
  links: Map<string, HostLink>;
  gates: Map<string, AcquirerGate>;
  /** When set, admin routes (drain, resume) need `Authorization: Bearer <token>`. */
  adminToken?: string;
  store: Store;
  /** Whether the journal's file takes writes now (absent: not watched). */
  journalHealth?: Pick<JournalHealth, 'failing'>;
  metrics: Metrics;
  clock: { now(): number };
  logger: import('pino').Logger;
  /** Terminals on serial lines, reported in /health and /metrics. */
  serial?: SerialPorts;
  /** The reconciliation API (settlement reports, cases, lookup, batches); absent: not served. */
  recon?: ReconHttpDeps;
}

/**
 * The operator's HTTP side: /health (200 when the journal takes writes and every acquirer link is up, 503 otherwise,
 * with the details) and /metrics in Prometheus text format. Built apart from listen() so tests can inject().
 */
export function buildHttp(deps: HttpDeps): FastifyInstance {
  // requests are not logged one by one: /metrics is scraped every few seconds
  const app = Fastify({ logger: false });
  serveDocs(app, { title: 'pos-gateway', version: '0.1.0' });

  app.get('/health', async (_req, res) => {
    const acquirers = [...deps.links.values()].map((l) => ({ id: l.id, state: l.state, ...pick(l.stats()) }));
    const saf = await deps.store.safStats();
    const journal = journalStatus(deps);
    const ok = acquirers.every((a) => a.state === 'up') && journal.status === 'ok';
    res.code(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'degraded',
      journal,
      acquirers,
      storeAndForward: { depth: saf.depth, oldestAgeSeconds: saf.oldestCreatedAt === null ? null : (deps.clock.now() - saf.oldestCreatedAt) / 1000 },
      // a lost serial port is a terminal problem, not the gateway's: it does not change the status
      serialPorts: (deps.serial?.status() ?? []).map(serialRow),
    };
  });

  app.get('/metrics', async (_req, res) => {
    await refreshGauges(deps);
    res.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  /** The operator's view of every acquirer: link, breaker, latency, timeout rate, queue depth, drain. */
  app.get('/acquirers', async () => acquirerRows(deps));

  const admin = (path: string, drained: boolean): void => {
    app.post<{ Params: { id: string } }>(path, async (req, res) => {
      if (deps.adminToken !== undefined && req.headers.authorization !== `Bearer ${deps.adminToken}`) {
        return res.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'admin routes need Authorization: Bearer <http.adminToken>' } });
      }
      const gate = deps.gates.get(req.params.id);
      if (gate === undefined) return res.code(404).send({ error: { code: 'ACQUIRER_NOT_FOUND', message: `no acquirer "${req.params.id}"` } });
      gate.drained = drained;
      deps.logger.warn({ acquirer: gate.id, drained }, drained ? 'acquirer drained: no new authorizations' : 'acquirer resumed');
      return (await acquirerRows(deps)).find((r) => r.id === gate.id);
    });
  };
  admin('/acquirers/:id/drain', true);
  admin('/acquirers/:id/resume', false);

  if (deps.recon !== undefined) void app.register(reconRoutes, deps.recon);
  // the merchant's dashboard page (GET /, /assets/*): its data comes from the routes above and the /feed WebSocket
  void app.register(webRoutes, { logger: deps.logger });

  app.setNotFoundHandler((req, res) => {
    res.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } });
  });
  return app;
}

function pick(s: ReturnType<HostLink['stats']>) {
  return { pending: s.pending, timeouts: s.timeouts, late: s.late, reconnects: s.reconnects, lastLatencyMs: s.lastLatencyMs };
}

function serialRow(s: ReturnType<SerialPorts['status']>[number]) {
  const l = s.link;
  return {
    name: s.name,
    path: s.path,
    framing: s.framing,
    state: s.state,
    since: new Date(s.since).toISOString(),
    reopens: s.reopens,
    openFailures: s.openFailures,
    lastError: s.lastError,
    framesIn: s.traffic.framesIn,
    framesOut: s.traffic.framesOut,
    link: l === null ? null : { retransmissions: l.retransmissions, naksSent: l.naksSent, naksReceived: l.naksReceived, ackTimeouts: l.ackTimeouts, corruptFrames: l.corruptFrames, repeats: l.repeats, failed: l.failed },
  };
}

export async function acquirerRows(deps: HttpDeps) {
  const pending = await deps.store.pendingSaf();
  return [...deps.gates.values()].map((g) => ({ ...g.snapshot(), reversalQueue: pending.filter((p) => p.acquirerId === g.id).length }));
}

/** Failed for good (a failed sync), failing now (its file refuses writes), or ok. */
function journalStatus(deps: HttpDeps): { status: 'ok' } | { status: 'failed' | 'failing'; code: string; message: string; since?: string; failures?: number } {
  const failure = deps.store.failure?.();
  if (failure !== undefined) return { status: 'failed', code: failure.code, message: failure.message };
  const failing = deps.journalHealth?.failing();
  if (failing === undefined) return { status: 'ok' };
  return { status: 'failing', code: 'JOURNAL_WRITE_FAILED', message: failing.error, since: new Date(failing.since).toISOString(), failures: failing.failures };
}

/** Gauges read from the journal at scrape time. */
export async function refreshGauges(deps: HttpDeps): Promise<void> {
  const saf = await deps.store.safStats();
  deps.metrics.safDepth.set(saf.depth);
  deps.metrics.safOldestAge.set(saf.oldestCreatedAt === null ? 0 : (deps.clock.now() - saf.oldestCreatedAt) / 1000);
  deps.metrics.openBatches.set((await deps.store.openBatches()).length);
  deps.metrics.journalFailed.set(deps.store.failure?.() === undefined ? 0 : 1);
  for (const l of deps.links.values()) deps.metrics.acquirerUp.set({ acquirer: l.id }, l.state === 'up' ? 1 : 0);
  deps.serial?.publish(deps.metrics);
}
