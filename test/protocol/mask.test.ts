import { describe, it, expect } from 'vitest';
import { HIDDEN, hideAll, maskPan, maskTrack } from '../../protocol/mask.js';

describe('maskPan', () => {
  it('shows the first six and last four digits only', () => {
    expect(maskPan('4761739001010119')).toBe('476173******0119');
    expect(maskPan('4761739001010119123')).toBe('476173*********9123');
    expect(maskPan('12345678901')).toBe('123456*8901');
  });

  it('hides a PAN of ten digits or fewer entirely', () => {
    expect(maskPan('1234567890')).toBe(HIDDEN);
    expect(maskPan('123')).toBe(HIDDEN);
    expect(maskPan('')).toBe(HIDDEN);
    expect(HIDDEN).toBe('****');
  });

  it('keeps a trailing F pad, in either case, outside the count', () => {
    expect(maskPan('4761739001010119F')).toBe('476173******0119F');
    expect(maskPan('4761739001010119fff')).toBe('476173******0119fff');
    expect(maskPan('1234567890FFFFFF')).toBe(HIDDEN);
  });
});

describe('maskTrack', () => {
  it('masks the PAN, keeps the separator, hides every character after it', () => {
    expect(maskTrack('4761739001010119=25121011234567890')).toBe('476173******0119=' + '*'.repeat(17));
    expect(maskTrack('4761739001010119D2512101')).toBe('476173******0119D' + '*'.repeat(7));
  });

  it('keeps a start sentinel or format code', () => {
    expect(maskTrack(';4761739001010119=2512?')).toBe(';476173******0119=' + '*'.repeat(5));
    expect(maskTrack('B4761739001010119^DOE/JOHN^2512101')).toBe('B476173******0119^' + '*'.repeat(16));
  });

  it('splits at the first separator of any kind', () => {
    expect(maskTrack('4761739001010119^DOE=JOHN')).toBe('476173******0119^' + '*'.repeat(8));
  });

  it('hides everything when there is no separator or the PAN is short', () => {
    expect(maskTrack('4761739001010119')).toBe(HIDDEN);
    expect(maskTrack('1234567890=2512')).toBe(HIDDEN);
    expect(maskTrack('')).toBe(HIDDEN);
  });

  it('takes other separators when asked', () => {
    expect(maskTrack('4761739001010119|2512', '|')).toBe('476173******0119|****');
    expect(maskTrack('4761739001010119=2512', '|')).toBe(HIDDEN);
  });
});

describe('hideAll', () => {
  it('hides the value, keeping its length, at least four stars', () => {
    expect(hideAll('1234')).toBe('****');
    expect(hideAll('12')).toBe('****');
    expect(hideAll('')).toBe('****');
    expect(hideAll('0123456789ABCDEF')).toBe('*'.repeat(16));
  });
});
