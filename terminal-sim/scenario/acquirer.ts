import type { AcquirerStub, LedgerRow } from '../acquirer/index.js';
import type { AcquirerChange } from './schema.js';

/** What a scenario asks of the acquirer stub: changes mid-day, and its ledger for the report. */
export interface AcquirerAccess {
  readonly description: string;
  apply(change: AcquirerChange): Promise<void>;
  ledger(): Promise<LedgerRow[]>;
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
  };
}

/** A stub reached through its HTTP control API (`terminal-sim acquirer` prints its URL; the demo uses :9101). */
export function httpAcquirer(baseUrl: string, timeoutMs = 5000): AcquirerAccess {
  const url = baseUrl.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    return JSON.parse(text) as T;
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
