import { describe, expect, it } from 'vitest';
import { EmvTags, emvTagInfo, encodeTlv, isConstructedTag, isSensitiveTag } from '../../../protocol/emv/index.js';

const REQUIRED = (
  '4F 50 57 5A 5F20 5F24 5F25 5F28 5F2A 5F2D 5F30 5F34 82 84 87 8A 8C 8D 8E 8F 90 91 92 93 94 95 9A 9B 9C ' +
  '9F01 9F02 9F03 9F06 9F07 9F08 9F09 9F0D 9F0E 9F0F 9F10 9F11 9F12 9F1A 9F1E 9F21 9F26 9F27 9F33 9F34 9F35 ' +
  '9F36 9F37 9F39 9F40 9F41 9F53 9F6E 9F7C 71 72 70 77 80'
).split(' ');

describe('EmvTags', () => {
  it('names every common field 55 tag', () => {
    for (const tag of REQUIRED) expect(emvTagInfo(tag)?.name, tag).toBeTruthy();
  });

  it('marks PAN, track data and cardholder name sensitive, and not the cryptogram', () => {
    for (const tag of ['57', '5A', '5F20', '9F1F', '56', '9F20', '9F6B', '9F0B']) {
      expect(isSensitiveTag(tag), tag).toBe(true);
    }
    for (const tag of ['9F26', '9F10', '95', '82', '9F02']) expect(isSensitiveTag(tag), tag).toBe(false);
  });

  it('has keys that are well-formed upper-case tags, templates marked var', () => {
    for (const [tag, info] of Object.entries(EmvTags)) {
      expect(tag).toMatch(/^[0-9A-F]+$/);
      expect(() => encodeTlv({ [tag]: '' }), tag).not.toThrow();
      if (isConstructedTag(tag)) expect(info.format, tag).toBe('var');
    }
  });

  it('names the DF range generically and knows no other unknown tag', () => {
    expect(emvTagInfo('DF8101')?.name).toBe('Proprietary data (DF range)');
    expect(emvTagInfo('DF01')?.name).toBe('Proprietary data (DF range)');
    expect(emvTagInfo('9F7F')).toBeUndefined();
    expect(emvTagInfo('constructor')).toBeUndefined();
  });
});
