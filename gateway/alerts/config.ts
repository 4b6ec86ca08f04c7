import type { ConfigProblem } from '../config/errors.js';
import { DEFAULT_ALERTS } from '../config/schema.js';
import type { AlertsConfig } from '../config/types.js';

/** The `alerts` section with every default, no webhook: for configs built in code without one. */
export function defaultAlertsConfig(): AlertsConfig {
  const { webhook: _webhook, ...rest } = structuredClone(DEFAULT_ALERTS) as unknown as AlertsConfig & { webhook: unknown };
  return rest;
}

/** Pairs of levels: [section, the raise level, the clear level, whether high values are the bad ones]. */
const LEVELS = [
  ['approvalRate', 'raiseDropPoints', 'clearDropPoints', true],
  ['upstreamTimeouts', 'raisePercent', 'clearPercent', true],
  ['upstreamLatency', 'raiseP95Ms', 'clearP95Ms', true],
  ['volume', 'raisePercent', 'clearPercent', false],
  ['receiptsWithoutCredit', 'raiseCount', 'clearCount', true],
  ['safBacklog', 'raiseAgeMs', 'clearAgeMs', true],
] as const;

/**
 * Cross-checks of the `alerts` section after the schema: a clear level on the far side of its raise level would make
 * an alert clear while its condition still holds.
 */
export function checkAlertsConfig(alerts: unknown, at = 'config.alerts'): ConfigProblem[] {
  if (!isRecord(alerts)) return [];
  const problems: ConfigProblem[] = [];
  for (const [section, raise, clear, high] of LEVELS) {
    const s = alerts[section];
    if (!isRecord(s) || typeof s[raise] !== 'number' || typeof s[clear] !== 'number') continue;
    if (high && s[clear] > s[raise]) problems.push({ path: `${at}.${section}.${clear}`, message: `must be <= ${raise} (${s[raise]})` });
    if (!high && s[clear] < s[raise]) problems.push({ path: `${at}.${section}.${clear}`, message: `must be >= ${raise} (${s[raise]})` });
  }
  return problems;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
