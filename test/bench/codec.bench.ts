// npm run bench: our codec against iso_8583 (the one ISO 8583 package on the npm registry), same message, same run.
import { createRequire } from 'node:module';
import { codecFor, type MessageCodec } from '../../protocol/message.js';
import { builtinSpecs } from '../../protocol/spec/index.js';

const require = createRequire(import.meta.url);
type PeerMessage = Record<number, string>;
interface PeerCtor {
  new (data?: PeerMessage): { getRawMessage(): Buffer; getIsoJSON(b: Buffer, c: { lenHeader: boolean }): PeerMessage & { error?: string } };
}
const Peer = require('iso_8583') as PeerCtor;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

/** A typical 24-field purchase request from a terminal: magnetic stripe, PIN, no secondary bitmap. */
const fields: Record<number, string> = {
  2: '4761739001010119',
  3: '000000',
  4: '000000001000',
  7: '1121231530',
  11: '000123',
  12: '231530',
  13: '1121',
  14: '2512',
  18: '5411',
  22: '051',
  23: '001',
  25: '00',
  26: '12',
  32: '423935',
  33: '111111111',
  35: '4761739001010119=25122011758928889',
  37: '123456789012',
  41: 'TERM0001',
  42: 'MERCHANT0000001',
  43: 'My Terminal Business                    ',
  49: '840',
  52: '7434F67813BAE545',
  60: 'BATCH000001',
  62: 'INV000123',
};

/** Runs `fn` repeatedly for SECONDS (after a warm-up), three rounds, and returns the best rate in ops/s. */
function rate(fn: () => unknown): number {
  const deadline = (s: number): bigint => process.hrtime.bigint() + BigInt(Math.round(s * 1e9));
  for (const end = deadline(0.2); process.hrtime.bigint() < end; ) fn();
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round((SECONDS / 3) * 1e9));
    let now = start;
    while (now < end) {
      for (let i = 0; i < 1000; i++) fn();
      n += 1000;
      now = process.hrtime.bigint();
    }
    best = Math.max(best, n / (Number(now - start) / 1e9));
  }
  return best;
}

function ours(codec: MessageCodec): { encode: number; decode: number } {
  const msg = { mti: '0200', fields };
  const packed = codec.encode(msg);
  const check = codec.decode(packed);
  if (check.fields[43] !== fields[43] || Object.keys(check.fields).length !== 24) throw new Error(`${codec.spec.name}: round trip failed`);
  return { encode: rate(() => codec.encode(msg)), decode: rate(() => codec.decode(packed)) };
}

function peer(): { encode: number; decode: number } {
  const data: PeerMessage = { 0: '0200', ...fields, 35: fields[35].replace('=', 'D') };
  const raw = new Peer(data).getRawMessage();
  const back = new Peer().getIsoJSON(raw, { lenHeader: false });
  if (back.error || back[43] !== fields[43]) throw new Error(`iso_8583 round trip failed: ${back.error}`);
  return { encode: rate(() => new Peer(data).getRawMessage()), decode: rate(() => new Peer().getIsoJSON(raw, { lenHeader: false })) };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const results = { iso87ascii: ours(codecFor(builtinSpecs.iso87ascii)), iso87binary: ours(codecFor(builtinSpecs.iso87binary)) };
const base = peer();
for (const [name, r] of Object.entries(results)) {
  console.log(`  ${name.padEnd(12)} encode ${fmt(r.encode).padStart(11)} msg/s   decode ${fmt(r.decode).padStart(11)} msg/s`);
}
console.log(`  ${'iso_8583'.padEnd(12)} encode ${fmt(base.encode).padStart(11)} msg/s   decode ${fmt(base.decode).padStart(11)} msg/s`);
// the summary takes the slower of our two specs, so it never flatters
const encode = Math.min(results.iso87ascii.encode, results.iso87binary.encode);
const decode = Math.min(results.iso87ascii.decode, results.iso87binary.decode);
console.log(`codec: encode ${fmt(encode)} msg/s (${(encode / base.encode).toFixed(1)}× iso_8583), decode ${fmt(decode)} msg/s (${(decode / base.decode).toFixed(1)}× iso_8583)`);
