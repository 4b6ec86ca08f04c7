import type { NewTransaction } from '../../../gateway/store/types.js';

/** A purchase as the flow journals it before forwarding it: TERM0001, batch 000001, STAN `n`, sent to "stub". */
export function newTx(n: number, over: Partial<NewTransaction> = {}): NewTransaction {
  const stan = String(n).padStart(6, '0');
  return {
    terminalId: 'TERM0001',
    batchNo: '000001',
    stan,
    localDate: '1121',
    mtiClass: '020',
    merchantId: 'MERCHANT0000001',
    mti: '0200',
    procCode: '000000',
    localTime: '101500',
    invoice: null,
    amount: 1000,
    currency: '840',
    panHash: null,
    panMasked: '476173******0119',
    entryMode: '051',
    fingerprint: `fp${n}`,
    acquirerId: 'stub',
    route: 'default: stub',
    upstreamStan: stan,
    rrn: `5325${stan.padStart(8, '0')}`,
    transmittedAt: '1121101500',
    state: 'forwarding',
    responseCode: null,
    authCode: null,
    captured: false,
    originalId: null,
    createdAt: 1_000,
    ...over,
  };
}
