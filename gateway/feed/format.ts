/** One readable line per feed message, for `pos-gateway watch`. Amounts as 12.34; card data as the feed gives it (masked). */

/** ISO 4217 numeric codes whose minor unit is not 2 digits (the rest print with 2). */
const MINOR_DIGITS: Readonly<Record<string, number>> = { '392': 0, '410': 0, '704': 0, '048': 3, '368': 3, '400': 3, '414': 3, '434': 3, '512': 3, '788': 3 };

export function money(amount: unknown, currency: unknown): string {
  if (typeof amount !== 'number') return '-';
  const digits = MINOR_DIGITS[String(currency)] ?? 2;
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

interface TotalsLike {
  saleCount?: number;
  saleAmount?: number;
  refundCount?: number;
  refundAmount?: number;
}

function totals(t: unknown): string {
  if (t === null || typeof t !== 'object') return '-';
  const x = t as TotalsLike;
  return `${x.saleCount ?? 0} sales ${money(x.saleAmount, '')} / ${x.refundCount ?? 0} refunds ${money(x.refundAmount, '')}`;
}

const v = (x: unknown): string => (x === null || x === undefined || x === '' ? '-' : String(x));

/** The text of one event's data, by type. */
function describe(event: string, d: Record<string, unknown>): string {
  if (event.startsWith('transaction.')) {
    const parts = [v(d.terminalId), v(d.kind), money(d.amount, d.currency), v(d.currency), v(d.panMasked), `rc ${v(d.responseCode)}`];
    if (d.authCode) parts.push(`auth ${v(d.authCode)}`);
    parts.push(`rrn ${v(d.rrn)}`);
    if (d.reason) parts.push(`reason ${v(d.reason)}`);
    return parts.join(' ');
  }
  if (event === 'batch.closed') {
    return `${v(d.terminalId)} batch ${v(d.batchNo)} ${v(d.status)}: terminal ${totals(d.terminal)}; host ${totals(d.host)}; funded ${totals(d.funded)}`;
  }
  if (event === 'credit.received') {
    return `${v(d.record)} ${money(d.amount, d.currency)} ${v(d.currency)} (net ${money(d.netAmount, d.currency)}) rrn ${v(d.rrn)} report ${v(d.reportId)} line ${v(d.line)}`;
  }
  if (event.startsWith('case.')) {
    return `${v(d.id)} ${v(d.class)} ${v(d.severity)} ${v(d.status)}: ${v(d.explanation)}${d.suggestedAction ? ` -> ${v(d.suggestedAction)}` : ''}`;
  }
  if (event.startsWith('alert.')) {
    return `${v(d.severity)} ${v(d.id)}: ${v(d.message)}${d.firstAction ? ` -> ${v(d.firstAction)}` : ''}`;
  }
  return JSON.stringify(d);
}

/** Lines for one feed message; [] for messages with nothing to show. `showMerchant`: the operator's all-merchants feed. */
export function formatMessage(msg: Record<string, unknown>, showMerchant = false): string[] {
  if (msg.type === 'event') {
    const event = String(msg.event);
    const short = event.replace(/^transaction\./, '');
    const who = showMerchant ? `${v(msg.merchantId)} ` : '';
    return [`${v(msg.at)} #${v(msg.seq)} ${who}${short.padEnd(9)} ${describe(event, (msg.data ?? {}) as Record<string, unknown>)}`];
  }
  if (msg.type === 'snapshot') {
    const scope = msg.scope as { kind?: string; merchantId?: string | null } | undefined;
    const batches = Array.isArray(msg.batches) ? (msg.batches as Record<string, unknown>[]) : [];
    const cases = Array.isArray(msg.cases) ? (msg.cases as Record<string, unknown>[]) : [];
    const alerts = Array.isArray(msg.alerts) ? (msg.alerts as Record<string, unknown>[]) : [];
    const out = [
      `snapshot ${v(msg.at)}: ${scope?.kind ?? '?'} ${scope?.merchantId ?? 'all merchants'}, at #${v(msg.seq)}: ${batches.length} open batches, ${cases.length} open cases, ${alerts.length} alerts`,
    ];
    for (const b of batches) out.push(`  batch ${v(b.terminalId)}/${v(b.batchNo)}: host ${totals(b.host)}; funded ${totals(b.funded)}`);
    for (const c of cases) out.push(`  case ${describe('case.opened', c)}`);
    for (const a of alerts) out.push(`  alert ${describe('alert.raised', a)}`);
    return out;
  }
  return [];
}
