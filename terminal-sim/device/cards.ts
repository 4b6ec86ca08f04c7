import { DeviceError } from './errors.js';

export const Schemes = {
  visa: { label: 'VISA', aid: 'A0000000031010' },
  mastercard: { label: 'MASTERCARD', aid: 'A0000000041010' },
  amex: { label: 'AMEX', aid: 'A00000002501' },
  discover: { label: 'DISCOVER', aid: 'A0000001523010' },
  jcb: { label: 'JCB', aid: 'A0000000651010' },
  unionpay: { label: 'UNIONPAY', aid: 'A000000333010101' },
  diners: { label: 'DINERS', aid: 'A0000001523010' },
  maestro: { label: 'MAESTRO', aid: 'A0000000043060' },
  other: { label: 'CARD', aid: 'A0000000000000' },
} as const;
export type Scheme = keyof typeof Schemes;

/** A card as the reader sees it. The track 2 equivalent is built from these when the user gave none. */
export interface Card {
  pan: string;
  /** YYMM. */
  expiry: string;
  /** Track 2 service code: 201 = international, chip, normal authorization, no restrictions. */
  serviceCode: string;
  /** EMV PAN sequence number (tag 5F34). */
  sequence: string;
  scheme: Scheme;
  /** The track 2 the user typed, when given: sent as is. */
  track2?: string;
}

const TEST_EXPIRY = '2812';

function testCard(pan: string, scheme: Scheme): Readonly<Card> {
  return Object.freeze({ pan, expiry: TEST_EXPIRY, serviceCode: '201', sequence: '01', scheme });
}

/** Luhn-valid PANs that schemes and processors publish for testing; never real accounts. */
export const TestCards = {
  visa: testCard('4761739001010119', 'visa'),
  visa2: testCard('4111111111111111', 'visa'),
  mastercard: testCard('5555555555554444', 'mastercard'),
  mastercard2: testCard('2223000048400011', 'mastercard'),
  amex: testCard('378282246310005', 'amex'),
  discover: testCard('6011111111111117', 'discover'),
  jcb: testCard('3530111333300000', 'jcb'),
  unionpay: testCard('6200000000000005', 'unionpay'),
  diners: testCard('36227206271667', 'diners'),
  maestro: testCard('6759649826438453', 'maestro'),
} as const;
export type TestCardName = keyof typeof TestCards;

export function testCardNamed(name: string): Card {
  if (!Object.hasOwn(TestCards, name)) {
    throw new DeviceError('BAD_CARD', `no test card "${name}"; one of ${Object.keys(TestCards).join(', ')}`);
  }
  return { ...TestCards[name as TestCardName] };
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The scheme of a PAN by its leading digits (IIN ranges as the schemes publish them). */
export function schemeOf(pan: string): Scheme {
  const p2 = Number(pan.slice(0, 2));
  const p3 = Number(pan.slice(0, 3));
  const p4 = Number(pan.slice(0, 4));
  if (pan.startsWith('4')) return 'visa';
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return 'mastercard';
  if (p2 === 34 || p2 === 37) return 'amex';
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) return 'discover';
  if (p4 >= 3528 && p4 <= 3589) return 'jcb';
  if (p2 === 62) return 'unionpay';
  if (p2 === 36 || p2 === 38 || (p3 >= 300 && p3 <= 305)) return 'diners';
  if (['50', '56', '57', '58', '67'].includes(pan.slice(0, 2)) || p2 === 63) return 'maestro';
  return 'other';
}

function checkPan(pan: string, option: string): void {
  if (!/^\d{12,19}$/.test(pan)) throw new DeviceError('BAD_CARD', `${option}: a PAN is 12 to 19 digits`);
  if (!luhnValid(pan)) throw new DeviceError('BAD_CARD', `${option}: the card number fails the Luhn check (mistyped digit?)`);
}

function checkExpiry(expiry: string, option: string): void {
  const month = Number(expiry.slice(2));
  if (!/^\d{4}$/.test(expiry) || month < 1 || month > 12) throw new DeviceError('BAD_CARD', `${option}: an expiry date is YYMM`);
}

/** A card from a PAN the user typed: Luhn-checked. */
export function cardFromPan(pan: string, expiry = TEST_EXPIRY): Card {
  checkPan(pan, '--pan');
  checkExpiry(expiry, '--expiry');
  return { pan, expiry, serviceCode: '201', sequence: '01', scheme: schemeOf(pan) };
}

/** A card from track 2 data: PAN '=' (or 'D') YYMM service code and discretionary data; ';' and '?' sentinels allowed. */
export function cardFromTrack2(track: string): Card {
  const body = track.replace(/^;/, '').replace(/\?$/, '');
  const m = /^(\d{12,19})[=D](\d{4})(\d{3})(\d*)$/.exec(body);
  if (m === null || body.length > 37) {
    throw new DeviceError('BAD_CARD', '--track2: expected PAN=YYMM + service code + discretionary digits, 37 characters at most');
  }
  const [, pan, expiry, serviceCode] = m;
  checkPan(pan, '--track2');
  checkExpiry(expiry, '--track2');
  return { pan, expiry, serviceCode, sequence: '01', scheme: schemeOf(pan), track2: body.replace('D', '=') };
}

/** The track 2 equivalent data of a card: PAN=YYMM, service code, discretionary zeros, 37 characters at most. */
export function track2Of(card: Card): string {
  if (card.track2 !== undefined) return card.track2;
  const head = `${card.pan}=${card.expiry}${card.serviceCode}`;
  return head + '0'.repeat(Math.max(0, Math.min(10, 37 - head.length)));
}
