import { createHmac, randomBytes } from 'node:crypto';
import { encodeTlv } from '../../protocol/index.js';
import { Schemes, type Card } from './cards.js';

/** Tag 9C: the transaction type, as the first two digits of the processing code. */
export const EmvTransactionTypes = { purchase: '00', refund: '20', preauth: '00' } as const;

/** Tag 9F34: the cardholder verification the terminal performed. */
const CvmResults = { onlinePin: '420300', signature: '1E0300', noCvm: '1F0302' } as const;

/** Not a card's key: the made-up cryptograms are an HMAC under this, so the same inputs give the same bytes. */
const FAKE_CARD_KEY = Buffer.from('terminal-sim: not an issuer key');

export interface ChipInput {
  card: Card;
  amount: number;
  currency: string;
  /** ISO 3166 numeric terminal country, 3 digits. */
  country: string;
  type: keyof typeof EmvTransactionTypes;
  /** YYMMDD. */
  date: string;
  /** Application transaction counter of the card. */
  atc: number;
  /** The terminal's sequence counter (the STAN serves). */
  sequence: string;
  terminalId: string;
  pin: boolean;
  /** Tag 9F37; random when absent. */
  unpredictable?: Buffer;
}

const n = (v: string | number, digits: number): string => String(v).padStart(digits, '0');

/**
 * Field 55 of a chip read: the tags a contact EMV terminal sends with an ARQC (amounts, dates, TVR, AIP, CVM results,
 * counters), the cryptogram made up. Values are hex, BCD where EMV says n.
 */
export function chipData(input: ChipInput): Buffer {
  const un = input.unpredictable ?? randomBytes(4);
  const amount = n(input.amount, 12);
  const atc = n(input.atc.toString(16), 4);
  const cryptogram = createHmac('sha256', FAKE_CARD_KEY)
    .update([input.card.pan, amount, input.currency, input.date, atc, un.toString('hex')].join('|'))
    .digest()
    .subarray(0, 8);
  return encodeTlv({
    '5F2A': n(input.currency, 4),
    '5F34': n(input.card.sequence, 2),
    '82': '1980',
    '84': Schemes[input.card.scheme].aid,
    '95': '0000008000',
    '9A': input.date,
    '9C': EmvTransactionTypes[input.type],
    '9F02': amount,
    '9F03': '000000000000',
    '9F09': '008C',
    '9F10': '06010A03A0B800',
    '9F1A': n(input.country, 4),
    '9F1E': Buffer.from(input.terminalId.padEnd(8, ' ').slice(0, 8), 'latin1'),
    '9F26': cryptogram,
    '9F27': '80',
    '9F33': 'E0F8C8',
    '9F34': input.pin ? CvmResults.onlinePin : CvmResults.signature,
    '9F35': '22',
    '9F36': atc,
    '9F37': un,
    '9F41': n(input.sequence, 8),
  });
}
