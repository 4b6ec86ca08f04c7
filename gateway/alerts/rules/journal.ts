import { Rules, type Reading, type Rule, type RuleInput } from '../reading.js';

/** A journal that cannot take requests concerns every merchant: a gateway-wide critical reading, raised while it lasts. */
function gatewayWide(input: RuleInput, rule: Reading['rule'], value: number, message: string, firstAction: string): Reading[] {
  return [{ rule, severity: 'critical', scope: { kind: 'gateway' }, merchantIds: [...input.merchants], level: 'raise', value, threshold: 1, message, firstAction }];
}

/** The journal takes no more writes (a failed sync of its files): no request is forwarded until a restart. */
export const journalFailed: Rule = (input) => {
  const failure = input.store.failure?.();
  if (failure === undefined) return [];
  return gatewayWide(
    input,
    Rules.JOURNAL_FAILED,
    1,
    `The journal takes no more writes (${failure.code}): every terminal request is answered 96 without being forwarded.`,
    'Check the disk that holds the journal (the kernel log names the device), then restart the gateway: recovery reverses every request that was in flight.',
  );
};

/** The journal's file refuses writes now (disk full, I/O error): requests are answered 96 until it takes them again. */
export const journalWritesFailing: Rule = (input) => {
  const failing = input.journalWrites?.();
  if (failing === undefined) return [];
  return gatewayWide(
    input,
    Rules.JOURNAL_WRITES_FAILING,
    failing.failures,
    `The journal's file has refused ${failing.failures} write${failing.failures === 1 ? '' : 's'} since ${new Date(failing.since).toISOString()} (${failing.error}): requests are answered 96 without being forwarded.`,
    'Free space on (or repair) the disk that holds the journal: the gateway takes requests again by itself, and reverses what was left in flight.',
  );
};
