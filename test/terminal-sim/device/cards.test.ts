import { describe, expect, it } from 'vitest';
import {
  cardFromPan,
  cardFromTrack2,
  luhnValid,
  schemeOf,
  TestCards,
  testCardNamed,
  track2Of,
} from '../../../terminal-sim/device/index.js';

describe('test cards', () => {
  it('are Luhn-valid, of the scheme they claim, with a track 2 of at most 37 characters', () => {
    for (const [name, card] of Object.entries(TestCards)) {
      expect(luhnValid(card.pan), name).toBe(true);
      expect(schemeOf(card.pan), name).toBe(card.scheme);
      const t2 = track2Of(card);
      expect(t2.length, name).toBeLessThanOrEqual(37);
      expect(t2.startsWith(`${card.pan}=${card.expiry}201`), name).toBe(true);
    }
    expect(new Set(Object.values(TestCards).map((c) => c.scheme))).toEqual(
      new Set(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay', 'diners', 'maestro']),
    );
  });

  it('names an unknown test card in a clear error', () => {
    expect(() => testCardNamed('platinum')).toThrow(/no test card "platinum"; one of visa, visa2/);
  });
});

describe('cards a user types', () => {
  it('checks a PAN with Luhn, without echoing the digits', () => {
    expect(cardFromPan('4111111111111111')).toMatchObject({ scheme: 'visa', expiry: '2812' });
    let error: unknown;
    try {
      cardFromPan('4111111111111112');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BAD_CARD', message: '--pan: the card number fails the Luhn check (mistyped digit?)' });
    expect(String((error as Error).message)).not.toContain('4111');
    expect(() => cardFromPan('41111')).toThrow('12 to 19 digits');
    expect(() => cardFromPan('4111111111111111', '2813')).toThrow('YYMM');
  });

  it('parses track 2 with = or D and sentinels, and keeps it for the wire', () => {
    const card = cardFromTrack2(';5555555555554444D29122011234567890?');
    expect(card).toMatchObject({ pan: '5555555555554444', expiry: '2912', serviceCode: '201', scheme: 'mastercard' });
    expect(track2Of(card)).toBe('5555555555554444=29122011234567890');
    expect(() => cardFromTrack2('5555555555554445=2912201')).toThrow('Luhn');
    expect(() => cardFromTrack2('5555555555554444')).toThrow('PAN=YYMM');
  });

  it('tells schemes apart by IIN', () => {
    expect(schemeOf('2223000048400011')).toBe('mastercard');
    expect(schemeOf('6440000000000000')).toBe('discover');
    expect(schemeOf('3528000000000000')).toBe('jcb');
    expect(schemeOf('9999999999999995')).toBe('other');
  });
});
