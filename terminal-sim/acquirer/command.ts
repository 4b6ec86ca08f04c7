import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { pino, type Level } from 'pino';
import { defaults } from './options.js';
import { RulesError } from './rules.js';
import { FaultsError, parseFaults } from './settlement/faults.js';
import { startAcquirer, type AcquirerStub } from './stub.js';

export const ExitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Where a command writes and what stops it; the CLI passes the process's, tests their own. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Stops a long-running command; without it, SIGINT and SIGTERM do. */
  signal?: AbortSignal;
  /** Called once the stub listens (tests use it to learn the ports). */
  onStarted?: (stub: AcquirerStub) => void;
}

const DEFAULT_DB = 'acquirer-ledger.db';
const DEFAULT_REPORTS_DIR = 'settlement-reports';
const PAN_KEY_ENV = 'ACQUIRER_PAN_KEY';

const usage = `terminal-sim acquirer [options]

Runs the acquirer stub: the host link (TCP, 2-byte length + ISO 8583:1987 ASCII) and its HTTP control API.
Logs are JSON lines on standard output; card data is never logged beyond a masked PAN.

  --host HOST            interface both servers bind to (default ${defaults.host})
  --port PORT            host link port, 0 for any free port (default ${defaults.port})
  --http-port PORT       control API port, 0 for any free port (default ${defaults.httpPort})
  --db PATH              the ledger's SQLite file (default ./${DEFAULT_DB})
  --rules FILE           decision rules as JSON (default: the built-in rules, see rules.example.json)
  --latency MS           delay added to every answer (default 0)
  --max-frame-size N     largest frame accepted (default ${defaults.maxFrameSize})
  --log-level LEVEL      fatal, error, warn, info, debug or trace (default info)
  -h, --help             this help

Settlement (the acquirer pays: CSV reports, also served at GET /settlement/reports):
  --acquirer-id ID       acquirer_id in reports and the start of each report_id (default ${defaults.acquirerId})
  --reports-dir DIR      where reports are written as <report_id>.csv (default ./${DEFAULT_REPORTS_DIR})
  --cutover HH:MM|off    daily cutover, UTC; off: only POST /settlement/cutover (default ${defaults.cutover})
  --settle-after-days N  settlement lag: approved on day T, paid at the cutover of day T+N (default ${defaults.settleAfterDays})
  --fee-bps N            fee per credit in basis points, rounded half up (default ${defaults.feeBasisPoints}, i.e. 1.5%)
  --fee-fixed N          fixed fee per credit in minor units (default ${defaults.feeFixed})

Settlement faults, each RATE (0 to 1, a seeded draw per credit) or RRN[,RRN...] (repeat the flag for both):
  --fault-omit X         leave the credit out of every report
  --fault-wrong-amount X credit amount + delta (--fault-delta N, default 100; a negative one as --fault-delta=-9)
  --fault-duplicate X    credit it twice in the same report
  --fault-late X         pay it --fault-late-days N settlement dates late (default 1)
  --fault-phantom X      add a credit never authorized (RRNs: the made-up RRNs to pay); for whom:
                         --fault-phantom-merchant ID, --fault-phantom-terminal ID, --fault-phantom-amount N
  --fault-seed N         seeds the rate draws: the same seed and ledger give the same faults (default ${defaults.faultSeed})

Environment: ${PAN_KEY_ENV}, the key (16 characters or more) of the HMAC-SHA256 stored instead of PANs; without it a
random key is used and hashes do not survive a restart.

Exit codes: 0 stopped by SIGINT/SIGTERM; 1 could not start (rules file, port, database); 2 usage error.`;

const options = {
  host: { type: 'string' },
  port: { type: 'string' },
  'http-port': { type: 'string' },
  db: { type: 'string' },
  rules: { type: 'string' },
  latency: { type: 'string' },
  'max-frame-size': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  'acquirer-id': { type: 'string' },
  'reports-dir': { type: 'string' },
  cutover: { type: 'string' },
  'settle-after-days': { type: 'string' },
  'fee-bps': { type: 'string' },
  'fee-fixed': { type: 'string' },
  'fault-omit': { type: 'string', multiple: true },
  'fault-wrong-amount': { type: 'string', multiple: true },
  'fault-delta': { type: 'string' },
  'fault-duplicate': { type: 'string', multiple: true },
  'fault-late': { type: 'string', multiple: true },
  'fault-late-days': { type: 'string' },
  'fault-phantom': { type: 'string', multiple: true },
  'fault-phantom-merchant': { type: 'string' },
  'fault-phantom-terminal': { type: 'string' },
  'fault-phantom-amount': { type: 'string' },
  'fault-seed': { type: 'string' },
} as const;

const FAULT_FLAGS = {
  omit: 'fault-omit',
  wrongAmount: 'fault-wrong-amount',
  duplicate: 'fault-duplicate',
  late: 'fault-late',
  phantom: 'fault-phantom',
} as const;
const RATE = /^(0|1|0?\.\d+|1\.0+)$/;

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

class UsageError extends Error {}

export const acquirerCommand = {
  summary: 'run the acquirer stub (host link on TCP, ledger, HTTP control API)',
  usage,
  async run(args: string[], io: CommandIo = processIo()): Promise<number> {
    const err = (line: string) => io.stderr.write(`terminal-sim acquirer: ${line}\n`);
    let values: ReturnType<typeof parse>;
    try {
      values = parse(args);
    } catch (e) {
      if (!(e instanceof UsageError) && !(e instanceof TypeError)) throw e;
      err(`${e.message}\n\n${usage}`);
      return ExitCodes.usage;
    }
    if (values === 'help') {
      io.stdout.write(usage + '\n');
      return ExitCodes.ok;
    }
    const panKey = io.env[PAN_KEY_ENV];
    if (panKey !== undefined && panKey.length < 16) {
      err(`${PAN_KEY_ENV} must be at least 16 characters`);
      return ExitCodes.usage;
    }
    const logger = pino({ level: values.logLevel, base: { service: 'acquirer-stub' } }, io.stdout);
    // Listening for the stop signal before starting: a SIGTERM during start-up still closes the ledger cleanly.
    const stop = stopped(io.signal);
    let stub: AcquirerStub;
    try {
      stub = await startAcquirer({ ...values.start, panKey, logger });
    } catch (e) {
      const why = e instanceof RulesError ? `rules: ${e.message}` : (e as Error).message;
      logger.fatal({ event: 'start_failed', error: why });
      err(`could not start: ${why}`);
      stop.cancel();
      return ExitCodes.failed;
    }
    io.onStarted?.(stub);
    await stop.done;
    await stub.close();
    return ExitCodes.ok;
  },
};

function parse(args: string[]) {
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  if (values.help) return 'help' as const;
  const logLevel = (values['log-level'] ?? 'info') as Level;
  if (!LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
  return {
    logLevel,
    start: {
      host: values.host ?? defaults.host,
      port: integer(values.port, '--port', defaults.port, 65535),
      httpPort: integer(values['http-port'], '--http-port', defaults.httpPort, 65535),
      dbPath: values.db ?? DEFAULT_DB,
      rulesFile: values.rules,
      latencyMs: integer(values.latency, '--latency', 0, 600_000),
      maxFrameSize: integer(values['max-frame-size'], '--max-frame-size', defaults.maxFrameSize, 65535),
      acquirerId: values['acquirer-id'] ?? defaults.acquirerId,
      reportsDir: values['reports-dir'] ?? DEFAULT_REPORTS_DIR,
      cutover: cutoverOf(values.cutover),
      settleAfterDays: integer(values['settle-after-days'], '--settle-after-days', defaults.settleAfterDays, 30),
      feeBasisPoints: integer(values['fee-bps'], '--fee-bps', defaults.feeBasisPoints, 10_000),
      feeFixed: integer(values['fee-fixed'], '--fee-fixed', defaults.feeFixed, 1_000_000_000),
      faultSeed: integer(values['fault-seed'], '--fault-seed', defaults.faultSeed, 0xffffffff),
      faults: faultsOf(values),
    },
  };
}

function cutoverOf(v: string | undefined): string | null {
  if (v === 'off') return null;
  if (v !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) throw new UsageError('--cutover must be HH:MM (UTC, 00:00 to 23:59) or off');
  return v ?? defaults.cutover;
}

/** The --fault-* flags as the faults object setSettlementFaults() takes, checked here so a typo is a usage error. */
function faultsOf(values: Readonly<Record<string, string | boolean | string[] | undefined>>) {
  const faults: Record<string, Record<string, unknown>> = {};
  const kind = (k: keyof typeof FAULT_FLAGS) => (faults[k] ??= {});
  for (const [k, flag] of Object.entries(FAULT_FLAGS) as [keyof typeof FAULT_FLAGS, string][]) {
    for (const v of (values[flag] as string[] | undefined) ?? []) {
      const target = kind(k);
      if (RATE.test(v)) {
        if (target.rate !== undefined) throw new UsageError(`--${flag} has two rates`);
        target.rate = Number(v);
      } else {
        target.rrns = [...((target.rrns as string[] | undefined) ?? []), ...v.split(',')];
      }
    }
  }
  const delta = values['fault-delta'] as string | undefined;
  if (delta !== undefined) {
    if (!/^-?\d{1,12}$/.test(delta)) throw new UsageError('--fault-delta must be an integer (minor units, may be negative)');
    kind('wrongAmount').delta = Number(delta);
  }
  if (values['fault-late-days'] !== undefined) kind('late').days = integer(values['fault-late-days'] as string, '--fault-late-days', 1, 30);
  if (values['fault-phantom-merchant'] !== undefined) kind('phantom').merchantId = values['fault-phantom-merchant'];
  if (values['fault-phantom-terminal'] !== undefined) kind('phantom').terminalId = values['fault-phantom-terminal'];
  if (values['fault-phantom-amount'] !== undefined) {
    kind('phantom').amount = integer(values['fault-phantom-amount'] as string, '--fault-phantom-amount', 1, 999_999_999_999);
  }
  try {
    parseFaults(faults);
  } catch (e) {
    if (e instanceof FaultsError) throw new UsageError(`settlement faults: ${e.message}`);
    throw e;
  }
  return faults;
}

function integer(v: string | undefined, option: string, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) > max) throw new UsageError(`${option} must be an integer from 0 to ${max}`);
  return Number(v);
}

/** Resolves `done` on the abort signal, or else on SIGINT/SIGTERM; `cancel` removes the signal handlers. */
function stopped(signal: AbortSignal | undefined): { done: Promise<void>; cancel: () => void } {
  if (signal !== undefined) {
    return { done: signal.aborted ? Promise.resolve() : once(signal, 'abort').then(() => undefined), cancel: () => {} };
  }
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  const cancel = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const stop = () => {
    cancel();
    resolve();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { done, cancel };
}

function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
