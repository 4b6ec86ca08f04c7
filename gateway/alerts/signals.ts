import type { AlertsConfig } from '../config/types.js';
import type { TxRecord } from '../store/types.js';
import { BucketRing } from './ring.js';

/** One authorization's outcome as the flow saw it: what the alert engine is fed, in memory, per request. */
export interface Outcome {
  merchantId: string;
  acquirerId: string;
  approved: boolean;
  /** The acquirer did not answer: timed out (outcome unknown) or the request could not be sent. */
  timedOut: boolean;
  /** Time to the acquirer's reply; null without a reply. */
  latencyMs: number | null;
  /** Gateway clock. */
  at: number;
}

export interface Tally {
  total: number;
  approved: number;
  failed: number;
}

const DAY_MS = 86_400_000;
/** Fields of a rate ring: requests, approvals, no answer; then (acquirers only) the latency histogram. */
const TOTAL = 0;
const APPROVED = 1;
const FAILED = 2;
const COUNTS = 3;

/** Upper bounds of the latency histogram, 1 ms to a minute, each about 25 % above the last. */
export const LATENCY_BOUNDS_MS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let b = 1; b < 60_000; b = Math.max(b + 1, Math.ceil(b * 1.25))) bounds.push(b);
  bounds.push(60_000);
  return bounds;
})();

/** Volume buckets divide a day, so the same window on an earlier day is a whole number of buckets back. */
const VOLUME_BUCKETS_MS = [3_600_000, 900_000, 300_000, 60_000, 10_000, 1_000] as const;

/**
 * The traffic figures the rules read, kept in rings of time buckets: per merchant and per acquirer (approvals,
 * failures, and for acquirers the reply times), per merchant the request volume over the look-back days, and which
 * merchants used each acquirer lately. Memory is fixed per merchant and per acquirer, whatever the traffic.
 */
export class Signals {
  readonly rateBucketMs: number;
  readonly volumeBucketMs: number;
  private readonly rateHorizonMs: number;
  private readonly volumeHorizonMs: number;
  private readonly byMerchant = new Map<string, BucketRing>();
  private readonly byAcquirer = new Map<string, BucketRing>();
  private readonly volumes = new Map<string, BucketRing>();
  private readonly users = new Map<string, Map<string, number>>();
  private readonly scratch = new Float64Array(COUNTS + LATENCY_BOUNDS_MS.length);

  constructor(private readonly config: AlertsConfig) {
    const a = config.approvalRate;
    const shortest = Math.min(a.recentMs, config.upstreamTimeouts.windowMs, config.upstreamLatency.windowMs);
    this.rateHorizonMs = Math.max(a.recentMs + a.baselineMs, config.upstreamTimeouts.windowMs, config.upstreamLatency.windowMs);
    // about ten buckets to the shortest window, and never more than about 2,000 buckets in all
    this.rateBucketMs = Math.max(1, Math.floor(shortest / 10), Math.ceil(this.rateHorizonMs / 2000));
    const v = config.volume;
    this.volumeBucketMs = VOLUME_BUCKETS_MS.find((b) => b <= v.windowMs / 4) ?? VOLUME_BUCKETS_MS[VOLUME_BUCKETS_MS.length - 1];
    this.volumeHorizonMs = v.lookbackDays * DAY_MS + v.windowMs + 2 * this.volumeBucketMs;
  }

  record(o: Outcome): void {
    this.count(this.ring(this.byMerchant, o.merchantId, COUNTS), o);
    const acquirer = this.ring(this.byAcquirer, o.acquirerId, COUNTS + LATENCY_BOUNDS_MS.length);
    this.count(acquirer, o);
    if (o.latencyMs !== null && o.latencyMs >= 0) acquirer.add(o.at, COUNTS + latencyBin(o.latencyMs));
    this.countVolume(o.merchantId, o.at);
    this.noteUser(o);
  }

  /**
   * Takes in the journal's transactions written before `before` (what happened before this engine was fed live):
   * their outcomes into the rate rings (no reply times: the journal keeps none), their creation into the volumes.
   */
  seed(rows: Iterable<TxRecord>, before: number): void {
    for (const tx of rows) {
      if (tx.updatedAt >= before) continue;
      this.countVolume(tx.merchantId, tx.createdAt);
      if (tx.acquirerId === null || tx.state === 'forwarding' || tx.state === 'rejected') continue;
      const timedOut = tx.state === 'timed_out' || tx.state === 'not_sent';
      const o: Outcome = { merchantId: tx.merchantId, acquirerId: tx.acquirerId, approved: tx.state === 'approved', timedOut, latencyMs: null, at: tx.updatedAt };
      this.count(this.ring(this.byMerchant, o.merchantId, COUNTS), o);
      this.count(this.ring(this.byAcquirer, o.acquirerId, COUNTS + LATENCY_BOUNDS_MS.length), o);
      this.noteUser(o);
    }
  }

  /** How far back `seed` needs the journal, from `now`. */
  seedSince(now: number): number {
    return now - Math.max(this.rateHorizonMs, this.volumeHorizonMs);
  }

  merchants(): string[] {
    return [...this.byMerchant.keys()];
  }

  acquirers(): string[] {
    return [...this.byAcquirer.keys()];
  }

  /** Requests of a merchant or acquirer from `fromAgoMs` before `now` up to `toAgoMs` before it (bucket precision). */
  tally(kind: 'merchant' | 'acquirer', id: string, now: number, fromAgoMs: number, toAgoMs = 0): Tally {
    const ring = (kind === 'merchant' ? this.byMerchant : this.byAcquirer).get(id);
    if (ring === undefined) return { total: 0, approved: 0, failed: 0 };
    const [first, last] = this.span(ring, now, fromAgoMs, toAgoMs);
    return { total: ring.sum(first, last, TOTAL), approved: ring.sum(first, last, APPROVED), failed: ring.sum(first, last, FAILED) };
  }

  /** The acquirer's 95th-percentile reply time over the last `windowMs` (the upper bound of its histogram bin). */
  latency(acquirerId: string, now: number, windowMs: number): { samples: number; p95Ms: number } {
    const ring = this.byAcquirer.get(acquirerId);
    if (ring === undefined) return { samples: 0, p95Ms: 0 };
    const [first, last] = this.span(ring, now, windowMs, 0);
    const sums = ring.sumAll(first, last, this.scratch);
    let samples = 0;
    for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) samples += sums[COUNTS + i];
    if (samples === 0) return { samples: 0, p95Ms: 0 };
    const rank = Math.ceil(samples * 0.95);
    let seen = 0;
    for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
      seen += sums[COUNTS + i];
      if (seen >= rank) return { samples, p95Ms: LATENCY_BOUNDS_MS[i] };
    }
    return { samples, p95Ms: LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] };
  }

  /**
   * A merchant's requests in the last `volume.windowMs` (complete buckets only, so the current partial one does not
   * look like a drop) and the mean of the same span on each of the previous `lookbackDays` days.
   */
  volume(merchantId: string, now: number): { current: number; baseline: number; windowMs: number } {
    const ring = this.volumes.get(merchantId);
    const n = Math.max(1, Math.floor(this.config.volume.windowMs / this.volumeBucketMs));
    const windowMs = n * this.volumeBucketMs;
    if (ring === undefined) return { current: 0, baseline: 0, windowMs };
    const last = ring.bucketOf(now) - 1;
    const current = ring.sum(last - n + 1, last, 0);
    const perDay = DAY_MS / this.volumeBucketMs;
    let earlier = 0;
    for (let d = 1; d <= this.config.volume.lookbackDays; d++) earlier += ring.sum(last - n + 1 - d * perDay, last - d * perDay, 0);
    return { current, baseline: earlier / this.config.volume.lookbackDays, windowMs };
  }

  /** Merchants that sent requests through the acquirer at or after `since`. */
  usersOf(acquirerId: string, since: number): string[] {
    const users = this.users.get(acquirerId);
    if (users === undefined) return [];
    return [...users].filter(([, at]) => at >= since).map(([m]) => m);
  }

  private span(ring: BucketRing, now: number, fromAgoMs: number, toAgoMs: number): [number, number] {
    const current = ring.bucketOf(now);
    const last = current - Math.round(toAgoMs / ring.bucketMs);
    const first = current - Math.max(1, Math.round(fromAgoMs / ring.bucketMs)) + 1;
    return [first, last];
  }

  private ring(map: Map<string, BucketRing>, id: string, fields: number): BucketRing {
    let ring = map.get(id);
    if (ring === undefined) map.set(id, (ring = new BucketRing(this.rateBucketMs, this.rateHorizonMs, fields)));
    return ring;
  }

  private count(ring: BucketRing, o: Outcome): void {
    ring.add(o.at, TOTAL);
    if (o.approved) ring.add(o.at, APPROVED);
    if (o.timedOut) ring.add(o.at, FAILED);
  }

  private noteUser(o: Outcome): void {
    let users = this.users.get(o.acquirerId);
    if (users === undefined) this.users.set(o.acquirerId, (users = new Map()));
    users.set(o.merchantId, Math.max(users.get(o.merchantId) ?? 0, o.at));
  }

  private countVolume(merchantId: string, at: number): void {
    let ring = this.volumes.get(merchantId);
    if (ring === undefined) this.volumes.set(merchantId, (ring = new BucketRing(this.volumeBucketMs, this.volumeHorizonMs, 1)));
    ring.add(at, 0);
  }
}

function latencyBin(ms: number): number {
  // binary search for the first bound at or above ms
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (LATENCY_BOUNDS_MS[mid] >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
