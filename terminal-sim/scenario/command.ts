import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startAcquirer, type AcquirerStub } from '../acquirer/index.js';
import { defineCommand } from '../commands/command.js';
import { dataKeyOf, linkOf, parseTimeout, str } from '../commands/context.js';
import { CommandFailure, ExitCodes, UsageError, type CommandIo } from '../commands/io.js';
import { DEFAULT_DATA_DIR, linkOptions, type OptionTable } from '../commands/options.js';
import { writeJson } from '../commands/output.js';
import { AcquirerAccessError, httpAcquirer, localAcquirer, type AcquirerAccess } from './acquirer.js';
import { ScenarioError } from './read.js';
import { renderReport, stepLine } from './report.js';
import { runScenario, ScenarioRunError, type ScenarioReport } from './runner.js';
import { parseScenario, type Scenario } from './schema.js';

const scenarioOptions: OptionTable = {
  'acquirer-url': { type: 'string', arg: 'URL', help: "the acquirer stub's control API, e.g. http://127.0.0.1:9101 (or the file's acquirerUrl)" },
  'acquirer-port': { type: 'string', arg: 'PORT', help: 'instead: start a stub here, on this host-link port, and wait for the gateway to connect to it' },
  'data-dir': { type: 'string', arg: 'DIR', help: `where the terminals' journals live (default ${DEFAULT_DATA_DIR})` },
  'data-key-file': { type: 'string', arg: 'FILE', help: 'the key card data is sealed under in the journals (or $TERMINAL_SIM_DATA_KEY)' },
  seed: { type: 'string', arg: 'N', help: "seed of the random mix (default the file's seed)" },
  report: { type: 'string', arg: 'FILE', help: 'also write the report there: JSON if FILE ends in .json, else text' },
  json: { type: 'boolean', help: 'print the report as JSON instead of text' },
  quiet: { type: 'boolean', help: 'no step lines on stderr while it runs' },
  'fail-on-complaints': { type: 'boolean', help: 'exit 1 when a receipt printed APPROVED is not charged (for CI)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

const link: OptionTable = { ...linkOptions, timeout: { ...linkOptions.timeout, help: "overrides every terminal's reply timeout: 30, 2.5, 500ms" } };

export const scenarioCommand = defineCommand({
  name: 'scenario',
  summary: 'run a day of several terminals from a scenario file, then report what a merchant would call about',
  synopsis: 'FILE|NAME [--target URL] [--acquirer-url URL] [--report FILE] [--json]',
  positionals: 1,
  description: `Runs a scenario: terminals, a sequence (or a seeded random mix) of transactions, faults at chosen points, changes to
the acquirer stub, settlement. Then reports what each terminal printed, what it believes its batch holds, and which
receipts a merchant would call about: printed APPROVED while the acquirer's ledger shows them reversed or never
received them, or (after a settlement cutover step) charged but never credited in its settlement reports. FILE is a JSON scenario file, or NAME one of the shipped scenarios: ${shippedNames().join(', ')}.
The format is in README.md ("Scenarios"); unknown keys are errors naming the key.`,
  groups: [['Scenario', scenarioOptions], ['Link', link]],
  exitText: 'Exit codes: 0 the day ran (1 with --fail-on-complaints when a merchant would call), 3 error (gateway or stub unreachable), 64 usage or scenario file error.',
  async action(values, io) {
    const positional = values._;
    const file = Array.isArray(positional) ? positional[0] : undefined;
    if (file === undefined) throw new UsageError('name a scenario FILE (or one of: ' + shippedNames().join(', ') + ')');
    const scenario = loadScenario(file, io.cwd);
    const target = str(values, 'target') ?? scenario.target;
    if (target === undefined) throw new UsageError('--target is required (the scenario file names none)');
    const { target: t, link: l, tls } = linkOf({ ...values, target }, io);
    const seedText = str(values, 'seed');
    if (seedText !== undefined && !/^\d{1,10}$/.test(seedText)) throw new UsageError('--seed must be a non-negative integer');
    const acquirerUrl = str(values, 'acquirer-url') ?? scenario.acquirerUrl;
    const portText = str(values, 'acquirer-port');
    if (portText !== undefined && str(values, 'acquirer-url') !== undefined) throw new UsageError('give --acquirer-url or --acquirer-port, not both');
    let stub: AcquirerStub | undefined;
    let acquirer: AcquirerAccess | undefined;
    try {
      if (portText !== undefined) {
        stub = await startOwnStub(portText, io, values.quiet === true);
        acquirer = localAcquirer(stub);
      } else if (acquirerUrl !== undefined) {
        acquirer = httpAcquirer(acquirerUrl);
      }
      const report = await runScenario(scenario, {
        target: t,
        link: l,
        tls,
        acquirer,
        dataDir: resolve(io.cwd, str(values, 'data-dir') ?? DEFAULT_DATA_DIR),
        dataKey: dataKeyOf(values, io),
        seed: seedText === undefined ? undefined : Number(seedText),
        timeoutMs: str(values, 'timeout') === undefined ? undefined : parseTimeout(str(values, 'timeout')),
        onStep: values.quiet === true ? undefined : (r) => io.stderr.write(stepLine(r) + '\n'),
      });
      emit(report, values.json === true, str(values, 'report'), io);
      return values['fail-on-complaints'] === true && report.complaints.length > 0 ? ExitCodes.declined : ExitCodes.approved;
    } catch (e) {
      if (e instanceof ScenarioRunError || e instanceof AcquirerAccessError) throw new CommandFailure(e.message);
      throw e;
    } finally {
      await stub?.close();
    }
  },
});

function emit(report: ScenarioReport, json: boolean, reportFile: string | undefined, io: CommandIo): void {
  if (json) writeJson(io, report);
  else io.stdout.write(renderReport(report));
  if (reportFile === undefined) return;
  const path = resolve(io.cwd, reportFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, path.endsWith('.json') ? JSON.stringify(report, null, 2) + '\n' : renderReport(report));
}

/** The shipped scenarios, from the source tree or next to the built files. */
function shippedDir(): string | undefined {
  for (const rel of ['../scenarios/', '../../../terminal-sim/scenarios/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(resolve(dir, 'happy-day.json'))) return dir;
  }
  return undefined;
}

function shippedNames(): string[] {
  return ['happy-day', 'approved-but-not-paid', 'duplicate-storm', 'acquirer-outage'];
}

/** Reads and validates a scenario file (or a shipped one by name); errors name the file and the key. */
export function loadScenario(file: string, cwd: string): Scenario {
  let path = resolve(cwd, file);
  const dir = shippedDir();
  if (!existsSync(path) && /^[\w-]+$/.test(file) && dir !== undefined && existsSync(resolve(dir, `${file}.json`))) path = resolve(dir, `${file}.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the scenario ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

async function startOwnStub(portText: string, io: CommandIo, quiet: boolean): Promise<AcquirerStub> {
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new UsageError('--acquirer-port must be a port from 1 to 65535');
  let stub: AcquirerStub;
  try {
    // settles the day's approvals at a forced cutover, so a settlement step can check today's credits
    stub = await startAcquirer({ port, httpPort: 0, settleAfterDays: 0, logger: pino({ level: 'silent' }) });
  } catch (e) {
    throw new CommandFailure(`cannot start the acquirer stub on port ${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!quiet) io.stderr.write(`acquirer stub on port ${stub.port} (control API ${stub.url}); waiting for the gateway to connect\n`);
  const end = Date.now() + 15_000;
  while (stub.state().connections === 0) {
    if (Date.now() > end) {
      await stub.close();
      throw new CommandFailure(`the gateway did not connect to the acquirer stub on port ${port} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return stub;
}
