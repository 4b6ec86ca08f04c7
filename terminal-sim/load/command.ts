import { defineCommand } from '../commands/command.js';
import { currencyOf, linkOf, money, parseTimeout, str } from '../commands/context.js';
import { ExitCodes, UsageError } from '../commands/io.js';
import { linkOptions, type OptionTable } from '../commands/options.js';
import { writeJson } from '../commands/output.js';
import { testCardNamed } from '../device/index.js';
import { parseDuration } from '../faults/index.js';
import { progressLine, renderSummary } from './display.js';
import { loadTerminalIds, runLoad, type LoadOptions } from './driver.js';

const loadOptions: OptionTable = {
  terminals: { type: 'string', arg: 'N', help: 'simulated terminals, one connection each (default 10)' },
  rate: { type: 'string', arg: 'PER_S', help: 'open loop: purchases started per second, whatever the answers do' },
  closed: { type: 'boolean', help: 'closed loop instead: each terminal starts its next purchase when the last is answered' },
  duration: { type: 'string', arg: 'TIME', help: 'stop starting purchases after this long: 60s, 2m, 500ms' },
  count: { type: 'string', arg: 'N', help: 'stop after N purchases (with --duration: whichever comes first)' },
  warmup: { type: 'string', arg: 'TIME', help: 'send purchases this long first without counting them (connections, caches and JIT warm up)' },
  think: { type: 'string', arg: 'TIME', help: "closed loop: a terminal's pause between an answer and its next purchase" },
  prefix: { type: 'string', arg: 'TEXT', help: 'terminal ids are TEXT + a number filling 8 characters (default TERM: TERM0001, TERM0002, ...)' },
  first: { type: 'string', arg: 'N', help: 'number of the first terminal (default 1)' },
  merchant: { type: 'string', arg: 'ID', help: 'merchant id, field 42 (default MERCHANT0000001)' },
  amount: { type: 'string', arg: 'MONEY', help: 'amount of every purchase (default 10.00)' },
  card: { type: 'string', arg: 'NAME', help: 'test card (default visa)' },
  emv: { type: 'string', arg: 'on|off', help: 'chip data in field 55 (default on)' },
  currency: { type: 'string', arg: 'NNN', help: 'ISO 4217 numeric, field 49 (default 840)' },
  batch: { type: 'string', arg: 'N', help: 'batch number, field 60 (default: from the time of day, so reruns are not duplicates)' },
  json: { type: 'boolean', help: 'print the summary as JSON' },
  quiet: { type: 'boolean', help: 'no live progress line' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

const positiveInt = (text: string | undefined, name: string, max: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return n;
};

const duration = (text: string | undefined, name: string): number | undefined => {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text, `--${name}`, { maxMs: 24 * 3_600_000 });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
};

export const loadCommand = defineCommand({
  name: 'load',
  summary: 'load test: many terminals, open or closed loop, live progress, latency summary',
  synopsis: '--target URL (--rate N | --closed) (--duration TIME | --count N) [options]',
  description: `Drives a gateway with many simulated terminals sending purchases (0200, track 2 and chip data, as the device
builds them; a purchase that gets no answer is reversed before that terminal's next one). State is kept in memory:
no journals, receipts or settlement. Open loop (--rate): purchases fall due at a fixed rate and go to an idle
terminal, or wait for one; latency counts from when each was due. Closed loop (--closed): every terminal sends its
next purchase when the last is answered. A progress line (sent, approved, declined, timed out, rate, p50/p99)
refreshes twice a second on a terminal's stderr; a summary with a latency histogram follows.
The gateway must know the terminal ids (--prefix, --first, --terminals).`,
  groups: [['Load', loadOptions], ['Link', linkOptions]],
  exitText: 'Exit codes: 0 every purchase was answered, 1 some timed out, failed or were never sent, 3 error (gateway unreachable), 64 usage error.',
  async action(values, io) {
    const { target, link, tls } = linkOf(values, io);
    const closed = values.closed === true;
    const rate = positiveInt(str(values, 'rate'), 'rate', 1_000_000);
    if (!closed && rate === undefined) throw new UsageError('give --rate N (open loop) or --closed');
    if (closed && rate !== undefined) throw new UsageError('--rate is for the open loop; --closed takes none');
    const durationMs = duration(str(values, 'duration'), 'duration');
    const count = positiveInt(str(values, 'count'), 'count', 100_000_000);
    if (durationMs === undefined && count === undefined) throw new UsageError('give --duration or --count: a load stops by itself');
    const terminals = positiveInt(str(values, 'terminals'), 'terminals', 10_000) ?? 10;
    const prefix = str(values, 'prefix') ?? 'TERM';
    if (!/^[A-Za-z0-9_-]{0,7}$/.test(prefix)) throw new UsageError('--prefix must be up to 7 letters, digits, "-" or "_"');
    const first = positiveInt(str(values, 'first'), 'first', 99_999_999) ?? 1;
    try {
      loadTerminalIds(prefix, first, terminals);
    } catch (e) {
      throw new UsageError(`--prefix, --first and --terminals: ${(e as Error).message}`);
    }
    const merchant = str(values, 'merchant') ?? 'MERCHANT0000001';
    if (!/^[!-~][ -~]{0,14}$/.test(merchant)) throw new UsageError('--merchant must be 1 to 15 printable characters');
    const emv = str(values, 'emv') ?? 'on';
    if (emv !== 'on' && emv !== 'off') throw new UsageError('--emv must be on or off');
    const now = new Date();
    const o: LoadOptions = {
      target,
      link,
      tls,
      terminals,
      prefix,
      first,
      merchantId: merchant,
      currency: currencyOf(values),
      mode: closed ? 'closed' : 'open',
      rate,
      durationMs,
      count,
      amount: money(values, 'amount') ?? 1000,
      card: testCardNamed(str(values, 'card') ?? 'visa'),
      emv: emv === 'on',
      timeoutMs: parseTimeout(str(values, 'timeout')),
      connectTimeoutMs: 10_000,
      batch: positiveInt(str(values, 'batch'), 'batch', 999_999) ?? now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds() + 1,
      thinkMs: duration(str(values, 'think'), 'think'),
      warmupMs: duration(str(values, 'warmup'), 'warmup'),
    };
    const live = values.quiet !== true && (io.stderr as NodeJS.WriteStream).isTTY === true;
    if (live) o.onProgress = (p) => io.stderr.write(`\r\x1b[K${progressLine(p)}`);
    const summary = await runLoad(o);
    if (live) io.stderr.write('\n');
    if (values.json === true) writeJson(io, summary);
    else io.stdout.write(renderSummary(summary));
    return summary.timedOut + summary.errors + summary.notSent > 0 ? ExitCodes.declined : ExitCodes.approved;
  },
});
