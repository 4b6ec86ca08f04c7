import { performance } from 'node:perf_hooks';
import { builtinSpecs, codecFor } from '../../protocol/index.js';
import type { Card } from '../device/index.js';
import { isTransportError, openTransport, resolveLinkOptions, type LinkOptions, type Target, type TlsOptions } from '../transport/index.js';
import { LatencyRecorder } from './latency.js';
import { LeanTerminal, type LeanResult } from './lean.js';

export interface LoadOptions {
  target: Target;
  link?: LinkOptions;
  tls?: TlsOptions;
  terminals: number;
  /** Terminal ids: the prefix, then the number zero-padded to 8 characters (TERM0001). */
  prefix: string;
  first: number;
  merchantId: string;
  currency: string;
  /** Open loop: purchases start at `rate` per second whatever the answers do. Closed: each terminal waits for its answer. */
  mode: 'open' | 'closed';
  rate?: number;
  durationMs?: number;
  count?: number;
  amount: number;
  card: Card;
  emv: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Field 60 of every request: a fresh one per run keeps the gateway from taking a rerun's requests as duplicates. */
  batch: number;
  /** Closed loop: pause between a terminal's answer and its next purchase. */
  thinkMs?: number;
  /** Purchases go out for this long before the measured run begins; none of them is counted. Default 0. */
  warmupMs?: number;
  /** Told when the measured run begins and ends (a benchmark meters CPU over exactly that time). */
  onWindow?: { open(): void; close(): void };
  onProgress?: (p: LoadProgress) => void;
  progressIntervalMs?: number;
}

export interface LoadProgress {
  elapsedMs: number;
  sent: number;
  approved: number;
  declined: number;
  timedOut: number;
  errors: number;
  inFlight: number;
  /** Open loop: purchases due with no idle terminal to take them. */
  backlog: number;
  /** Answers per second since the last progress report. */
  rate: number;
  p50: number | null;
  p99: number | null;
}

export interface LoadSummary {
  target: string;
  mode: 'open' | 'closed';
  terminals: number;
  connectFailures: number;
  rate: number | null;
  durationMs: number | null;
  count: number | null;
  elapsedMs: number;
  sent: number;
  approved: number;
  declined: number;
  timedOut: number;
  errors: number;
  /** Open loop, duration ended: purchases that were due but never started (no idle terminal). */
  notSent: number;
  reversals: { sent: number; acknowledged: number };
  /** Purchases answered during the warm-up (not in the counts above). */
  warmup: { answered: number; approved: number };
  responseCodes: Record<string, number>;
  /** Answers (approved + declined) per second over the run. */
  achievedRate: number;
  /** From the moment a purchase was due (open loop) or started (closed loop) to its answer, in ms. */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; p999: number | null; max: number };
  histogram: { upToMs: number | null; count: number }[];
}

const MAX_TERMINALS = 10_000;
const MAX_BACKLOG = 1_000_000;
const CONNECT_CONCURRENCY = 64;

/** Terminal ids for a load run: TERM0001, TERM0002, ... */
export function loadTerminalIds(prefix: string, first: number, n: number): string[] {
  const width = 8 - prefix.length;
  const last = first + n - 1;
  if (width < 1 || String(last).length > width) throw new RangeError(`terminal ids ${prefix}${first}..${last} do not fit in 8 characters`);
  return Array.from({ length: n }, (_, i) => prefix + String(first + i).padStart(width, '0'));
}

/** Runs the load and resolves with the summary; stops by itself (duration or count), then waits for answers in flight. */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  checkOptions(o);
  const link = o.link ?? resolveLinkOptions();
  const codec = codecFor(link.spec ?? builtinSpecs.iso87binary);
  const ids = loadTerminalIds(o.prefix, o.first, o.terminals);
  const all = ids.map(
    (terminalId) =>
      new LeanTerminal({ terminalId, merchantId: o.merchantId, currency: o.currency }, openTransport(o.target, link, o.tls), codec, {
        batch: o.batch,
        card: o.card,
        amount: o.amount,
        emv: o.emv,
        timeoutMs: o.timeoutMs,
        connectTimeoutMs: o.connectTimeoutMs,
      }),
  );
  const ready: LeanTerminal[] = [];
  let connectFailures = 0;
  let firstFailure: unknown;
  for (let i = 0; i < all.length; i += CONNECT_CONCURRENCY) {
    await Promise.all(
      all.slice(i, i + CONNECT_CONCURRENCY).map(async (t) => {
        try {
          await t.transport.connect(o.connectTimeoutMs);
          ready.push(t);
        } catch (e) {
          if (!isTransportError(e)) throw e;
          connectFailures++;
          firstFailure ??= e;
        }
      }),
    );
  }
  if (ready.length === 0) throw firstFailure;

  const stats = { sent: 0, approved: 0, declined: 0, timedOut: 0, errors: 0, inFlight: 0, backlog: 0, notSent: 0, reversalsSent: 0, reversalsAcked: 0 };
  const codes: Record<string, number> = {};
  const latency = new LatencyRecorder();
  const began = performance.now();
  // the run is measured from the end of the warm-up: the duration, the counts, the rate and the latencies
  const start = began + (o.warmupMs ?? 0);
  let windowOpen = false;
  const openWindow = (): void => {
    if (windowOpen) return;
    windowOpen = true;
    o.onWindow?.open();
  };
  const windowTimer = setTimeout(openWindow, Math.max(0, start - performance.now()));
  let answeredAtLastReport = 0;
  let lastReport = start;
  const progress = (): void => {
    const now = performance.now();
    const answered = stats.approved + stats.declined + stats.timedOut + stats.errors;
    const w = latency.takeWindow();
    o.onProgress?.({
      elapsedMs: Math.max(0, now - start),
      sent: stats.sent,
      approved: stats.approved,
      declined: stats.declined,
      timedOut: stats.timedOut,
      errors: stats.errors,
      inFlight: stats.inFlight,
      backlog: stats.backlog,
      rate: ((answered - answeredAtLastReport) * 1000) / Math.max(1, now - lastReport),
      p50: w.p50,
      p99: w.p99,
    });
    answeredAtLastReport = answered;
    lastReport = now;
  };
  const timer = o.onProgress === undefined ? undefined : setInterval(progress, o.progressIntervalMs ?? 500);
  const warmup = { answered: 0, approved: 0 };
  const record = (r: LeanResult, ms: number, startedAt: number): void => {
    if (startedAt < start) {
      if (r.outcome === 'approved' || r.outcome === 'declined') warmup.answered++;
      if (r.outcome === 'approved') warmup.approved++;
      return;
    }
    if (r.reversal !== null) {
      stats.reversalsSent++;
      if (r.reversal.responseCode !== null) stats.reversalsAcked++;
    }
    if (r.responseCode !== null) codes[r.responseCode] = (codes[r.responseCode] ?? 0) + 1;
    if (r.outcome === 'approved') stats.approved++;
    else if (r.outcome === 'declined') stats.declined++;
    else if (r.outcome === 'timed_out') stats.timedOut++;
    else stats.errors++;
    if (r.outcome === 'approved' || r.outcome === 'declined') latency.add(ms);
  };
  try {
    if (o.mode === 'open') await openLoop(o, ready, stats, record, began, start);
    else await closedLoop(o, ready, stats, record, start);
    clearTimeout(windowTimer);
    openWindow();
    o.onWindow?.close();
    // the last purchase of a terminal may have gone unanswered: its reversal goes out before the run ends
    for (const r of await Promise.all(ready.map((t) => t.flush()))) {
      if (r === null) continue;
      stats.reversalsSent++;
      if (r.responseCode !== null) stats.reversalsAcked++;
    }
  } finally {
    clearTimeout(windowTimer);
    if (timer !== undefined) clearInterval(timer);
    await Promise.all(all.map((t) => t.close().catch(() => undefined)));
  }
  if (o.onProgress !== undefined) progress();
  const elapsedMs = performance.now() - start;
  const [p50, p90, p99, p999] = latency.percentiles([0.5, 0.9, 0.99, 0.999]);
  return {
    target: `${o.target.scheme}://${o.target.host}:${o.target.port}`,
    mode: o.mode,
    terminals: ready.length,
    connectFailures,
    rate: o.mode === 'open' ? o.rate! : null,
    durationMs: o.durationMs ?? null,
    count: o.count ?? null,
    elapsedMs,
    sent: stats.sent,
    approved: stats.approved,
    declined: stats.declined,
    timedOut: stats.timedOut,
    errors: stats.errors,
    notSent: stats.notSent,
    reversals: { sent: stats.reversalsSent, acknowledged: stats.reversalsAcked },
    warmup,
    responseCodes: codes,
    achievedRate: ((stats.approved + stats.declined) * 1000) / elapsedMs,
    latencyMs: { p50, p90, p99, p999, max: latency.max },
    histogram: latency.histogram(),
  };
}

type Stats = { sent: number; inFlight: number; backlog: number; notSent: number };
type OnResult = (r: LeanResult, ms: number, startedAt: number) => void;

/**
 * Purchases fall due every 1/rate s. A due purchase goes to an idle terminal, or waits for one (the backlog); its
 * latency counts from when it was due, so a slow gateway cannot hide behind the terminals being busy.
 */
function openLoop(o: LoadOptions, terminals: LeanTerminal[], stats: Stats, record: OnResult, began: number, start: number): Promise<void> {
  const interval = 1000 / o.rate!;
  const stopAt = o.durationMs === undefined ? Infinity : start + o.durationMs;
  const limit = o.count ?? Infinity;
  const idle = [...terminals];
  const backlog = new Queue();
  let issued = 0;
  let due = began;
  let ticking = true;
  return new Promise((resolve, reject) => {
    const finished = (): boolean => !ticking && stats.inFlight === 0;
    const launch = (t: LeanTerminal, dueAt: number): void => {
      stats.inFlight++;
      if (dueAt >= start) stats.sent++;
      t.purchase().then(
        (r) => {
          stats.inFlight--;
          record(r, performance.now() - dueAt, dueAt);
          const next = performance.now() < stopAt ? backlog.shift() : undefined;
          stats.backlog = backlog.length;
          if (next !== undefined) launch(t, next);
          else idle.push(t);
          if (finished()) resolve();
        },
        (e: unknown) => {
          ticking = false;
          reject(e);
        },
      );
    };
    const tick = (): void => {
      const now = performance.now();
      while (due <= now && issued < limit && due < stopAt) {
        // the count is of measured purchases: the warm-up's come on top
        if (due >= start) issued++;
        // the terminal idle longest goes next, so every terminal carries its share of the load
        const t = idle.shift();
        if (t !== undefined) launch(t, due);
        else if (backlog.length < MAX_BACKLOG) backlog.push(due);
        else stats.notSent++;
        due += interval;
      }
      stats.backlog = backlog.length;
      if (issued >= limit && backlog.length === 0) ticking = false;
      if (now >= stopAt || (issued >= limit && backlog.length === 0)) {
        ticking = false;
        stats.notSent += backlog.length;
        backlog.clear();
        stats.backlog = 0;
        if (finished()) resolve();
        return;
      }
      setTimeout(tick, issued >= limit ? 5 : Math.max(0, Math.min(5, due - now)));
    };
    tick();
  });
}

async function closedLoop(o: LoadOptions, terminals: LeanTerminal[], stats: Stats, record: OnResult, start: number): Promise<void> {
  const stopAt = o.durationMs === undefined ? Infinity : start + o.durationMs;
  const limit = o.count ?? Infinity;
  let issued = 0;
  await Promise.all(
    terminals.map(async (t) => {
      while (issued < limit && performance.now() < stopAt) {
        const t0 = performance.now();
        if (t0 >= start) {
          issued++;
          stats.sent++;
        }
        stats.inFlight++;
        const r = await t.purchase();
        stats.inFlight--;
        record(r, performance.now() - t0, t0);
        if (o.thinkMs !== undefined && o.thinkMs > 0) await new Promise((res) => setTimeout(res, o.thinkMs));
      }
    }),
  );
}

/** Due times waiting for a terminal, first in first out: Array#shift is linear on large arrays, this is not. */
class Queue {
  #items: number[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(v: number): void {
    this.#items.push(v);
  }

  shift(): number | undefined {
    if (this.#head === this.#items.length) return undefined;
    const v = this.#items[this.#head++];
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

function checkOptions(o: LoadOptions): void {
  const int = (v: unknown, name: string, min: number, max: number): void => {
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) throw new RangeError(`"${name}" must be an integer from ${min} to ${max}`);
  };
  int(o.terminals, 'terminals', 1, MAX_TERMINALS);
  if (o.mode === 'open') int(o.rate, 'rate', 1, 1_000_000);
  if (o.durationMs === undefined && o.count === undefined) throw new RangeError('give a duration or a count: the load stops by itself');
  if (o.durationMs !== undefined) int(o.durationMs, 'durationMs', 1, 24 * 3_600_000);
  if (o.count !== undefined) int(o.count, 'count', 1, 100_000_000);
  int(o.batch, 'batch', 1, 999_999);
  if (o.warmupMs !== undefined) int(o.warmupMs, 'warmupMs', 0, 3_600_000);
}
