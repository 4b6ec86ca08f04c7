import { duration, levelAbove, Rules, type Reading, type Rule } from '../reading.js';

/** Open RECEIPT_WITHOUT_CREDIT cases per merchant: printed approved, never paid. */
export const receiptsWithoutCredit: Rule = async (input) => {
  if (input.receiptsWithoutCredit === undefined) return [];
  const c = input.config.receiptsWithoutCredit;
  const counts = new Map<string, number>();
  for (const k of await input.receiptsWithoutCredit()) {
    if (k.merchantId !== null) counts.set(k.merchantId, (counts.get(k.merchantId) ?? 0) + 1);
  }
  return [...counts].map(([m, n]): Reading => ({
    rule: Rules.RECEIPTS_WITHOUT_CREDIT,
    severity: 'critical',
    scope: { kind: 'merchant', id: m },
    merchantIds: [m],
    level: levelAbove(n, c.raiseCount, c.clearCount),
    value: n,
    threshold: c.raiseCount,
    message: `Merchant ${m} has ${n} approved receipt${n === 1 ? '' : 's'} with no settlement credit after the settlement window and grace (alert at ${c.raiseCount}).`,
    firstAction: 'Open the receipt-without-credit cases (dashboard, or /recon/cases) and claim each missing credit from the acquirer by its RRN and auth code.',
  }));
};

/** Age of the oldest reversal waiting in each acquirer's store-and-forward queue. */
export const safBacklog: Rule = async (input) => {
  const c = input.config.safBacklog;
  const stats = await input.store.safStats();
  // the cheap question first: nothing old enough anywhere, and nothing to clear
  if (stats.oldestCreatedAt === null || (input.now - stats.oldestCreatedAt < c.clearAgeMs && !input.anyActive(Rules.SAF_BACKLOG))) return [];
  const oldest = new Map<string, { at: number; depth: number }>();
  for (const item of await input.store.pendingSaf()) {
    const o = oldest.get(item.acquirerId);
    oldest.set(item.acquirerId, { at: Math.min(o?.at ?? item.createdAt, item.createdAt), depth: (o?.depth ?? 0) + 1 });
  }
  return [...oldest].map(([id, o]): Reading => {
    const age = Math.max(0, input.now - o.at);
    return {
      rule: Rules.SAF_BACKLOG,
      severity: 'warning',
      scope: { kind: 'acquirer', id },
      merchantIds: input.merchantsOf(id, o.at),
      level: levelAbove(age, c.raiseAgeMs, c.clearAgeMs),
      value: age,
      threshold: c.raiseAgeMs,
      message:
        `${o.depth} reversal${o.depth === 1 ? '' : 's'} waiting for acquirer ${id}, the oldest for ${duration(age)} ` +
        `(alert at ${duration(c.raiseAgeMs)}, clears under ${duration(c.clearAgeMs)}).`,
      firstAction: `Check the acquirer link in GET /acquirers: the queue retries on its own while the link is up; a reversal still undelivered after saf.expireAfterMs is abandoned and becomes a REVERSAL_ABANDONED case.`,
    };
  });
};

/** Age of each terminal's oldest open batch. */
export const openBatch: Rule = async (input) => {
  const c = input.config.openBatch;
  const oldest = new Map<string, { batchNo: string; merchantId: string; openedAt: number }>();
  for (const b of await input.store.openBatches()) {
    const o = oldest.get(b.terminalId);
    if (o === undefined || b.openedAt < o.openedAt) oldest.set(b.terminalId, b);
  }
  return [...oldest].map(([terminalId, b]): Reading => {
    const age = Math.max(0, input.now - b.openedAt);
    return {
      rule: Rules.OPEN_BATCH,
      severity: 'warning',
      scope: { kind: 'terminal', id: terminalId },
      merchantIds: [b.merchantId],
      // an open batch only gets older: the alert clears when the batch closes
      level: age >= c.raiseAgeMs ? 'raise' : 'calm',
      value: age,
      threshold: c.raiseAgeMs,
      message: `Batch ${b.batchNo} of terminal ${terminalId} has been open for ${duration(age)} (alert at ${duration(c.raiseAgeMs)}).`,
      firstAction: 'Run the settlement (end of day) on the terminal: sales in a batch that never closes are not paid, and their authorizations expire.',
    };
  });
};
