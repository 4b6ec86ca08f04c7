import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconRoutes } from '../../../gateway/http-recon.js';
import type { ReconOptions } from '../../../gateway/recon/index.js';
import { ReconService } from '../../../gateway/recon-service/service.js';
import { REPORT_COLUMNS } from '../../../gateway/settlement/report.js';
import { SqliteStore } from '../../../gateway/store/sqlite.js';
import type { NewTransaction, TxRecord } from '../../../gateway/store/types.js';

export const M1 = 'MERCHANT0000001';
export const M2 = 'MERCHANT0000002';
export const OPERATOR = 'operator-token-0000001';
export const TOKEN1 = 'merchant-one-token-01';
export const TOKEN2 = 'merchant-two-token-02';
export const DAY = 86_400_000;
/** 2026-11-21 10:00 UTC: the sales' day. */
export const T0 = Date.UTC(2026, 10, 21, 10);

export class ManualClock {
  constructor(public t = T0) {}
  now = (): number => this.t;
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'posgw-recon-')), 'gateway.db');
}

let stanSeq = 0;

/** An approved, captured sale journaled as the flow does it. */
export async function sale(store: SqliteStore, o: Partial<NewTransaction> & { rrn: string; amount: number }): Promise<TxRecord> {
  stanSeq++;
  const createdAt = o.createdAt ?? T0;
  const tx = await store.insertTransaction({
    terminalId: 'TERM0001',
    batchNo: '000001',
    stan: String(stanSeq).padStart(6, '0'),
    localDate: '1121',
    mtiClass: (o.mti ?? '0200').slice(0, 3),
    merchantId: M1,
    mti: '0200',
    procCode: '000000',
    localTime: '100000',
    invoice: null,
    currency: '840',
    panHash: null,
    panMasked: '476173******0119',
    entryMode: '051',
    fingerprint: `fp-${o.rrn}`,
    acquirerId: 'stub',
    route: 'default: stub',
    upstreamStan: String(stanSeq).padStart(6, '0'),
    transmittedAt: '1121100000',
    state: 'forwarding',
    responseCode: null,
    authCode: 'A1B2C3',
    captured: false,
    originalId: null,
    createdAt,
    ...o,
  });
  await store.recordOutcome(tx.id, { state: 'approved', responseCode: '00', authCode: o.authCode ?? 'A1B2C3', captured: true, at: createdAt });
  return (await store.getTransaction(tx.id))!;
}

export interface Line {
  rrn: string;
  amount: number;
  merchantId?: string;
  terminalId?: string;
  authCode?: string;
  record?: 'CREDIT' | 'DEBIT';
  transactionDate?: string;
}

/** A settlement report as the acquirer writes it (CSV), with one PAYOUT line per merchant. */
export function report(reportId: string, settlementDate: string, lines: Line[], acquirerId = 'stub'): string {
  const rows = [REPORT_COLUMNS.join(',')];
  const payouts = new Map<string, number>();
  for (const l of lines) {
    const m = l.merchantId ?? M1;
    rows.push([l.record ?? 'CREDIT', reportId, acquirerId, settlementDate, m, l.terminalId ?? 'TERM0001', l.rrn, l.authCode ?? 'A1B2C3', '476173******0119', l.amount, '840', l.transactionDate ?? '2026-11-21', 0, l.amount].join(','));
    payouts.set(m, (payouts.get(m) ?? 0) + l.amount);
  }
  for (const [m, total] of payouts) rows.push(['PAYOUT', reportId, acquirerId, settlementDate, m, '', '', '', '', total, '840', '', 0, total].join(','));
  return `${rows.join('\n')}\n`;
}

export interface Running {
  store: SqliteStore;
  service: ReconService;
  http: FastifyInstance;
  close(): Promise<void>;
}

/** A store on `path`, the service over it (synced once, as the gateway starts it) and the recon routes. */
export async function startRecon(path: string, clock: ManualClock, recon: ReconOptions = {}): Promise<Running> {
  const store = new SqliteStore({ path });
  await store.init();
  const service = new ReconService({ store, clock, recon, maxStalenessMs: 0 });
  await service.sync();
  const http = Fastify({ logger: false });
  await http.register(reconRoutes, {
    service,
    adminToken: OPERATOR,
    merchantTokens: new Map([[M1, TOKEN1], [M2, TOKEN2]]),
    terminals: new Map([['TERM0001', M1], ['TERM0002', M2]]),
  });
  await http.ready();
  return {
    store,
    service,
    http,
    async close() {
      await http.close();
      await service.flush();
      await store.close();
    },
  };
}

export async function call(http: FastifyInstance, method: 'GET' | 'POST', url: string, token: string | undefined, body?: unknown, type = 'application/json') {
  const res = await http.inject({
    method,
    url,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': type }) },
    payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = res.headers['content-type']?.toString().startsWith('application/json');
  return { status: res.statusCode, body: json ? res.json() : res.body };
}
