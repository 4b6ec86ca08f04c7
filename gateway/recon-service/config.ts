import type { GatewayConfig } from '../config/types.js';
import { DEFAULT_RECON } from '../config/recon-schema.js';
import type { ReconOptions, SettlementWindow } from '../recon/index.js';

/** The engine's options from the gateway config: each acquirer's window, the local day, the rules. */
export function reconOptionsOf(config: GatewayConfig): ReconOptions {
  const acquirers: Record<string, SettlementWindow> = {};
  for (const a of config.acquirers) {
    acquirers[a.id] = {
      settleAfterDays: a.settlement?.settleAfterDays ?? DEFAULT_RECON.settleAfterDays,
      graceDays: a.settlement?.graceDays ?? DEFAULT_RECON.graceDays,
    };
  }
  const r = config.recon;
  return {
    acquirers,
    utcOffsetMinutes: r?.utcOffsetMinutes ?? DEFAULT_RECON.utcOffsetMinutes,
    batchStaleAfterMs: r?.batchStaleAfterMs ?? DEFAULT_RECON.batchStaleAfterMs,
    rules: {
      duplicateRefund: r?.rules.duplicateRefund ?? false,
      amountTolerance: r?.rules.amountTolerance ?? null,
      lateCreditCloses: r?.rules.lateCreditCloses ?? false,
    },
  };
}
