/** The ISO 8583 response codes the gateway itself produces or acts on (field 39). */
export const RC = {
  APPROVED: '00',
  APPROVED_WITH_ID: '08',
  INVALID_MERCHANT: '03',
  DO_NOT_HONOUR: '05',
  INVALID_TRANSACTION: '12',
  INVALID_AMOUNT: '13',
  ORIGINAL_NOT_FOUND: '25',
  FORMAT_ERROR: '30',
  BAD_BATCH: '80',
  INVALID_TERMINAL: '89',
  ISSUER_UNAVAILABLE: '91',
  DUPLICATE: '94',
  RECONCILE_ERROR: '95',
  SYSTEM_MALFUNCTION: '96',
} as const;

export type ResponseCode = (typeof RC)[keyof typeof RC];

export function isApproval(rc: string | null | undefined): boolean {
  return rc === RC.APPROVED || rc === RC.APPROVED_WITH_ID;
}
