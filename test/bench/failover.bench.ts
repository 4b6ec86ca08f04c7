// npm run bench:failover: terminals under load, the primary acquirer cut off at a set moment; how fast traffic moves
// to the secondary, how many terminals got 91 meanwhile, and whether anything was charged twice or left unreversed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startGateway } from '../../gateway/app.js';
import type { AcquirerConfig } from '../../gateway/config/types.js';
import { startAcquirer } from '../../terminal-sim/acquirer/index.js';
import { testConfig, waitFor } from '../e2e/stack.js';
import { sale, TestTerminal } from '../e2e/terminal-client.js';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '50' },
    'cut-at': { type: 'string', default: '2000' },
    duration: { type: 'string', default: '6000' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log('npm run bench:failover -- [--terminals 50] [--cut-at 2000] [--duration 6000]   (milliseconds)');
  process.exit(0);
}
const TERMINALS = Number(values.terminals);
const CUT_AT = Number(values['cut-at']);
const DURATION = Number(values.duration);
for (const [name, v] of [['--terminals', TERMINALS], ['--cut-at', CUT_AT], ['--duration', DURATION]] as const) {
  if (!Number.isInteger(v) || v <= 0) throw new TypeError(`"${name}" must be a positive integer`);
}
if (CUT_AT >= DURATION) throw new TypeError('"--cut-at" must come before the end of "--duration"');

const dir = mkdtempSync(join(tmpdir(), 'posgw-failover-bench-'));
const quiet = pino({ level: 'silent' });
const rules = { amountEndings: {}, cards: {}, timings: { slowMs: 100, lateMs: 1000 }, failCode: '96' };
const a = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'a.db'), logger: quiet, rules });
const b = await startAcquirer({ port: 0, httpPort: 0, dbPath: join(dir, 'b.db'), logger: quiet, rules });
const acquirer = (id: string, port: number): AcquirerConfig => ({
  id,
  host: '127.0.0.1',
  port,
  deadlineMs: 1000,
  echoIntervalMs: 30_000,
  acquiringInstitution: '123456',
  reconnect: { initialMs: 50, maxMs: 500, jitter: 0.1 },
  maxFrameSize: 8192,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 2000 },
  drained: false,
});
const base = testConfig(dir, a.port);
const ids = Array.from({ length: TERMINALS }, (_, i) => `T${String(i + 1).padStart(7, '0')}`);
const gw = await startGateway(
  {
    ...base,
    acquirers: [acquirer('primary', a.port), acquirer('secondary', b.port)],
    routing: { rules: [], default: ['primary', 'secondary'] },
    terminals: ids.map((id) => ({ id, merchantId: 'MERCHANT0000001', enabled: true })),
    log: { level: 'silent' },
  },
  { logger: quiet },
);
try {
  await waitFor(() => [...gw.links.values()].every((l) => l.state === 'up'), 5000, 'links up');
  const terminals = await Promise.all(ids.map(() => TestTerminal.connect(gw.ports.listeners.terminals)));
  const started = Date.now();
  let cutAt = 0;
  let switchedAt = 0;
  let during91 = 0;
  let amount = 100_000;
  const timer = setTimeout(() => {
    cutAt = Date.now();
    a.setMode('silent');
  }, CUT_AT);
  // closed loop, bounded by the duration
  await Promise.all(
    terminals.map(async (t, i) => {
      while (Date.now() - started < DURATION) {
        const sentAt = Date.now();
        const res = await t.request(sale(t, { terminalId: ids[i], amount: amount++ * 100 }), 5000).catch(() => undefined);
        if (res === undefined || cutAt === 0) continue;
        if (res.fields[39] === '91') during91++;
        else if (switchedAt === 0 && sentAt >= cutAt && b.ledger({ rrn: res.fields[37] as string }).length === 1) switchedAt = sentAt;
      }
    }),
  );
  clearTimeout(timer);
  terminals.forEach((t) => t.close());
  // the primary comes back; its reversals drain
  a.setMode('normal');
  await waitFor(async () => (await gw.store.safStats()).depth === 0, 30_000, 'reversals delivered');
  const charged = new Map<string, number>();
  for (const row of [...a.ledger(), ...b.ledger()]) if (row.status === 'approved') charged.set(row.rrn, (charged.get(row.rrn) ?? 0) + 1);
  const doubles = [...charged.values()].filter((n) => n > 1).length;
  let unreversed = 0;
  for (const row of a.ledger()) {
    if (row.status !== 'approved') continue;
    const tx = await gw.store.findByRrn(row.rrn);
    if (tx?.state !== 'approved') unreversed++;
  }
  const total = a.ledger().length + b.ledger().length;
  console.log(`  ${TERMINALS} terminals, ${total} authorizations at the acquirers, primary cut off at ${CUT_AT} ms of ${DURATION} ms`);
  const switched = switchedAt === 0 ? 'never' : `${switchedAt - cutAt} ms`;
  console.log(`failover: switched in ${switched}, ${during91} requests answered 91 during the switch, ${doubles} double charges, ${unreversed} unreversed`);
} finally {
  await gw.close();
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
}
