import { duration, levelAbove, levelBelow, pct, Rules, type Reading, type Rule, type RuleInput } from '../reading.js';

/** Approval rate of the recent window against the baseline before it, per merchant and per acquirer. */
export const approvalRate: Rule = (input) => {
  const c = input.config.approvalRate;
  const out: Reading[] = [];
  const measure = (kind: 'merchant' | 'acquirer', id: string): void => {
    const recent = input.signals.tally(kind, id, input.now, c.recentMs);
    const before = input.signals.tally(kind, id, input.now, c.recentMs + c.baselineMs, c.recentMs);
    if (recent.total < c.minSamples || before.total < c.minBaselineSamples) return;
    const rate = (100 * recent.approved) / recent.total;
    const baseline = (100 * before.approved) / before.total;
    const drop = pct(baseline - rate);
    const who = kind === 'merchant' ? `merchant ${id}` : `acquirer ${id}`;
    out.push({
      rule: Rules.APPROVAL_RATE,
      severity: 'warning',
      scope: { kind, id },
      merchantIds: kind === 'merchant' ? [id] : input.merchantsOf(id, input.now - c.recentMs),
      level: levelAbove(drop, c.raiseDropPoints, c.clearDropPoints),
      value: drop,
      threshold: c.raiseDropPoints,
      message:
        `Approval rate of ${who} is ${pct(rate)}% over the last ${duration(c.recentMs)} (${recent.total} requests) against ` +
        `${pct(baseline)}% over the ${duration(c.baselineMs)} before (${before.total} requests): down ${drop} points ` +
        `(alert at ${c.raiseDropPoints} points down, clears under ${c.clearDropPoints}).`,
      firstAction:
        kind === 'merchant'
          ? 'Look at the response codes of its recent transactions: 91 or 96 point at the acquirer (see the upstream alerts), 05 or 51 at cards or issuers, 03 or 89 at the terminal setup.'
          : `Look at the acquirer's upstream alerts and its row in GET /acquirers; if its declines are 91 or 96, drain it (POST /acquirers/${id}/drain) so new authorizations go to the next acquirer of their route.`,
    });
  };
  for (const m of input.signals.merchants()) measure('merchant', m);
  for (const a of input.signals.acquirers()) measure('acquirer', a);
  return out;
};

/** Share of an acquirer's requests with no answer (timed out, or not sent because the link was down). */
export const upstreamTimeouts: Rule = (input) => {
  const c = input.config.upstreamTimeouts;
  const out: Reading[] = [];
  for (const id of input.signals.acquirers()) {
    const t = input.signals.tally('acquirer', id, input.now, c.windowMs);
    const down = input.acquirerDown(id);
    if (t.total < c.minSamples) {
      // no traffic to measure (it failed over elsewhere, or stopped): an outage is not over while the link is down
      if (down) out.push(timeoutReading(input, id, t.total === 0 ? 100 : pct((100 * t.failed) / t.total), t.total, 'hold', true));
      continue;
    }
    const rate = pct((100 * t.failed) / t.total);
    const level = levelAbove(rate, c.raisePercent, c.clearPercent);
    out.push(timeoutReading(input, id, rate, t.total, level === 'calm' && down ? 'hold' : level, false));
  }
  return out;
};

function timeoutReading(input: RuleInput, id: string, rate: number, total: number, level: Reading['level'], quiet: boolean): Reading {
  const c = input.config.upstreamTimeouts;
  const measured = quiet
    ? `Acquirer ${id} is unreachable (link down or circuit breaker open) and had ${total} requests in the last ${duration(c.windowMs)}`
      : `${rate}% of the ${total} requests to acquirer ${id} in the last ${duration(c.windowMs)} got no answer (timed out or could not be sent)`;
  return {
    rule: Rules.UPSTREAM_TIMEOUTS,
    severity: 'critical',
    scope: { kind: 'acquirer', id },
    merchantIds: input.merchantsOf(id, input.now - c.windowMs),
    level,
    value: rate,
    threshold: c.raisePercent,
    message: `${measured} (alert at ${c.raisePercent}%, clears under ${c.clearPercent}%).`,
    firstAction: `Check the acquirer link in GET /acquirers and the acquirer's own status; the unanswered sales were answered 91 and their reversals are queued. To send new authorizations elsewhere now: POST /acquirers/${id}/drain.`,
  };
}

/** The acquirer's 95th-percentile reply time. */
export const upstreamLatency: Rule = (input) => {
  const c = input.config.upstreamLatency;
  const out: Reading[] = [];
  for (const id of input.signals.acquirers()) {
    const l = input.signals.latency(id, input.now, c.windowMs);
    if (l.samples < c.minSamples) continue;
    out.push({
      rule: Rules.UPSTREAM_LATENCY,
      severity: 'warning',
      scope: { kind: 'acquirer', id },
      merchantIds: input.merchantsOf(id, input.now - c.windowMs),
      level: levelAbove(l.p95Ms, c.raiseP95Ms, c.clearP95Ms),
      value: l.p95Ms,
      threshold: c.raiseP95Ms,
      message:
        `Acquirer ${id} answers in up to ${l.p95Ms} ms (95th percentile of ${l.samples} replies in the last ${duration(c.windowMs)}; ` +
        `alert at ${c.raiseP95Ms} ms, clears under ${c.clearP95Ms} ms).`,
      firstAction: 'Check the acquirer\'s status and the network path to it; replies that reach the upstream deadline become timeouts, 91 to the terminal and a reversal.',
    });
  }
  return out;
};

/** A merchant's requests against the same time of day on the previous days. */
export const volumeDrop: Rule = (input) => {
  const c = input.config.volume;
  const out: Reading[] = [];
  for (const m of input.signals.merchants()) {
    const v = input.signals.volume(m, input.now);
    if (v.baseline < c.minBaseline) continue;
    const share = pct((100 * v.current) / v.baseline);
    out.push({
      rule: Rules.VOLUME_DROP,
      severity: 'warning',
      scope: { kind: 'merchant', id: m },
      merchantIds: [m],
      level: levelBelow(share, c.raisePercent, c.clearPercent),
      value: share,
      threshold: c.raisePercent,
      message:
        `Merchant ${m} sent ${v.current} requests in the last ${duration(v.windowMs)}, ${share}% of the usual ${pct(v.baseline)} at this time of day ` +
        `(mean of the previous ${c.lookbackDays} days; alert at ${c.raisePercent}% or less, clears over ${c.clearPercent}%).`,
      firstAction: "Check that the merchant's terminals are connected (GET /health, posgw_connected_terminals) and ask the merchant whether the shop is trading as usual.",
    });
  }
  return out;
};
