import { Rules, type Reading, type Rule } from '../reading.js';

/** The journal takes no more writes (a failed sync of its files): no request is forwarded until a restart. */
export const journalFailed: Rule = (input) => {
  const failure = input.store.failure?.();
  if (failure === undefined) return [];
  const reading: Reading = {
    rule: Rules.JOURNAL_FAILED,
    severity: 'critical',
    scope: { kind: 'gateway' },
    merchantIds: [...input.merchants],
    level: 'raise',
    value: 1,
    threshold: 1,
    message: `The journal takes no more writes (${failure.code}): every terminal request is answered 96 without being forwarded.`,
    firstAction:
      'Check the disk that holds the journal (the kernel log names the device), then restart the gateway: recovery reverses every request that was in flight.',
  };
  return [reading];
};

/** The journal's file refuses writes now (disk full, I/O error): requests are answered 96 until it takes them again. */
export const journalWritesFailing: Rule = (input) => {
  const failing = input.journalWrites?.();
  if (failing === undefined) return [];
  const reading: Reading = {
    rule: Rules.JOURNAL_WRITES_FAILING,
    severity: 'critical',
    scope: { kind: 'gateway' },
    merchantIds: [...input.merchants],
    level: 'raise',
    value: failing.failures,
    threshold: 1,
    message: `The journal's file has refused ${failing.failures} write${failing.failures === 1 ? '' : 's'} since ${new Date(failing.since).toISOString()} (${failing.error}): requests are answered 96 without being forwarded.`,
    firstAction: 'Free space on (or repair) the disk that holds the journal: the gateway takes requests again by itself, and reverses what was left in flight.',
  };
  return [reading];
};
