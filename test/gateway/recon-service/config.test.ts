import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../gateway/config/index.js';
import { reconOptionsOf } from '../../../gateway/recon-service/config.js';
import { Reconciler } from '../../../gateway/recon/index.js';
import { configError, minimal } from '../config/helpers.js';

describe('recon config', () => {
  it('gives the engine each acquirer window, the local day, the stale age and the rules', () => {
    const input = minimal();
    input.acquirers[0].settlement = { settleAfterDays: 2, graceDays: 3, fetch: { url: 'http://127.0.0.1:8081', at: '06:30', token: 'secret-token' } };
    input.acquirers.push({ id: 'amex', host: 'amex.test', port: 5001 });
    input.recon = { utcOffsetMinutes: 120, batchStaleAfterMs: 3_600_000, rules: { duplicateRefund: true, amountTolerance: 5, lateCreditCloses: true } };
    const config = parseConfig(input);
    expect(config.acquirers[0].settlement).toEqual({ settleAfterDays: 2, graceDays: 3, fetch: { url: 'http://127.0.0.1:8081', at: '06:30', token: 'secret-token' } });
    expect(config.recon?.fetch).toEqual({ pollMs: 1000, timeoutMs: 30000, retryInitialMs: 60000, retryMaxMs: 3600000 });
    const options = reconOptionsOf(config);
    expect(options).toEqual({
      acquirers: { 'visa-a': { settleAfterDays: 2, graceDays: 3 }, amex: { settleAfterDays: 1, graceDays: 1 } },
      utcOffsetMinutes: 120,
      batchStaleAfterMs: 3_600_000,
      rules: { duplicateRefund: true, amountTolerance: 5, lateCreditCloses: true },
    });
    // the engine accepts them as they are
    expect(() => new Reconciler(options)).not.toThrow();
  });

  it('turns the tolerance rule off when no tolerance is given', () => {
    expect(reconOptionsOf(parseConfig(minimal())).rules).toEqual({ duplicateRefund: false, amountTolerance: null, lateCreditCloses: false });
  });

  it('rejects unknown keys and bad values, naming them', () => {
    const input = minimal();
    input.acquirers[0].settlement = { settleAfterDay: 1, graceDays: -1, fetch: { url: 'ftp://x', at: '24:00' } };
    input.recon = { rules: { refundDuplicates: true, amountTolerance: 1.5 }, utcOffsetMinutes: 900, fetch: { retryInitialMs: 5000, retryMaxMs: 1000 } };
    const problems = configError(() => parseConfig(input)).problems;
    expect(problems).toEqual(expect.arrayContaining([
      { path: 'config.acquirers[0].settlement', message: 'unknown key "settleAfterDay"' },
      { path: 'config.acquirers[0].settlement.graceDays', message: 'must be >= 0' },
      { path: 'config.acquirers[0].settlement.fetch.url', message: 'must be an http:// or https:// URL' },
      { path: 'config.acquirers[0].settlement.fetch.at', message: 'must be a time HH:MM, 00:00 to 23:59' },
      { path: 'config.recon.rules', message: 'unknown key "refundDuplicates"' },
      { path: 'config.recon.rules.amountTolerance', message: 'must be an integer' },
      { path: 'config.recon.utcOffsetMinutes', message: 'must be <= 840' },
      { path: 'config.recon.fetch.retryMaxMs', message: 'must be >= retryInitialMs (5000)' },
    ]));
    expect(problems).toHaveLength(8);
  });
});
