import { describe, it, expect } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { encodeWithMac, verifyMessageMac } from '../../../protocol/mac/message.js';
import { retailMac } from '../../../protocol/mac/retail.js';
import { MessageCodec, type MessageInput } from '../../../protocol/message.js';
import type { MessageSpec } from '../../../protocol/spec/types.js';
import { ASCII_SPEC, HEX_SPEC, ascii, caught, expectError, hex, wire } from '../specs.fixture.js';

const KEY = hex('0123456789abcdef fedcba9876543210');
const OTHER_KEY = hex('0123456789abcdef 0123456789abcdef');
const A = new MessageCodec(ASCII_SPEC);
const H = new MessageCodec(HEX_SPEC);

const PRIMARY: MessageInput = { mti: '0200', fields: { 2: '4761739001010119', 3: '000000', 4: '000000001000', 11: '000001', 41: 'TERM1   ' } };
const SECONDARY: MessageInput = { mti: '0800', fields: { 3: '990000', 11: '000002', 70: '301' } };

describe('encodeWithMac', () => {
  it('puts the MAC in field 64 when only primary fields are present, as the last 8 bytes', () => {
    const packed = encodeWithMac(A, PRIMARY, KEY);
    const before = packed.subarray(0, packed.length - 8);
    // the bitmap marks 64 (byte 7, last bit) besides 2 3 4 11 41
    expect(packed.subarray(4, 12)).toEqual(hex('70 20 00 00 00 80 00 01'));
    expect(before).toEqual(wire(ascii('0200'), '70 20 00 00 00 80 00 01', ascii('164761739001010119000000000000001000000001TERM1   ')));
    expect(packed.subarray(packed.length - 8)).toEqual(retailMac(KEY, before));
    expect(A.decode(packed).fields[64]).toEqual(retailMac(KEY, before));
  });

  it('puts the MAC in field 128 when secondary fields are present', () => {
    const packed = encodeWithMac(A, SECONDARY, KEY);
    const msg = A.decode(packed);
    expect(msg.fields[64]).toBeUndefined();
    expect(msg.fields[128]).toEqual(retailMac(KEY, packed.subarray(0, packed.length - 8)));
    expect(packed.subarray(4, 20)).toEqual(hex('a0 20 00 00 00 00 00 00  04 00 00 00 00 00 00 01'));
  });

  it('replaces a MAC the input already holds, and leaves the input alone', () => {
    const input = { mti: '0200', fields: { ...PRIMARY.fields, 64: hex('ff ff ff ff ff ff ff ff') } };
    expect(encodeWithMac(A, input, KEY)).toEqual(encodeWithMac(A, PRIMARY, KEY));
    expect(input.fields[64]).toEqual(hex('ff ff ff ff ff ff ff ff'));
    expect(PRIMARY.fields[64]).toBeUndefined();
  });

  it('writes a hex-encoded MAC field as 16 upper-case hex characters', () => {
    const packed = encodeWithMac(H, { mti: '0200', fields: { 3: '000000', 4: '000000001000' } }, KEY);
    const before = packed.subarray(0, packed.length - 16);
    expect(before).toEqual(ascii('0200' + '3000000000000001' + '000000' + '000000001000'));
    expect(packed.subarray(packed.length - 16).toString('latin1')).toBe(retailMac(KEY, before).toString('hex').toUpperCase());
    verifyMessageMac(H, packed, H.decode(packed), KEY);
  });

  it('depends on the key and on the padding method of the spec', () => {
    const zeros = encodeWithMac(A, PRIMARY, KEY);
    expect(encodeWithMac(A, PRIMARY, OTHER_KEY)).not.toEqual(zeros);
    const m2 = new MessageCodec({ ...ASCII_SPEC, mac: { field: 64, covers: 'message', padding: 'iso9797-2' } });
    const padded = encodeWithMac(m2, PRIMARY, KEY);
    expect(padded.subarray(0, -8)).toEqual(zeros.subarray(0, -8));
    expect(padded.subarray(-8)).toEqual(retailMac(KEY, padded.subarray(0, -8), { padding: 'iso9797-2' }));
    expect(padded.subarray(-8)).not.toEqual(zeros.subarray(-8));
  });

  it('takes a single-length key (X9.9)', () => {
    const key = hex('0123456789abcdef');
    const packed = encodeWithMac(A, PRIMARY, key);
    verifyMessageMac(A, packed, A.decode(packed), key);
  });

  it('SPEC_INVALID when the MAC field cannot be last or is not 8 binary bytes', () => {
    const fixed64 = new MessageCodec({ ...ASCII_SPEC, mac: { field: 64, covers: 'message', padding: 'zeros' } });
    expectError(() => encodeWithMac(fixed64, SECONDARY, KEY), 'SPEC_INVALID', 'field 64: the MAC field must be the last field of the message');
    const text64: MessageSpec = { ...ASCII_SPEC, fields: { ...ASCII_SPEC.fields, '64': { name: 'MAC', class: 'ans', encoding: 'ascii', length: 8 } } };
    expectError(() => encodeWithMac(new MessageCodec(text64), PRIMARY, KEY), 'SPEC_INVALID', 'field 64: a MAC field must be fixed-length binary of 8 bytes');
    const { '64': _, ...no64 } = ASCII_SPEC.fields;
    expectError(() => encodeWithMac(new MessageCodec({ ...ASCII_SPEC, fields: no64 }), PRIMARY, KEY), 'SPEC_INVALID');
  });

  it('reports field errors as encode does', () => {
    expectError(() => encodeWithMac(A, { mti: '0200', fields: { 4: '1' } }, KEY), 'LENGTH_MISMATCH', 'field 4: expected 12 digits, got 1');
  });
});

describe('verifyMessageMac', () => {
  for (const [name, input] of [
    ['field 64', PRIMARY],
    ['field 128', SECONDARY],
  ] as const) {
    it(`${name}: passes for a signed message`, () => {
      const packed = encodeWithMac(A, input, KEY);
      expect(() => verifyMessageMac(A, packed, A.decode(packed), KEY)).not.toThrow();
    });

    it(`${name}: one flipped byte anywhere before the MAC fails with MAC_MISMATCH`, () => {
      const packed = encodeWithMac(A, input, KEY);
      const msg = A.decode(packed);
      const macAt = packed.length - 8;
      for (let i = 0; i < macAt; i++) {
        const changed = Buffer.from(packed);
        changed[i] ^= 0x01;
        // against the MAC that came with the message
        const e = expectError(() => verifyMessageMac(A, changed, msg, KEY), 'MAC_MISMATCH', `field ${name.slice(6)} at offset ${macAt}: the MAC does not match the message`);
        expect(e.mti).toBe(input.mti);
        // and as a receiver sees it: the changed bytes decoded, then verified
        let decoded;
        try {
          decoded = A.decode(changed);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
          continue;
        }
        const code = caught(() => verifyMessageMac(A, changed, decoded, KEY)).code;
        expect(['MAC_MISMATCH', 'MAC_FIELD_MISSING']).toContain(code);
      }
    });

    it(`${name}: a changed MAC, or another key, fails`, () => {
      const packed = encodeWithMac(A, input, KEY);
      for (let i = packed.length - 8; i < packed.length; i++) {
        const changed = Buffer.from(packed);
        changed[i] ^= 0x80;
        expectError(() => verifyMessageMac(A, changed, A.decode(changed), KEY), 'MAC_MISMATCH');
      }
      expectError(() => verifyMessageMac(A, packed, A.decode(packed), OTHER_KEY), 'MAC_MISMATCH');
    });
  }

  it('MAC_FIELD_MISSING for a message without its MAC', () => {
    const packed = A.encode(PRIMARY);
    expectError(() => verifyMessageMac(A, packed, A.decode(packed), KEY), 'MAC_FIELD_MISSING', 'field 64: the message carries no MAC');
    const secondary = A.encode(SECONDARY);
    expectError(() => verifyMessageMac(A, secondary, A.decode(secondary), KEY), 'MAC_FIELD_MISSING', 'field 128: the message carries no MAC');
  });

  it('MAC_MISMATCH when a field follows the MAC', () => {
    const fixed64 = new MessageCodec({ ...ASCII_SPEC, mac: { field: 64, covers: 'message', padding: 'zeros' } });
    const packed = fixed64.encode({ mti: '0800', fields: { ...SECONDARY.fields, 64: hex('00 00 00 00 00 00 00 00') } });
    expectError(() => verifyMessageMac(fixed64, packed, fixed64.decode(packed), KEY), 'MAC_MISMATCH', 'field 64: the MAC field is not the last field');
  });

  it('checks with the padding method of the spec', () => {
    const m2 = new MessageCodec({ ...ASCII_SPEC, mac: { field: 64, covers: 'message', padding: 'iso9797-2' } });
    const packed = encodeWithMac(m2, PRIMARY, KEY);
    expect(() => verifyMessageMac(m2, packed, m2.decode(packed), KEY)).not.toThrow();
    expectError(() => verifyMessageMac(A, packed, A.decode(packed), KEY), 'MAC_MISMATCH');
  });
});
