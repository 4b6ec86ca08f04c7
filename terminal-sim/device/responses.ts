/**
 * Field 39 texts as a terminal prints them, and the local codes a terminal makes itself (EMV offline results: Y1
 * approved offline, Z1 declined offline; Y3 / Z3 the same when the host could not be reached).
 */
export const ResponseTexts: Readonly<Record<string, string>> = {
  '00': 'APPROVED',
  '08': 'APPROVED WITH ID',
  '03': 'INVALID MERCHANT',
  '05': 'DO NOT HONOUR',
  '12': 'INVALID TRANSACTION',
  '13': 'INVALID AMOUNT',
  '14': 'INVALID CARD NUMBER',
  '25': 'ORIGINAL NOT FOUND',
  '30': 'FORMAT ERROR',
  '51': 'INSUFFICIENT FUNDS',
  '54': 'EXPIRED CARD',
  '55': 'INCORRECT PIN',
  '57': 'NOT PERMITTED TO CARDHOLDER',
  '58': 'NOT PERMITTED TO TERMINAL',
  '80': 'BAD BATCH NUMBER',
  '89': 'INVALID TERMINAL',
  '91': 'ISSUER UNAVAILABLE',
  '94': 'DUPLICATE TRANSMISSION',
  '95': 'RECONCILE ERROR',
  '96': 'SYSTEM MALFUNCTION',
  Y1: 'APPROVED OFFLINE',
  Y3: 'APPROVED OFFLINE (HOST UNREACHABLE)',
  Z1: 'DECLINED OFFLINE',
  Z3: 'DECLINED (HOST UNREACHABLE)',
};

export const LocalCodes = { offlineApproved: 'Y1', unreachableApproved: 'Y3', offlineDeclined: 'Z1', unreachableDeclined: 'Z3' } as const;

export function responseText(rc: string | null): string {
  if (rc === null) return 'NO ANSWER';
  return ResponseTexts[rc] ?? `DECLINED (${rc})`;
}

export function isApproved(rc: string | null): boolean {
  return rc === '00' || rc === '08' || rc === LocalCodes.offlineApproved || rc === LocalCodes.unreachableApproved;
}

/** Answers after which a reversal must be tried again: the host could not act on it now. */
export function isRetryLater(rc: string): boolean {
  return rc === '91' || rc === '96';
}
