import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { DEFAULT_RECON } from '../config/recon-schema.js';
import type { GatewayConfig } from '../config/types.js';
import type { ImportResult } from '../settlement/import.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** One acquirer whose reports are fetched once a day. */
export interface FetchTarget {
  acquirerId: string;
  /** Base URL of its report API: `<url>/settlement/reports` lists, `<url>/settlement/reports/<id>` is one CSV. */
  url: string;
  /** "HH:MM", gateway local time. */
  at: string;
  token?: string;
}

export interface FetcherOptions {
  targets: readonly FetchTarget[];
  clock: Clock;
  /** The gateway's local time zone: `at` and the report's day are local. */
  utcOffsetMinutes: number;
  /** Imports one report's CSV; importing one imported before changes nothing. */
  importReport(csv: string): Promise<ImportResult>;
  /** The reports imported so far (not fetched again). */
  imported(): Promise<Set<string>>;
  pollMs: number;
  timeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  logger: Logger;
}

interface TargetState {
  target: FetchTarget;
  atMinutes: number;
  /** The local day (days since the epoch) whose fetch is next. */
  day: number;
  /** When to try next (gateway clock, ms). */
  due: number;
  failures: number;
  running: boolean;
}

export interface FetchOutcome {
  acquirerId: string;
  /** The local day fetched, YYYY-MM-DD. */
  day: string;
  imported: string[];
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A fetch that failed: the status or the network error, never the response body. */
class FetchFailed extends Error {}

/**
 * The automatic fetch of settlement reports: for each acquirer, once a day at its local time `at`, the reports listed
 * with a settlement date up to that day and not imported yet are read and imported. A failed fetch is logged and
 * tried again after a backoff (doubling from retryInitialMs up to retryMaxMs) until it succeeds or the next day's
 * fetch takes over (it picks up what this one missed). The clock is looked at every `pollMs`; a gateway started
 * after the day's time fetches at once.
 */
export class SettlementFetcher {
  private readonly states: TargetState[];
  private timer: NodeJS.Timeout | undefined;
  private readonly offsetMs: number;

  constructor(private readonly opts: FetcherOptions) {
    this.offsetMs = opts.utcOffsetMinutes * MINUTE_MS;
    const today = this.localDay(opts.clock.now());
    this.states = opts.targets.map((target) => {
      const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(target.at);
      if (m === null) throw new TypeError(`settlement fetch of ${target.acquirerId}: "at" must be a time HH:MM`);
      const atMinutes = Number(m[1]) * 60 + Number(m[2]);
      return { target, atMinutes, day: today, due: this.dueOf(today, atMinutes), failures: 0, running: false };
    });
  }

  start(): void {
    if (this.timer !== undefined || this.states.length === 0) return;
    this.timer = setInterval(() => void this.check(), this.opts.pollMs);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs the fetches that are due by the clock; resolves when they are done (what the timer calls; tests too). */
  async check(): Promise<FetchOutcome[]> {
    const now = this.opts.clock.now();
    const runs = this.states.filter((s) => !s.running && now >= s.due).map((s) => this.run(s, now));
    return (await Promise.all(runs)).filter((o): o is FetchOutcome => o !== undefined);
  }

  /** When the next fetch of an acquirer is due (gateway clock, ms); for views and tests. */
  nextDue(acquirerId: string): number | undefined {
    return this.states.find((s) => s.target.acquirerId === acquirerId)?.due;
  }

  private localDay(ms: number): number {
    return Math.floor((ms + this.offsetMs) / DAY_MS);
  }

  private dueOf(day: number, atMinutes: number): number {
    return day * DAY_MS + atMinutes * MINUTE_MS - this.offsetMs;
  }

  private async run(s: TargetState, now: number): Promise<FetchOutcome | undefined> {
    s.running = true;
    const log = this.opts.logger;
    const day = isoDay(s.day);
    try {
      const imported = await this.fetchDay(s.target, day);
      log.info({ acquirer: s.target.acquirerId, day, reports: imported }, 'settlement reports fetched');
      s.failures = 0;
      s.day = Math.max(s.day + 1, this.localDay(now));
      s.due = this.dueOf(s.day, s.atMinutes);
      return { acquirerId: s.target.acquirerId, day, imported };
    } catch (e) {
      s.failures++;
      const backoff = Math.min(this.opts.retryInitialMs * 2 ** (s.failures - 1), this.opts.retryMaxMs);
      const next = this.dueOf(s.day + 1, s.atMinutes);
      const at = this.opts.clock.now();
      if (at + backoff >= next) {
        // the next day's fetch takes over: it imports what this one missed
        s.day++;
        s.due = next;
        s.failures = 0;
      } else {
        s.due = at + backoff;
      }
      log.warn({ acquirer: s.target.acquirerId, day, attempt: s.failures, error: e instanceof Error ? e.message : String(e), nextAttemptAt: new Date(s.due).toISOString() }, 'settlement fetch failed');
      return undefined;
    } finally {
      s.running = false;
    }
  }

  /** Lists the acquirer's reports and imports those up to `day` not imported yet, oldest first. */
  private async fetchDay(t: FetchTarget, day: string): Promise<string[]> {
    const base = t.url.replace(/\/+$/, '');
    const list = (await this.get(t, `${base}/settlement/reports`, 'application/json')) as { reports?: unknown };
    if (!Array.isArray(list.reports)) throw new FetchFailed('the report list has no "reports" array');
    const have = await this.opts.imported();
    const wanted = list.reports
      .filter((r): r is { reportId: string; settlementDate: string } => typeof r?.reportId === 'string' && typeof r?.settlementDate === 'string')
      .filter((r) => r.settlementDate <= day && !have.has(r.reportId))
      .sort((a, b) => (a.settlementDate < b.settlementDate ? -1 : a.settlementDate > b.settlementDate ? 1 : a.reportId < b.reportId ? -1 : 1));
    const imported: string[] = [];
    for (const r of wanted) {
      const csv = (await this.get(t, `${base}/settlement/reports/${encodeURIComponent(r.reportId)}`, 'text/csv')) as string;
      const result = await this.opts.importReport(csv);
      if (result.reportId !== r.reportId) throw new FetchFailed(`report ${r.reportId} came back as ${result.reportId}`);
      if (result.imported) imported.push(r.reportId);
    }
    return imported;
  }

  private async get(t: FetchTarget, url: string, accept: string): Promise<unknown> {
    const headers: Record<string, string> = { accept };
    if (t.token !== undefined) headers.authorization = `Bearer ${t.token}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs) });
    } catch (e) {
      throw new FetchFailed(`GET ${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FetchFailed(`GET ${url}: HTTP ${res.status}`);
    }
    return accept === 'application/json' ? res.json() : res.text();
  }
}

/** The fetcher of every acquirer whose `settlement.fetch` is configured; none configured: one that does nothing. */
export function settlementFetcherOf(
  config: GatewayConfig,
  deps: Pick<FetcherOptions, 'clock' | 'importReport' | 'imported' | 'logger'>,
): SettlementFetcher {
  const targets = config.acquirers.flatMap((a) => (a.settlement?.fetch === undefined ? [] : [{ acquirerId: a.id, ...a.settlement.fetch }]));
  return new SettlementFetcher({
    ...deps,
    targets,
    utcOffsetMinutes: config.recon?.utcOffsetMinutes ?? DEFAULT_RECON.utcOffsetMinutes,
    ...(config.recon?.fetch ?? DEFAULT_RECON.fetch),
  });
}
