import { describe, expect, it } from 'vitest';
import { decodeTlv, describeTlv } from '../../../protocol/emv/index.js';
import { FIELD_55, PAN_HEX, RECORD_70, TRACK2_HEX, hex } from './fixtures.js';

describe('describeTlv', () => {
  it('gives path, tag, name, length and upper-case hex per object', () => {
    const rows = describeTlv(decodeTlv(FIELD_55));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toEqual({
      path: '9F26',
      tag: '9F26',
      name: 'Application Cryptogram',
      length: 8,
      value: '1A2B3C4D5E6F7081',
    });
    expect(rows.find((r) => r.tag === '9F02')).toMatchObject({
      name: 'Amount, Authorised (Numeric)',
      value: '000000001000',
    });
  });

  it('masks PAN and track 2 to the first 6 and last 4 PAN digits, other sensitive tags to ****', () => {
    const rows = describeTlv(decodeTlv(RECORD_70));
    expect(rows.map((r) => [r.path, r.length, r.value])).toEqual([
      ['70', 53, ''],
      ['70.57', 19, `476173******0119D${'*'.repeat(21)}`],
      ['70.5A', 8, '476173******0119'],
      ['70.5F20', 13, '****'],
      ['70.5F24', 3, '221231'],
    ]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('739001');
    expect(dump).not.toContain('2212201');
    expect(dump).not.toContain('444F45');
  });

  it('shows sensitive values in clear when asked', () => {
    const rows = describeTlv(decodeTlv(RECORD_70), { clear: true });
    expect(rows.map((r) => r.value)).toEqual(['', TRACK2_HEX, PAN_HEX, '444F452F4A4F484E2020202020', '221231']);
  });

  it('keeps the F pad of a 19-digit PAN and hides a PAN too short to show 6 + 4', () => {
    const rows = describeTlv(decodeTlv(hex('5A 0A 4761739001010119123F', '5A 05 4761739001', '57 02 47D1')));
    expect(rows.map((r) => r.value)).toEqual(['476173*********9123F', '****', '****']);
  });

  it('masks track data tags 56, 9F1F, 9F20, 9F6B and 9F0B', () => {
    const rows = describeTlv(
      decodeTlv(hex('56 02 4231', '9F1F 02 3132', '9F20 02 1234', `9F6B 13 ${TRACK2_HEX}`, '9F0B 02 4142')),
    );
    expect(rows.map((r) => r.value)).toEqual(['****', '****', '****', `476173******0119D${'*'.repeat(21)}`, '****']);
  });

  it('names duplicates, proprietary DF tags, unknown tags and padding', () => {
    const rows = describeTlv(
      decodeTlv(hex('9F26 01 01', '9F26 01 02', 'DF8101 01 07', '9F7F 00', '00 00'), { padding: 'keep' }),
    );
    expect(rows.map((r) => [r.path, r.tag, r.name])).toEqual([
      ['9F26', '9F26', 'Application Cryptogram'],
      ['9F26#2', '9F26', 'Application Cryptogram'],
      ['DF8101', 'DF8101', 'Proprietary data (DF range)'],
      ['9F7F', '9F7F', 'Unknown tag'],
      ['00', '00', 'Padding'],
    ]);
  });

  it('lists nested templates depth first with the template length', () => {
    const rows = describeTlv(decodeTlv(hex('6F 0F 84 02 A000 A5 09 50 01 41 BF0C 03 DF01 00')));
    expect(rows.map((r) => [r.path, r.length])).toEqual([
      ['6F', 15],
      ['6F.84', 2],
      ['6F.A5', 9],
      ['6F.A5.50', 1],
      ['6F.A5.BF0C', 3],
      ['6F.A5.BF0C.DF01', 0],
    ]);
  });
});
