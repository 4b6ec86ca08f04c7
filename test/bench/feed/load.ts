// The purchase load of npm run bench:feed, as its own process: one open-loop driver per merchant (field 42 must be
// the terminal's merchant), all at once. Args: a JSON object {port, merchants: [{id, prefix}], terminalsPerMerchant,
// ratePerMerchant, durationMs, batch}. Prints one JSON summary line on stdout when done.
import { TestCards } from '../../../terminal-sim/device/index.js';
import { runLoad } from '../../../terminal-sim/load/index.js';
import { parseTarget } from '../../../terminal-sim/transport/index.js';

interface Args {
  port: number;
  merchants: { id: string; prefix: string }[];
  terminalsPerMerchant: number;
  ratePerMerchant: number;
  durationMs: number;
  batch: number;
}

const a = JSON.parse(process.argv[2]) as Args;
const summaries = await Promise.all(
  a.merchants.map((m) =>
    runLoad({
      target: parseTarget(`tcp://127.0.0.1:${a.port}`),
      terminals: a.terminalsPerMerchant,
      prefix: m.prefix,
      first: 1,
      merchantId: m.id,
      currency: '840',
      mode: 'open',
      rate: a.ratePerMerchant,
      durationMs: a.durationMs,
      // an amount ending 00: the stub approves it
      amount: 1000,
      card: { ...TestCards.visa },
      emv: false,
      timeoutMs: 5_000,
      connectTimeoutMs: 10_000,
      batch: a.batch,
    }),
  ),
);
const sum = (f: (s: (typeof summaries)[number]) => number): number => summaries.reduce((n, s) => n + f(s), 0);
process.stdout.write(
  JSON.stringify({
    approved: sum((s) => s.approved),
    declined: sum((s) => s.declined),
    timedOut: sum((s) => s.timedOut),
    errors: sum((s) => s.errors),
    notSent: sum((s) => s.notSent),
    connectFailures: sum((s) => s.connectFailures),
    p99: Math.max(...summaries.map((s) => s.latencyMs.p99 ?? 0)),
  }) + '\n',
);
