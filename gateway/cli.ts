#!/usr/bin/env node
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reachable, startGateway, storeFor, type RunningGateway } from './app.js';
import { CONFIG_FLAGS, configFlagsHelp, isConfigError, loadConfig, overridesFromFlags } from './config/index.js';
import { watch } from './feed/watch.js';
import { importSettlement } from './settlement/import.js';
import { ReportError } from './settlement/report.js';
import { JournalError, JournalErrorCodes } from './store/errors.js';
import { JournalOwner } from './store/owner.js';

const ExitCodes = { ok: 0, failed: 1, usage: 2 } as const;

const DEMO_CONFIG = fileURLToPath(new URL('../../gateway/config/demo.json', import.meta.url));
const STUB_CLI = fileURLToPath(new URL('../terminal-sim/cli.js', import.meta.url));

const usage = `pos-gateway [run] --config FILE [options]
pos-gateway demo
pos-gateway acquirers [--url URL]
pos-gateway drain|resume ACQUIRER [--url URL] [--token TOKEN]
pos-gateway import-settlement FILE --config FILE [--token TOKEN]
pos-gateway watch --url ws://HOST:PORT/feed --token TOKEN [--since N] [--merchant ID] [--json]

Commands:
  run        run the gateway with a JSON config file (the default command)
  demo       run the acquirer stub and the gateway together with the demo config (a merchant, three terminals)
  acquirers  list each acquirer of a running gateway: link, breaker, latency, timeout rate, reversal queue, drain
  drain      stop new authorizations to an acquirer ahead of a maintenance window (reversals still go to it)
  resume     let new authorizations go to a drained acquirer again
  import-settlement
             import an acquirer's settlement report (CSV) into the journal; the same report twice changes nothing,
             a malformed one is refused with its line and column and nothing of it is imported; while a gateway
             runs on the journal, through its HTTP API (with the admin token)
  watch      follow a running gateway's settlement feed (docs/websocket-feed.md), one line per event; reconnects
             with the last number seen when the connection drops; exits 0 on Ctrl-C, 1 when the token is refused

Options:
  --config FILE             the JSON config file (see README, "Configuration")
  --url URL                 the running gateway's HTTP address (default http://127.0.0.1:8080)
  --token TOKEN             the admin token (http.adminToken), for drain and resume, and for import-settlement
                            through a running gateway (default: the config's); for watch, a merchant's apiToken
                            or the admin token (every merchant)
  --since N                 watch: replay the events after number N (a merchant's seq; the operator's global id)
  --merchant ID             watch with the admin token: this merchant's feed only
  --json                    watch: print the feed's messages as they come, one JSON per line
${configFlagsHelp()}
  -h, --help                this help

Exit codes: 0 stopped by a signal, 1 could not start (config, ports, store), 2 usage error.`;

class UsageError extends Error {}

const COMMANDS = ['run', 'demo', 'acquirers', 'drain', 'resume', 'import-settlement', 'watch'] as const;

function parse(argv: string[]): { command: string; values: Record<string, unknown>; positionals: string[] } {
  const named = (COMMANDS as readonly string[]).includes(argv[0]);
  const command = named ? argv[0] : 'run';
  const args = named ? argv.slice(1) : argv;
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    config: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    since: { type: 'string' },
    merchant: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of CONFIG_FLAGS) options[f.name] = { type: 'string', multiple: f.multiple };
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: command === 'drain' || command === 'resume' || command === 'import-settlement' });
    return { command, values, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Imports a report into the configured journal: through the gateway's HTTP API when a gateway holds the SQLite journal
 * (one process writes it at a time, and the gateway's reconciliation then sees the report at once), else straight into
 * the file, holding it meanwhile. A PostgreSQL journal is written straight away: its transactions are its own lock.
 */
async function importCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('import-settlement takes one report file');
  if (typeof values.config !== 'string') throw new UsageError('option "--config" is required: the journal to import into');
  const config = loadConfig(values.config, overridesFromFlags(values));
  const file = positionals[0];
  const csv = readFileSync(file, 'utf8');
  const sqlite = config.store.driver === 'sqlite' && config.store.path !== ':memory:' ? config.store.path : undefined;
  let owner: JournalOwner | undefined;
  try {
    owner = sqlite === undefined ? undefined : JournalOwner.take(sqlite, 'import', Date.now());
  } catch (e) {
    const holder = sqlite === undefined ? undefined : JournalOwner.holder(sqlite);
    if (!(e instanceof JournalError && e.code === JournalErrorCodes.inUse) || holder?.role !== 'gateway' || holder.http === undefined) throw e;
    // the admin token goes only to the HTTP address this config gives the gateway, whatever the file beside says
    const announced = new URL(holder.http);
    const expected = `http://${reachable(config.http.host)}${config.http.port === 0 ? '' : `:${config.http.port}`}`;
    if (announced.hostname !== new URL(expected).hostname || (config.http.port !== 0 && Number(announced.port) !== config.http.port)) {
      process.stderr.write(`pos-gateway: the journal is held by a gateway at ${holder.http}, not at this config's HTTP address (${expected}): the import is not sent there\n`);
      return ExitCodes.failed;
    }
    const token = typeof values.token === 'string' ? values.token : config.http.adminToken;
    return importThrough(holder.http, token, file, csv);
  }
  const store = storeFor(config.store);
  try {
    await store.init();
    const result = await importSettlement(store, csv, Date.now());
    process.stdout.write(imported(result));
    return ExitCodes.ok;
  } catch (e) {
    if (e instanceof ReportError) {
      process.stderr.write(`pos-gateway: ${file}: ${e.code}: ${e.message}\n`);
      return ExitCodes.failed;
    }
    throw e;
  } finally {
    await store.close();
    owner?.release();
  }
}

const imported = (r: { imported: boolean; reportId: string; acquirerId: string; settlementDate: string; lines: number }): string =>
  r.imported
    ? `imported report ${r.reportId} (${r.acquirerId}, settlement date ${r.settlementDate}): ${r.lines} lines\n`
    : `report ${r.reportId} was imported before: nothing changed\n`;

/** The import through a running gateway's HTTP API (POST /settlement/reports, operator token). */
async function importThrough(base: string, token: string | undefined, file: string, csv: string): Promise<number> {
  const url = `${base}/settlement/reports`;
  if (token === undefined) {
    process.stderr.write(`pos-gateway: the journal is held by a running gateway; importing through it (${url}) needs its operator token: set http.adminToken in the config or pass --token\n`);
    return ExitCodes.failed;
  }
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv });
  } catch (e) {
    process.stderr.write(`pos-gateway: the journal is held by a running gateway, which does not answer at ${url}: ${(e as Error).message}\n`);
    return ExitCodes.failed;
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (res.status === 200 || res.status === 201) {
    process.stdout.write(imported(body as Parameters<typeof imported>[0]));
    return ExitCodes.ok;
  }
  const { code = '', message = '' } = body.error ?? {};
  if (code === 'REPORT_INVALID') {
    process.stderr.write(`pos-gateway: ${file}: REPORT_INVALID: ${message}\n`);
    return ExitCodes.failed;
  }
  process.stderr.write(`pos-gateway: the running gateway refused the import (${url}): HTTP ${res.status} ${code} ${message}`.trimEnd() + '\n');
  return ExitCodes.failed;
}

/** The operator commands talk to a running gateway's HTTP API. */
async function operator(command: string, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const base = typeof values.url === 'string' ? values.url.replace(/\/$/, '') : 'http://127.0.0.1:8080';
  let res: Response;
  if (command === 'acquirers') {
    res = await fetch(`${base}/acquirers`);
  } else {
    if (positionals.length !== 1) throw new UsageError(`${command} takes one acquirer id`);
    const headers: Record<string, string> = typeof values.token === 'string' ? { authorization: `Bearer ${values.token}` } : {};
    res = await fetch(`${base}/acquirers/${encodeURIComponent(positionals[0])}/${command}`, { method: 'POST', headers });
  }
  const body = (await res.json()) as unknown;
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } }).error;
    process.stderr.write(`pos-gateway: ${err?.code ?? res.status}: ${err?.message ?? 'request failed'}\n`);
    return ExitCodes.failed;
  }
  const rows = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
  const cols = ['id', 'link', 'breaker', 'drained', 'available', 'latencyMs', 'timeoutRate', 'reversalQueue', 'lateReplies'] as const;
  const cell = (r: Record<string, unknown>, c: string): string => {
    const v = r[c];
    if (c === 'timeoutRate' && typeof v === 'number') return `${(v * 100).toFixed(1)}%`;
    if (c === 'latencyMs' && typeof v === 'number') return v.toFixed(1);
    return v === null || v === undefined ? '-' : String(v);
  };
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  process.stdout.write(cols.map((c, i) => c.padEnd(widths[i])).join('  ') + '\n');
  for (const r of rows) process.stdout.write(cols.map((c, i) => cell(r, c).padEnd(widths[i])).join('  ') + '\n');
  return ExitCodes.ok;
}

/** Follows the settlement feed until Ctrl-C. */
async function watchCommand(values: Record<string, unknown>): Promise<number> {
  const url = typeof values.url === 'string' ? values.url : 'ws://127.0.0.1:8080/feed';
  if (!/^wss?:\/\//.test(url)) throw new UsageError('option "--url" must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080/feed');
  if (typeof values.token !== 'string' || values.token === '') throw new UsageError('option "--token" is required for watch');
  let since: number | undefined;
  if (values.since !== undefined) {
    since = Number(values.since);
    if (!Number.isSafeInteger(since) || since < 0) throw new UsageError('option "--since" must be a non-negative integer');
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await watch({
      url,
      token: values.token,
      since,
      merchantId: typeof values.merchant === 'string' ? values.merchant : undefined,
      json: values.json === true,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function main(argv: string[]): Promise<number> {
  const { command, values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(usage + '\n');
    return ExitCodes.ok;
  }
  if (command === 'acquirers' || command === 'drain' || command === 'resume') return operator(command, values, positionals);
  if (command === 'import-settlement') return importCommand(values, positionals);
  if (command === 'watch') return watchCommand(values);
  let stub: ChildProcess | undefined;
  let configPath = values.config as string | undefined;
  if (command === 'demo') {
    configPath ??= DEMO_CONFIG;
    stub = spawn(process.execPath, [STUB_CLI, 'acquirer', '--port', '9100', '--http-port', '9101', '--db', './data/demo-acquirer.db', '--reports-dir', './data/settlement-reports', '--log-level', 'warn'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    stub.on('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`pos-gateway: the acquirer stub exited with code ${code}\n`);
    });
  }
  if (configPath === undefined) throw new UsageError('option "--config" is required (or run "pos-gateway demo")');
  const config = loadConfig(configPath, overridesFromFlags(values));
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config);
  } catch (e) {
    stub?.kill();
    throw e;
  }
  if (command === 'demo') {
    const port = gateway.ports.listeners[config.listeners[0].name];
    const http = `http://127.0.0.1:${gateway.ports.http}`;
    const merchant = config.merchants[0];
    process.stderr.write(
      `\nThe demo is running: terminals connect to 127.0.0.1:${port}, the acquirer stub listens on 127.0.0.1:9100.\n` +
        `Send a first purchase of 12.34 from terminal TERM0001:\n\n` +
        `  npx terminal-sim purchase --target tcp://127.0.0.1:${port} --terminal TERM0001 --merchant MERCHANT0000001 --amount 12.34\n\n` +
        `Dashboard: ${http}/  (sign in with the merchant token "${merchant.apiToken ?? ''}"; operator: "${config.http.adminToken ?? ''}")\n` +
        `Live feed in a terminal: npx pos-gateway watch --url ws://127.0.0.1:${gateway.ports.http}/feed --token ${merchant.apiToken ?? ''}\n` +
        `Health: ${http}/health   Metrics: ${http}/metrics   API: ${http}/docs\n` +
        `Stub ledger: http://127.0.0.1:9101/ledger   Stop with Ctrl-C.\n\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await gateway.close();
  stub?.kill('SIGTERM');
  return ExitCodes.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`pos-gateway: ${e.message}\n\n${usage}\n`);
      process.exitCode = ExitCodes.usage;
    } else if (isConfigError(e)) {
      process.stderr.write(`pos-gateway: ${e.message}\n`);
      process.exitCode = ExitCodes.failed;
    } else {
      process.stderr.write(`pos-gateway: could not start: ${(e as Error).message}\n`);
      process.exitCode = ExitCodes.failed;
    }
  },
);
