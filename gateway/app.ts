import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { codecFor, loadSpec } from '../protocol/index.js';
import { HostLink, type LateReplyInfo } from './acquirer/index.js';
import { AlertEngine, defaultAlertsConfig } from './alerts/index.js';
import { ChurnTable } from './churn-table.js';
import { systemClock, type Clock } from './clock.js';
import type { GatewayConfig, StoreConfig } from './config/types.js';
import { EventLog } from './feed/log.js';
import { FeedServer } from './feed/server.js';
import { followAlerts, followRecon, publishReversal } from './feed/sources.js';
import { DEFAULT_FEED, DEFAULT_STRANDED_CHECK_MS } from './config/schema.js';
import { BatchGate } from './flow/batch-gate.js';
import type { FlowContext } from './flow/context.js';
import { StrandedRequests } from './flow/stranded.js';
import { buildHttp } from './http.js';
import { createMetrics, type Metrics } from './metrics.js';
import { isApproval } from './responses.js';
import { AcquirerGate } from './routing/gate.js';
import { Router } from './routing/router.js';
import { reconOptionsOf } from './recon-service/config.js';
import { settlementFetcherOf } from './recon-service/fetch.js';
import { ReconService } from './recon-service/service.js';
import { RrnGenerator } from './rrn.js';
import { SafQueue } from './saf.js';
import { SerialPorts, type SerialListenerOptions } from './serial/index.js';
import { JournalError, JournalErrorCodes } from './store/errors.js';
import { JournalHealth } from './store/health.js';
import { JournalOwner } from './store/owner.js';
import { PostgresJournalOwner } from './store/postgres-owner.js';
import { addressOf, PostgresStore } from './store/postgres.js';
import { SqliteStore } from './store/sqlite.js';
import { SqliteThreadStore } from './store/thread.js';
import type { JournalObserver, Store } from './store/types.js';
import { TerminalServer } from './terminal/server.js';

export interface GatewayOptions {
  clock?: Clock;
  logger?: Logger;
  /** A store to use instead of the configured one (tests). */
  store?: Store;
  /** How serial ports are opened (tests: @serialport/binding-mock). */
  serial?: SerialListenerOptions;
}

export interface RunningGateway {
  config: GatewayConfig;
  store: Store;
  metrics: Metrics;
  links: Map<string, HostLink>;
  gates: Map<string, AcquirerGate>;
  http: FastifyInstance;
  serial: SerialPorts;
  /** Reconciliation of the journal, the batch uploads and the imported settlement reports (cases in memory). */
  recon: ReconService;
  /** Early-warning alerts: `onChange(listener)` for raises and clears, `active(merchantId?)` for what is up now. */
  alerts: AlertEngine;
  /** The merchants' live feed: `publish`, `alert(alert, 'raised' | 'cleared')`; served over WebSocket at /feed. */
  feed: EventLog;
  feedServer: FeedServer;
  /** Bound ports: listener name -> port, and the HTTP port. */
  ports: { listeners: Record<string, number>; http: number };
  close(): Promise<void>;
}

/** Card data never reaches a log line by construction; these paths are redacted in case a value ever slips in. */
export const REDACT = ['pan', 'track2', 'pinBlock', 'cvv', 'fields.2', 'fields.35', 'fields.45', 'fields.52', 'fields.55', '*.pan', '*.track2'];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[REDACTED]' }, base: { service: 'pos-gateway' } });
}

/**
 * Starts the gateway: opens the journal, finishes what a previous run left in flight (recovery), connects the
 * acquirer links, starts the store-and-forward queues, the terminal listeners and the HTTP server.
 */
export async function startGateway(config: GatewayConfig, opts: GatewayOptions = {}): Promise<RunningGateway> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.log.level);
  const metrics = createMetrics();
  const journalHealth = new JournalHealth(clock);
  // a journal this gateway opens is its own while it runs: a second gateway on it is refused (an import of a
  // settlement report into a SQLite journal goes through this gateway's HTTP API)
  const owner = opts.store === undefined ? await ownJournal(config.store, logger, clock) : undefined;
  let store: Store;
  try {
    store = opts.store ?? storeFor(config.store, journalObserver(metrics, logger, journalHealth));
  } catch (e) {
    await owner?.release();
    throw e;
  }
  // what has started so far, stopped in reverse order when a later step fails (a port in use, say): a gateway that
  // could not start must not linger with its links reconnecting and its journal open
  const started: (() => unknown)[] = [() => owner?.release(), () => store.close()];
  try {
    await store.init();
    return await start(config, opts, { clock, logger, metrics, store, owner, journalHealth }, started);
  } catch (e) {
    for (const stop of started.reverse()) await Promise.resolve().then(stop).catch(() => undefined);
    throw e;
  }
}

/** An address to reach a server bound to `host` from this machine: loopback for the wildcard addresses. */
export function reachable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** What holds the journal for this gateway: a lock beside a SQLite file, an advisory lock on a PostgreSQL schema. */
interface Owner {
  /** Where this gateway's HTTP API listens, for whoever finds the journal taken. */
  announce?(http: string): void;
  release(): unknown;
}

async function ownJournal(config: StoreConfig, logger: Logger, clock: Clock): Promise<Owner | undefined> {
  if (config.driver === 'postgres') {
    const url = config.url ?? '';
    return PostgresJournalOwner.take(url, config.schema ?? 'public', addressOf(url), (message) => logger.error({ alert: 'JOURNAL_LOCK_LOST' }, message));
  }
  return config.path === ':memory:' ? undefined : JournalOwner.take(config.path, 'gateway', clock.now());
}

async function start(
  config: GatewayConfig,
  opts: GatewayOptions,
  {
    clock,
    logger,
    metrics,
    store,
    owner,
    journalHealth,
  }: { clock: Clock; logger: Logger; metrics: Metrics; store: Store; owner: Owner | undefined; journalHealth: JournalHealth },
  started: (() => unknown)[],
): Promise<RunningGateway> {
  const links = new Map<string, HostLink>();
  const queues = new Map<string, SafQueue>();
  for (const a of config.acquirers) {
    const link = new HostLink({
      id: a.id,
      host: a.host,
      port: a.port,
      deadlineMs: a.deadlineMs,
      echoIntervalMs: a.echoIntervalMs,
      reconnect: a.reconnect,
      maxFrameSize: a.maxFrameSize,
      clock,
      // the link names its acquirer in its own log lines
      logger,
      tls: a.tls
        ? {
            ca: a.tls.ca ? readFileSync(a.tls.ca) : undefined,
            cert: a.tls.cert ? readFileSync(a.tls.cert) : undefined,
            key: a.tls.key ? readFileSync(a.tls.key) : undefined,
            rejectUnauthorized: a.tls.rejectUnauthorized ?? true,
          }
        : undefined,
    });
    links.set(a.id, link);
    queues.set(a.id, new SafQueue(a.id, link, store, clock, config.saf, a.deadlineMs, logger.child({ acquirer: a.id, component: 'saf' }), metrics));
  }

  const gates = new Map(config.acquirers.map((a) => [a.id, new AcquirerGate(a, links.get(a.id)!, logger.child({ acquirer: a.id }), metrics)]));
  const ctx: FlowContext = {
    config,
    store,
    links,
    gates,
    router: new Router(config),
    acquirers: new Map(config.acquirers.map((a) => [a.id, a])),
    terminals: new Map(config.terminals.map((t) => [t.id, t])),
    merchants: new Map(config.merchants.map((m) => [m.id, m])),
    clock,
    logger,
    metrics,
    rrn: new RrnGenerator(clock, await store.lastRrnSequence()),
    panKey: Buffer.from(config.security.panHashKey, 'hex'),
    inflight: new ChurnTable(),
    openBatches: new Set(),
    closedBatches: new Set(),
    openingBatches: new Map(),
    batches: new BatchGate(),
    wakeSaf: (id) => queues.get(id)?.wake(),
  };

  const feed = new EventLog(store, clock, logger.child({ component: 'feed' }));
  await feed.init(config.merchants.map((m) => m.id));
  ctx.feed = feed;

  const stranded = new StrandedRequests(ctx);
  await stranded.recover();
  // fed live from here on (before any listener opens); what the journal holds from before is seeded at start()
  const alerts = new AlertEngine({
    config: config.alerts ?? defaultAlertsConfig(),
    clock,
    store,
    logger: logger.child({ component: 'alerts' }),
    metrics,
    merchants: config.merchants.map((m) => m.id),
    acquirerDown: (id) => {
      const gate = gates.get(id);
      return gate !== undefined && !gate.drained && !gate.available();
    },
    journalWrites: () => journalHealth.failing(),
  });
  ctx.alerts = alerts;
  followAlerts(feed, alerts);

  for (const [id, link] of links) {
    link.on('late', (reply, info) => {
      onLate(ctx, id, reply.fields[37], reply.fields[39], info).catch((e: unknown) => logger.error({ acquirer: id, error: String(e) }, 'late reply not recorded'));
    });
    link.on('state', (state) => logger.info({ acquirer: id, state }, 'acquirer link state'));
    link.start();
    started.push(() => link.stop());
  }
  for (const q of queues.values()) {
    q.start();
    started.push(() => q.stop());
  }
  stranded.start(config.saf.strandedCheckMs ?? DEFAULT_STRANDED_CHECK_MS);
  started.push(() => stranded.stop());

  const servers = config.listeners.map((l) => new TerminalServer(l, codecFor(loadSpec(l.spec, (p) => readFileSync(p, 'utf8'))), ctx));
  const listenerPorts: Record<string, number> = {};
  for (const s of servers) {
    started.push(() => s.close());
    listenerPorts[s.config.name] = await s.listen();
  }
  // serial terminals: each port opens (and reopens after an unplug) in the background
  const serial = new SerialPorts(config.serialPorts ?? [], (spec) => codecFor(loadSpec(spec, (p) => readFileSync(p, 'utf8'))), ctx, opts.serial);
  serial.start();
  started.push(() => serial.close());

  const recon = new ReconService({ store, clock, recon: reconOptionsOf(config), logger: logger.child({ component: 'recon' }) });
  await recon.sync();
  const settlementFetch = settlementFetcherOf(config, {
    clock,
    importReport: (csv) => recon.importReport(csv),
    imported: async () => new Set((await store.reports()).map((r) => r.reportId)),
    logger: logger.child({ component: 'settlement-fetch' }),
  });
  settlementFetch.start();
  started.push(() => settlementFetch.stop());
  started.push(() => alerts.stop());
  await alerts.start(recon);
  const merchantTokens = new Map(config.merchants.flatMap((m) => (m.apiToken === undefined ? [] : [[m.id, m.apiToken] as const])));
  const reconHttp = { service: recon, adminToken: config.http.adminToken, merchantTokens, terminals: new Map(config.terminals.map((t) => [t.id, t.merchantId])) };
  const http = buildHttp({ links, gates, store, journalHealth, metrics, clock, logger, adminToken: config.http.adminToken, serial, recon: reconHttp });
  followRecon(feed, recon, clock);
  feed.setFundedSource((terminalId, batchNo) => recon.funded(terminalId, batchNo));
  const feedServer = new FeedServer({
    log: feed,
    config: config.feed ?? DEFAULT_FEED,
    adminToken: config.http.adminToken,
    merchantTokens,
    merchantIds: new Set(config.merchants.map((m) => m.id)),
    snapshot: async (merchantId) => {
      await recon.fresh();
      const batches = await recon.batches(merchantId ?? undefined, { open: true });
      const cases = recon.cases({ merchantId: merchantId ?? undefined, status: 'open' }).map(({ audit: _audit, ...c }) => c);
      return { batches, cases };
    },
    clock,
    logger: logger.child({ component: 'feed' }),
    metrics,
  });
  feedServer.attach(http.server);
  started.push(() => feedServer.close(), () => http.close());
  await http.listen({ host: config.http.host, port: config.http.port });
  const httpPort = (http.server.address() as { port: number }).port;
  owner?.announce?.(`http://${reachable(config.http.host)}:${httpPort}`);
  logger.info({ listeners: listenerPorts, http: httpPort }, 'gateway started');

  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    metrics,
    links,
    gates,
    http,
    serial,
    recon,
    alerts,
    feed,
    feedServer,
    ports: { listeners: listenerPorts, http: httpPort },
    close() {
      closing ??= (async () => {
        await alerts.stop();
        settlementFetch.stop();
        await Promise.all([...servers.map((s) => s.close()), serial.close()]);
        for (const q of queues.values()) q.stop();
        await stranded.stop();
        await Promise.all([...links.values()].map((l) => l.stop()));
        await feedServer.close();
        await http.close();
        await store.close();
        await owner?.release();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}

/**
 * The journal's commits and syncs, as metrics; its failures, at once in the log (the alerts engine raises them too) and
 * into `health`.
 */
function journalObserver(metrics: Metrics, logger: Logger, health: JournalHealth): JournalObserver {
  return {
    committed: (writes) => metrics.journalCommitWrites.observe(writes),
    synced: (ms) => metrics.journalSync.observe(ms / 1000),
    failed: (e) => {
      logger.fatal(
        { alert: e.code, error: e.message },
        'journal failed: every terminal request is answered 96 without being forwarded; restart the gateway once the disk is sound (recovery reverses what was in flight)',
      );
    },
    writeFailed: (e) => {
      metrics.journalWriteFailures.inc();
      if (health.writeFailed(e)) {
        logger.error(
          { alert: 'JOURNAL_WRITES_FAILING', error: e instanceof Error ? e.message : String(e) },
          'journal writes failing (disk full or failing): requests are answered 96 without being forwarded until the file takes writes again',
        );
      }
    },
    writesResumed: () => {
      const spell = health.writesResumed();
      if (spell !== undefined) logger.warn({ failures: spell.failures, since: new Date(spell.since).toISOString() }, 'journal writes go through again');
    },
  };
}

/** The configured journal, not yet initialized; `observer` sees a SQLite journal's commits (not on its own thread) and any journal's failures. */
export function storeFor(config: StoreConfig, observer?: JournalObserver): Store {
  if (config.driver === 'postgres') return new PostgresStore({ url: config.url ?? '', schema: config.schema, observer });
  // on the event loop unless asked: on two cores the messages to and from a journal thread cost the event loop more
  // than the statements they carry (README, "The journal")
  if (config.thread === true) return new SqliteThreadStore({ path: config.path, synchronous: config.synchronous, observer });
  try {
    return new SqliteStore({ path: config.path, synchronous: config.synchronous, observer });
  } catch (e) {
    throw new JournalError(JournalErrorCodes.openFailed, `journal: cannot open ${config.path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** A reply after the deadline, or one matching nothing: a late approval must be reversed (the reversal is idempotent). */
async function onLate(ctx: FlowContext, acquirerId: string, rrn: unknown, rc: unknown, info: LateReplyInfo): Promise<void> {
  ctx.metrics.lateReplies.inc({ acquirer: acquirerId });
  if (typeof rrn !== 'string') {
    ctx.logger.warn({ acquirer: acquirerId, key: info.key }, 'late reply without RRN');
    return;
  }
  const tx = await ctx.store.findByRrn(rrn);
  if (tx === undefined) {
    ctx.logger.warn({ acquirer: acquirerId, rrn }, 'late reply for an unknown RRN');
    return;
  }
  const at = ctx.clock.now();
  const reverse = isApproval(typeof rc === 'string' ? rc : null) && tx.state !== 'approved';
  // a reversal queued before (the timeout's) was announced then
  if (reverse && tx.reversal === null) publishReversal(ctx.feed, tx, 'late', at);
  await Promise.all([
    typeof rc === 'string' ? ctx.store.recordLateReply(tx.id, rc, at) : undefined,
    reverse ? ctx.store.queueReversal(tx.id, acquirerId, 'late', at) : undefined,
  ]);
  if (reverse) ctx.wakeSaf(acquirerId);
  ctx.logger.warn({ acquirer: acquirerId, rrn, rc, afterDeadline: info.afterDeadline }, 'late reply');
}
