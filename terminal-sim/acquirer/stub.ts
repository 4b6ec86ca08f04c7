import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { IsoMessage } from '../../protocol/index.js';
import { Balances, type BalanceEntry } from './balances.js';
import { dispatch, type Reply } from './handlers.js';
import { buildControlApi } from './http.js';
import { Ledger, type LedgerFilter, type LedgerRow, type LedgerSummary, type ReversalRow } from './ledger.js';
import { HostLink, Modes, type Mode } from './link.js';
import { checkLatency, resolveOptions, type AcquirerOptions, type ResolvedOptions } from './options.js';
import { FailCodes, parseRules, type FailCode, type Rules } from './rules.js';
import type { FaultKind, SettlementFaults } from './settlement/faults.js';
import { Settlement, type SettlementReport, type SettlementState } from './settlement/settlement.js';
import type { AppliedFault, ReportSummary } from './settlement/store.js';

export interface ControlChange {
  mode?: Mode;
  latencyMs?: number;
  /** Revert to mode 'normal' and the latency from before this change after this long. */
  durationMs?: number;
  /** What mode 'fail' answers; default the rules' failCode. */
  failCode?: FailCode;
}

export interface AcquirerState {
  mode: Mode;
  latencyMs: number;
  failCode: FailCode;
  connections: number;
  /** Time left before a `durationMs` change reverts; null when none is pending. */
  revertsInMs: number | null;
}

export interface AcquirerStub {
  readonly host: string;
  /** The host link's TCP port (the real one when 0 was asked). */
  readonly port: number;
  readonly httpPort: number;
  /** The control API's base URL, e.g. http://127.0.0.1:9101. */
  readonly url: string;
  ledger(filter?: LedgerFilter): LedgerRow[];
  ledgerSummary(): LedgerSummary;
  reversals(): ReversalRow[];
  /** Test-card balances, PANs masked. */
  balances(): BalanceEntry[];
  /** The current balance of a test card; undefined for a card without one. */
  balanceOf(pan: string): number | undefined;
  setMode(mode: Mode, opts?: { durationMs?: number; failCode?: FailCode }): AcquirerState;
  setLatency(ms: number, opts?: { durationMs?: number }): AcquirerState;
  control(change: ControlChange): AcquirerState;
  state(): AcquirerState;
  rules(): Rules;
  /** Validates and applies new rules, reloading test-card balances; throws RulesError naming the key. */
  setRules(input: unknown): Rules;
  /**
   * A settlement cutover now, outside the daily schedule: the report it made, or null when nothing was due (a report
   * always has lines). Each due transaction is paid once across all reports, unless a fault says otherwise.
   */
  cutover(): ReportSummary | null;
  /** Runs the daily cutovers due by the clock now, as the timer does; the reports made. */
  runDueCutovers(): ReportSummary[];
  settlementState(): SettlementState;
  settlementReports(): ReportSummary[];
  /** One report with its lines and CSV text; undefined when unknown. */
  settlementReport(reportId: string): SettlementReport | undefined;
  settlementFaults(): SettlementFaults;
  /** Validates and replaces the settlement faults (omitted kinds: none); throws FaultsError naming the key. */
  setSettlementFaults(input: unknown): SettlementFaults;
  /** Which fault was applied to which RRN, oldest first. */
  appliedFaults(filter?: { kind?: FaultKind; reportId?: string }): AppliedFault[];
  /**
   * Empties the ledger and the settlement (reports, payments, applied faults; files stay), restores the starting
   * faults, reloads balances from the current rules, back to mode 'normal' and the start latency.
   */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the host link and the control API; resolves once both listen. */
export async function startAcquirer(options: AcquirerOptions = {}): Promise<AcquirerStub> {
  const opts = resolveOptions(options);
  const stub = new Stub(opts);
  try {
    await stub.listen();
  } catch (e) {
    await stub.close();
    throw e;
  }
  return stub;
}

class Stub implements AcquirerStub {
  readonly host: string;
  port = 0;
  httpPort = 0;

  readonly #opts: ResolvedOptions;
  readonly #log: Logger;
  readonly #ledger: Ledger;
  readonly #balances: Balances;
  readonly #link: HostLink;
  readonly #http: FastifyInstance;
  readonly #settlement: Settlement;
  #rules: Rules;
  #mode: Mode = 'normal';
  #latencyMs: number;
  #failCode: FailCode;
  #revert: { timer: NodeJS.Timeout; at: number } | undefined;
  #closed = false;

  constructor(opts: ResolvedOptions) {
    this.#opts = opts;
    this.host = opts.host;
    this.#log = opts.logger;
    this.#rules = opts.rules;
    this.#latencyMs = opts.latencyMs;
    this.#failCode = opts.rules.failCode;
    this.#ledger = new Ledger(opts.dbPath, opts.panKey, opts.clock);
    this.#balances = new Balances((pan) => this.#ledger.panHash(pan));
    this.#balances.load(this.#rules);
    this.#settlement = new Settlement(this.#ledger.database, {
      acquirerId: opts.acquirerId,
      cutoverMinutes: opts.cutoverMinutes,
      settleAfterDays: opts.settleAfterDays,
      feeBasisPoints: opts.feeBasisPoints,
      feeFixed: opts.feeFixed,
      reportsDir: opts.reportsDir,
      faults: opts.faults,
      checkMs: opts.settlementCheckMs,
      clock: opts.clock,
      logger: this.#log.child({ component: 'settlement' }),
    });
    this.#link = new HostLink(
      {
        mode: () => this.#mode,
        latencyMs: () => this.#latencyMs,
        timings: () => this.#rules.timings,
        handle: (msg) => this.#handle(msg),
        batch: (fn) => this.#ledger.batch(fn),
      },
      this.#log.child({ component: 'link' }),
      opts.maxFrameSize,
    );
    this.#http = buildControlApi(this, this.#log.child({ component: 'http' }));
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.httpPort}`;
  }

  async listen(): Promise<void> {
    if (this.#opts.panKeyGenerated) {
      this.#log.warn({ event: 'pan_key_generated' }, 'no PAN HMAC key given: a random one is used, hashes will not survive a restart');
    }
    this.port = await this.#link.listen(this.host, this.#opts.port);
    await this.#http.listen({ host: this.host, port: this.#opts.httpPort });
    this.httpPort = (this.#http.server.address() as { port: number }).port;
    this.#settlement.start();
    this.#log.info({ event: 'listening', host: this.host, port: this.port, httpPort: this.httpPort, db: this.#opts.dbPath });
  }

  ledger(filter?: LedgerFilter): LedgerRow[] {
    return this.#ledger.rows(filter);
  }

  ledgerSummary(): LedgerSummary {
    return this.#ledger.summary();
  }

  reversals(): ReversalRow[] {
    return this.#ledger.reversals();
  }

  balances(): BalanceEntry[] {
    return this.#balances.list();
  }

  balanceOf(pan: string): number | undefined {
    return this.#balances.get(this.#ledger.panHash(pan));
  }

  setMode(mode: Mode, opts: { durationMs?: number; failCode?: FailCode } = {}): AcquirerState {
    return this.control({ ...opts, mode });
  }

  setLatency(ms: number, opts: { durationMs?: number } = {}): AcquirerState {
    return this.control({ ...opts, latencyMs: ms });
  }

  control(change: ControlChange): AcquirerState {
    checkChange(change);
    const before = this.#latencyMs;
    this.#clearRevert();
    if (change.latencyMs !== undefined) this.#latencyMs = change.latencyMs;
    if (change.mode !== undefined) {
      this.#mode = change.mode;
      this.#failCode = change.failCode ?? this.#rules.failCode;
      if (change.mode === 'drop') this.#link.dropAll();
    } else if (change.failCode !== undefined) {
      this.#failCode = change.failCode;
    }
    if (change.durationMs !== undefined) {
      const timer = setTimeout(() => {
        this.#revert = undefined;
        this.#mode = 'normal';
        this.#latencyMs = before;
        this.#log.info({ event: 'control_reverted', mode: this.#mode, latencyMs: this.#latencyMs });
      }, change.durationMs);
      timer.unref();
      this.#revert = { timer, at: Date.now() + change.durationMs };
    }
    this.#log.info({ event: 'control', ...change });
    return this.state();
  }

  state(): AcquirerState {
    return {
      mode: this.#mode,
      latencyMs: this.#latencyMs,
      failCode: this.#failCode,
      connections: this.#link.connections,
      revertsInMs: this.#revert === undefined ? null : Math.max(0, this.#revert.at - Date.now()),
    };
  }

  rules(): Rules {
    return this.#rules;
  }

  setRules(input: unknown): Rules {
    this.#rules = parseRules(input);
    this.#balances.load(this.#rules);
    this.#log.info({ event: 'rules_changed', cards: Object.keys(this.#rules.cards).length });
    return this.#rules;
  }

  cutover(): ReportSummary | null {
    return this.#settlement.cutover();
  }

  runDueCutovers(): ReportSummary[] {
    return this.#settlement.tick();
  }

  settlementState(): SettlementState {
    return this.#settlement.state();
  }

  settlementReports(): ReportSummary[] {
    return this.#settlement.reports();
  }

  settlementReport(reportId: string): SettlementReport | undefined {
    return this.#settlement.report(reportId);
  }

  settlementFaults(): SettlementFaults {
    return this.#settlement.faults();
  }

  setSettlementFaults(input: unknown): SettlementFaults {
    return this.#settlement.setFaults(input);
  }

  appliedFaults(filter?: { kind?: FaultKind; reportId?: string }): AppliedFault[] {
    return this.#settlement.applied(filter);
  }

  reset(): void {
    this.#clearRevert();
    // The settlement's tables reference the ledger's rows: they go first.
    this.#settlement.reset();
    this.#ledger.reset();
    this.#balances.load(this.#rules);
    this.#mode = 'normal';
    this.#latencyMs = this.#opts.latencyMs;
    this.#failCode = this.#rules.failCode;
    this.#log.info({ event: 'reset' });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearRevert();
    this.#settlement.stop();
    await this.#link.close();
    await this.#http.close();
    this.#ledger.close();
    this.#log.info({ event: 'closed' });
  }

  #handle(msg: IsoMessage): Reply {
    return dispatch(msg, {
      ledger: this.#ledger,
      balances: this.#balances,
      rules: this.#rules,
      authCode: this.#opts.authCode,
      failCode: this.#mode === 'fail' ? this.#failCode : null,
    });
  }

  #clearRevert(): void {
    if (this.#revert !== undefined) clearTimeout(this.#revert.timer);
    this.#revert = undefined;
  }
}

/** The programmatic API checks what the HTTP schema checks. */
function checkChange(change: ControlChange): void {
  if (typeof change !== 'object' || change === null) throw new TypeError('a control change must be an object');
  for (const key of Object.keys(change)) {
    if (!['mode', 'latencyMs', 'durationMs', 'failCode'].includes(key)) throw new TypeError(`unknown control key "${key}"`);
  }
  if (change.mode !== undefined && !Object.hasOwn(Modes, change.mode)) {
    throw new TypeError(`"mode" must be one of ${Object.keys(Modes).join(', ')}`);
  }
  if (change.latencyMs !== undefined) checkLatency(change.latencyMs, 'latencyMs');
  if (change.durationMs !== undefined && (!Number.isSafeInteger(change.durationMs) || change.durationMs < 1)) {
    throw new TypeError('"durationMs" must be a positive integer');
  }
  if (change.failCode !== undefined && !(FailCodes as readonly string[]).includes(change.failCode)) {
    throw new TypeError(`"failCode" must be one of ${FailCodes.join(', ')}`);
  }
}
