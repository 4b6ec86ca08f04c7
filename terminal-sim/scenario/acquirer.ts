import { parseSettlementCsv, type AcquirerStub, type LedgerRow, type ReportSummary, type SettlementLine } from '../acquirer/index.js';
import type { AcquirerChange } from './schema.js';

/** What a scenario asks of the acquirer stub: changes mid-day, its ledger and its settlement reports for the report. */
export interface AcquirerAccess {
  readonly description: string;
  apply(change: AcquirerChange): Promise<void>;
  ledger(): Promise<LedgerRow[]>;
  /** Leaves these RRNs' credits out of every report from now on (replaces the stub's settlement faults). */
  omitCredits(rrns: readonly string[]): Promise<void>;
  /** The stub's settlement lag: a sale approved on day T is paid at the cutover of day T + this. */
  settleAfterDays(): Promise<number>;
  /** A cutover now: the report it made, or null when nothing was due. */
  cutover(): Promise<ReportSummary | null>;
  settlementReports(): Promise<ReportSummary[]>;
  settlementLines(reportId: string): Promise<SettlementLine[]>;
}

/** A stub in this process (tests, or `scenario --acquirer-port`). */
export function localAcquirer(stub: AcquirerStub): AcquirerAccess {
  return {
    description: `in-process stub on port ${stub.port}`,
    async apply(change) {
      if (change.reset === true) stub.reset();
      if (change.rules !== undefined) stub.setRules(change.rules);
      const { mode, latencyMs, durationMs, failCode } = change;
      if (mode !== undefined || latencyMs !== undefined || failCode !== undefined) stub.control(strip({ mode, latencyMs, durationMs, failCode }));
    },
    async ledger() {
      return stub.ledger();
    },
    async omitCredits(rrns) {
      stub.setSettlementFaults({ omit: { rrns: [...rrns] } });
    },
    async settleAfterDays() {
      return stub.settlementState().settleAfterDays;
    },
    async cutover() {
      return stub.cutover();
    },
    async settlementReports() {
      return stub.settlementReports();
    },
    async settlementLines(reportId) {
      return stub.settlementReport(reportId)?.lines ?? [];
    },
  };
}

/** A stub reached through its HTTP control API (`terminal-sim acquirer` prints its URL; the demo uses :9101). */
export function httpAcquirer(baseUrl: string, timeoutMs = 5000): AcquirerAccess {
  const url = baseUrl.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown, raw = false): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new AcquirerAccessError(`the acquirer stub at ${url} cannot be reached (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // not JSON: the text as it is
      }
      throw new AcquirerAccessError(`the acquirer stub at ${url} refused ${method} ${path}: ${res.status} ${message}`);
    }
    return (raw ? text : JSON.parse(text)) as T;
  }
  return {
    description: url,
    async apply(change) {
      if (change.reset === true) await call('POST', '/reset');
      if (change.rules !== undefined) await call('PUT', '/rules', change.rules);
      const { mode, latencyMs, durationMs, failCode } = change;
      if (mode !== undefined || latencyMs !== undefined || failCode !== undefined) await call('POST', '/control', strip({ mode, latencyMs, durationMs, failCode }));
    },
    async ledger() {
      return (await call<{ rows: LedgerRow[] }>('GET', '/ledger')).rows;
    },
    async omitCredits(rrns) {
      await call('POST', '/settlement/faults', { omit: { rrns: [...rrns] } });
    },
    async settleAfterDays() {
      return (await call<{ settleAfterDays: number }>('GET', '/settlement')).settleAfterDays;
    },
    async cutover() {
      return (await call<{ report: ReportSummary | null }>('POST', '/settlement/cutover', {})).report;
    },
    async settlementReports() {
      return (await call<{ reports: ReportSummary[] }>('GET', '/settlement/reports')).reports;
    },
    async settlementLines(reportId) {
      const csv = await call<string>('GET', `/settlement/reports/${encodeURIComponent(reportId)}`, undefined, true);
      try {
        return parseSettlementCsv(csv);
      } catch (e) {
        throw new AcquirerAccessError(`the acquirer stub at ${url} sent a settlement report ${reportId} that does not parse: ${(e as Error).message}`);
      }
    },
  };
}

export class AcquirerAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AcquirerAccessError';
  }
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
