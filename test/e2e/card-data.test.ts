import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTlv } from '../../protocol/index.js';
import { startStack } from './stack.js';
import { sale } from './terminal-client.js';

const PAN = '5413330089020011';
const TRACK2 = `${PAN}=28122011758928889`;
const PIN_BLOCK = Buffer.from('7434F67813BAE545', 'hex');
const EMV = encodeTlv(
  new Map<string, Buffer>([
    ['5A', Buffer.from(PAN, 'hex')],
    ['57', Buffer.from(`${PAN}D28122011758928889F`, 'hex')],
    ['9F26', Buffer.from('A1B2C3D4E5F60718', 'hex')],
    ['9F02', Buffer.from('000000001234', 'hex')],
  ]),
);

/** Every way a card number, a track or a PIN block could sit in a file: text, hex in either case, packed bytes. */
const needles: { what: string; bytes: Buffer }[] = [
  { what: 'PAN as text', bytes: Buffer.from(PAN) },
  { what: 'PAN as packed digits', bytes: Buffer.from(PAN, 'hex') },
  { what: 'track 2 discretionary data', bytes: Buffer.from('2011758928889') },
  { what: 'track 2 as hex', bytes: Buffer.from(`${PAN}D2812`) },
  { what: 'PIN block bytes', bytes: PIN_BLOCK },
  { what: 'PIN block hex', bytes: Buffer.from(PIN_BLOCK.toString('hex').toUpperCase()) },
  { what: 'PIN block hex, lower case', bytes: Buffer.from(PIN_BLOCK.toString('hex')) },
];

describe('card data at rest', () => {
  it('leaves no full PAN, track data or PIN block in the journal, the ledger or the logs', async () => {
    const stack = await startStack();
    try {
      const t = await stack.terminal();
      const byPan = await t.request(sale(t, { pan: PAN, amount: 1234, extra: { 52: PIN_BLOCK, 55: EMV } }));
      expect(byPan.fields[39]).toBe('00');
      const byTrack = sale(t, { amount: 2345 });
      delete (byTrack.fields as Record<number, unknown>)[2];
      (byTrack.fields as Record<number, unknown>)[35] = TRACK2;
      expect((await t.request(byTrack)).fields[39]).toBe('00');
      expect((await t.request(sale(t, { pan: PAN, amount: 1005 }))).fields[39]).toBe('05');
      // an upload of a receipt the gateway never saw, with the card in it
      const receipt = sale(t, { pan: PAN, amount: 999, mti: '0320', extra: { 60: '0200999999000001' } });
      expect((await t.request(receipt)).fields[39]).toBe('00');
      const tx = await stack.gw.store.findByRrn(byPan.fields[37] as string);
      expect(tx?.panMasked).toBe('541333******0011');
      expect(tx?.panHash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await stack.close();
    }
    const files = readdirSync(stack.dir).map((f) => join(stack.dir, f));
    expect(files.some((f) => f.endsWith('gateway.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('gateway.log'))).toBe(true);
    for (const file of files) {
      const content = readFileSync(file);
      for (const n of needles) expect(content.includes(n.bytes), `${n.what} found in ${file}`).toBe(false);
    }
  });
});
