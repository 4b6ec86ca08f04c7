import type { LoadProgress, LoadSummary } from './driver.js';

const ms = (v: number | null): string => (v === null ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

/** The live line: rewritten in place twice a second on a terminal. */
export function progressLine(p: LoadProgress): string {
  return (
    `${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s  sent ${p.sent}  approved ${p.approved}  declined ${p.declined}  timed out ${p.timedOut}` +
    `${p.errors > 0 ? `  errors ${p.errors}` : ''}  ${Math.round(p.rate)}/s  p50 ${ms(p.p50)} ms  p99 ${ms(p.p99)} ms  in flight ${p.inFlight}` +
    `${p.backlog > 0 ? `  backlog ${p.backlog}` : ''}`
  );
}

const BAR = 40;

export function renderSummary(s: LoadSummary): string {
  const out: string[] = [];
  const how = s.mode === 'open' ? `open loop at ${s.rate}/s` : 'closed loop';
  const bound = [s.durationMs === null ? '' : `for ${s.durationMs / 1000} s`, s.count === null ? '' : `${s.count} purchases at most`].filter((x) => x !== '').join(', ');
  out.push(`LOAD ${s.target}: ${s.terminals} terminals, ${how}, ${bound}${s.connectFailures > 0 ? ` (${s.connectFailures} could not connect)` : ''}`);
  out.push(`  sent ${s.sent}  approved ${s.approved}  declined ${s.declined}  timed out ${s.timedOut}  errors ${s.errors}${s.notSent > 0 ? `  not sent ${s.notSent} (no idle terminal)` : ''}`);
  if (s.reversals.sent > 0) out.push(`  reversals sent ${s.reversals.sent}, answered ${s.reversals.acknowledged}`);
  if (s.warmup.answered > 0) out.push(`  warm-up (not counted) ${s.warmup.answered} answered, ${s.warmup.approved} approved`);
  out.push(`  response codes: ${Object.entries(s.responseCodes).sort().map(([rc, n]) => `${rc}: ${n}`).join(', ') || 'none'}`);
  out.push(`  ${s.achievedRate.toFixed(1)} answers/s over ${(s.elapsedMs / 1000).toFixed(2)} s`);
  const l = s.latencyMs;
  out.push(`  latency ms${s.mode === 'open' ? ' (from when each purchase was due)' : ''}: p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`);
  const total = s.histogram.reduce((n, b) => n + b.count, 0);
  if (total > 0) {
    out.push('  histogram:');
    let from = 0;
    const peak = Math.max(...s.histogram.map((b) => b.count));
    const first = s.histogram.findIndex((b) => b.count > 0);
    const last = s.histogram.reduce((at, b, i) => (b.count > 0 ? i : at), -1);
    for (const [i, b] of s.histogram.entries()) {
      const label = b.upToMs === null ? `>= ${from} ms` : `${from}-${b.upToMs} ms`;
      if (b.upToMs !== null) from = b.upToMs;
      if (i < first) continue;
      if (i > last) break;
      const pct = (b.count * 100) / total;
      out.push(`    ${label.padStart(14)} ${String(b.count).padStart(9)} ${pct.toFixed(1).padStart(5)}%  ${'#'.repeat(Math.round((b.count / peak) * BAR))}`);
    }
  }
  return out.join('\n') + '\n';
}
