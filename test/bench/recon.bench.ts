// npm run bench:recon: one settlement day of a million card sales (receipts, journal entries, credits, batches) with
// 0.1% of each fault injected, reconciled as a full run: every record in (streamed in chunks, as rows come out of a
// store), then one advance. Prints the rate, the cases, the peak RSS, and whether every injected fault was found and
// nothing else was flagged.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Reconciler } from '../../gateway/recon/index.js';
import { DAY_NOW, DAY_OPTIONS, dayChunks, type Injected } from '../gateway/recon/day.js';

const GOAL = { seconds: 10, rssMb: 1024 } as const;

const { values } = parseArgs({
  options: { transactions: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
  allowPositionals: false,
});
if (values.help) {
  console.log(`npm run bench:recon -- [--transactions N] [--rate R]

  --transactions N  sales in the day (default 1000000)
  --rate R          share of sales given each fault, and of batches each batch fault (default 0.001)`);
  process.exit(0);
}
const transactions = Number(values.transactions ?? 1_000_000);
const rate = Number(values.rate ?? 0.001);
if (!Number.isSafeInteger(transactions) || transactions < 1) throw new TypeError('"--transactions" must be a positive whole number');
if (!(rate > 0 && rate <= 0.1)) throw new TypeError('"--rate" must be above 0 and at most 0.1');

const injected: Injected[] = [];
const recon = new Reconciler(DAY_OPTIONS);
let records = 0;
let engineMs = 0;
let generateMs = 0;
let cpuUs = 0;
let mark = performance.now();
for (const chunk of dayChunks({ transactions, faultRate: rate }, injected)) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  generateMs += t0 - mark;
  recon.addJournal(chunk.journal);
  recon.addReceipts(chunk.receipts);
  recon.addCredits(chunk.credits);
  recon.addBatches(chunk.batches);
  records += chunk.journal.length + chunk.receipts.length + chunk.credits.length + chunk.batches.length;
  const cpu = process.cpuUsage(cpu0);
  cpuUs += cpu.user + cpu.system;
  mark = performance.now();
  engineMs += mark - t0;
}
const t1 = performance.now();
const cpu1 = process.cpuUsage();
recon.advance(DAY_NOW);
const cases = recon.cases();
const advanceMs = performance.now() - t1;
const cpu = process.cpuUsage(cpu1);
cpuUs += cpu.user + cpu.system;
engineMs += advanceMs;
const peakMb = process.resourceUsage().maxRSS / 1024;
const seconds = engineMs / 1000;

const counts = recon.counts;
console.log(`day: ${counts.journal} journal entries, ${counts.receipts} receipts, ${counts.credits} credits, ${counts.batches} batches (generated in ${(generateMs / 1000).toFixed(2)} s, not counted)`);
const byId = new Map(cases.map((c) => [c.id, c]));
const missed = injected.filter((f) => byId.get(f.caseId)?.class !== f.class);
const expectedIds = new Set(injected.map((f) => f.caseId));
const extra = cases.filter((c) => !expectedIds.has(c.id));
const tally = (items: Iterable<string>): string => {
  const m = new Map<string, number>();
  for (const k of items) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].map(([k, n]) => `${k} ${n}`).join(', ');
};
console.log(`injected: ${tally(injected.map((f) => f.fault))}`);
console.log(`cases: ${tally(cases.map((c) => c.class))}`);
for (const f of missed.slice(0, 5)) console.log(`missed: ${f.fault} ${f.caseId} (found ${byId.get(f.caseId)?.class ?? 'nothing'})`);
for (const c of extra.slice(0, 5)) console.log(`not injected: ${c.class} ${c.id}: ${c.explanation}`);
console.log(`reconciled ${records} records in ${seconds.toFixed(2)} s, ${(cpuUs / 1e6).toFixed(2)} s of CPU (adding ${((engineMs - advanceMs) / 1000).toFixed(2)} s, advance ${(advanceMs / 1000).toFixed(2)} s; goal ${GOAL.seconds} s), peak RSS ${peakMb.toFixed(0)} MB (goal ${GOAL.rssMb} MB)`);
const ok = missed.length === 0 && extra.length === 0;
console.log(`recon: ${Math.round(records / seconds)} records/s, ${cases.length} cases, peak RSS ${peakMb.toFixed(0)} MB, all injected faults found: ${ok ? 'yes' : 'no'}`);
if (!ok || seconds > GOAL.seconds || peakMb > GOAL.rssMb) process.exitCode = 1;
