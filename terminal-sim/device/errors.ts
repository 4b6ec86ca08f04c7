/** Stable codes of what a simulated terminal refuses to do; the CLI maps them to exit code 3 (error). */
export const DeviceErrors = {
  BAD_AMOUNT: 'an amount is not decimal money with at most the currency minor digits, or is out of range',
  BAD_CARD: 'a card number fails the Luhn check, or a track 2 / expiry is malformed, or no such test card',
  BAD_PIN: 'a PIN is not 4 to 12 digits',
  BAD_IDENTITY: 'a terminal id, merchant id or option of the terminal is malformed',
  IDENTITY_MISMATCH: "the journal on disk belongs to another merchant than the one given",
  NOT_FOUND: 'no transaction in the journal matches the invoice or RRN given',
  NOT_ALLOWED: 'the transaction named cannot be voided, completed or reversed in its state',
  ABOVE_FLOOR_LIMIT: 'the host is unreachable (or offline was forced) and the amount is not below the floor limit',
  JOURNAL_CORRUPT: 'the journal file cannot be read as this terminal\'s journal',
  JOURNAL_LOCKED: 'another live process has this terminal\'s journal open',
  DATA_KEY_MISMATCH: 'the journal\'s card data was sealed under another key (key set, terminal id or data key)',
  BUSY: 'a transaction was started while another is in progress on the same terminal',
} as const;

export type DeviceErrorCode = keyof typeof DeviceErrors;

/** An error of the device; its message names options and fields, never card data. */
export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  constructor(code: DeviceErrorCode, detail: string) {
    super(detail);
    this.name = 'DeviceError';
    this.code = code;
  }
}

export function isDeviceError(e: unknown, code?: DeviceErrorCode): e is DeviceError {
  return e instanceof DeviceError && (code === undefined || e.code === code);
}
