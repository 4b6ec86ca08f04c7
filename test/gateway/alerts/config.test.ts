import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../../gateway/alerts/index.js';
import { parseConfig } from '../../../gateway/config/index.js';
import { configError, minimal } from '../config/helpers.js';

describe('the alerts config section', () => {
  it('defaults every rule on, no webhook; a rule given in part keeps the rest of its defaults', () => {
    expect(parseConfig(minimal()).alerts).toEqual(defaultAlertsConfig());
    const input = minimal();
    input.alerts = { upstreamTimeouts: { enabled: false }, webhook: { url: 'https://chat.example/hooks/1' } };
    const alerts = parseConfig(input).alerts!;
    expect(alerts.upstreamTimeouts).toEqual({ enabled: false, windowMs: 300_000, minSamples: 10, raisePercent: 20, clearPercent: 5 });
    expect(alerts.approvalRate.enabled).toBe(true);
    expect(alerts.webhook).toEqual({ url: 'https://chat.example/hooks/1', timeoutMs: 5_000, retries: 5, backoffMs: 1_000 });
  });

  it('rejects unknown keys, levels the wrong way round and a webhook that is not http(s), naming each', () => {
    const input = minimal();
    input.alerts = {
      approvalRate: { dropPoints: 20 },
      upstreamTimeouts: { raisePercent: 20, clearPercent: 30 },
      volume: { raisePercent: 30, clearPercent: 20 },
      webhook: { url: 'ftp://chat.example/hooks/1' },
    };
    expect(configError(() => parseConfig(input)).problems).toEqual([
      { path: 'config.alerts.approvalRate', message: 'unknown key "dropPoints"' },
      { path: 'config.alerts.webhook.url', message: 'must be an http:// or https:// URL' },
      { path: 'config.alerts.upstreamTimeouts.clearPercent', message: 'must be <= raisePercent (20)' },
      { path: 'config.alerts.volume.clearPercent', message: 'must be >= raisePercent (30)' },
    ]);
  });
});
