/** prom-client's event-loop timer (its default `eventLoopMonitoringPrecision`, which the gateway keeps). */
const TICK_MS = 10;

/**
 * The gateway's own view of a measured window, from its /metrics: the journal's commits and WAL syncs, the event loop's
 * delay (a histogram the gateway starts over at each scrape, so a scrape at the window's start and one at its end
 * give the window's) and its garbage collections (cumulative: the difference). Scrapes are fired when the window
 * opens and closes, and awaited after the phase.
 */
export class OwnView {
  #before: Promise<Map<string, number>> | undefined;
  #after: Promise<Map<string, number>> | undefined;

  constructor(private readonly url: string) {}

  open(): void {
    this.#before = scrape(this.url);
  }

  close(): void {
    this.#after = scrape(this.url);
  }

  /** "journal: 19274 commits of 8.9 writes ..., WAL syncs 0.35 ms on average (12 over 5 ms); event loop: ...; collections ..." */
  async describe(): Promise<string> {
    if (this.#before === undefined || this.#after === undefined) return 'not measured';
    const [before, after] = await Promise.all([this.#before, this.#after]);
    // the histogram holds the intervals between the ticks of a timer: what a tick took beyond it is how late the
    // event loop ran it
    const late = (name: string): string => `${((after.get(name) ?? NaN) * 1000 - TICK_MS).toFixed(1)} ms`;
    const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    const gc = (kind: string): string => {
      const count = delta(`posgw_process_nodejs_gc_duration_seconds_count{kind="${kind}"}`);
      const total = delta(`posgw_process_nodejs_gc_duration_seconds_sum{kind="${kind}"}`) * 1000;
      return `${count} ${kind} (${total.toFixed(0)} ms)`;
    };
    const commits = delta('posgw_journal_commit_writes_count');
    const writes = delta('posgw_journal_commit_writes_sum');
    const syncs = delta('posgw_journal_sync_seconds_count');
    const syncMs = (delta('posgw_journal_sync_seconds_sum') * 1000) / syncs;
    const slowSyncs = syncs - delta('posgw_journal_sync_seconds_bucket{le="0.005"}');
    return (
      `journal: ${commits} commits of ${(writes / commits).toFixed(1)} writes on average, WAL syncs ${syncMs.toFixed(2)} ms ` +
      `on average (${slowSyncs} over 5 ms); ` +
      `event loop: its ${TICK_MS} ms timer late by ${late('posgw_process_nodejs_eventloop_lag_p99_seconds')} at p99, ` +
      `${late('posgw_process_nodejs_eventloop_lag_max_seconds')} at most; ` +
      `collections ${gc('minor')}, ${gc('major')}, ${gc('incremental')}`
    );
  }
}

/** Prometheus text as name{labels} -> value; a failed scrape gives an empty map (the line then shows NaN). */
async function scrape(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      out.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
  } catch {
    // the gateway did not answer in time: nothing to show
  }
  return out;
}
