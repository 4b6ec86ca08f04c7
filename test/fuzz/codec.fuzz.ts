// npm run fuzz [-- --count N --seed S]: any bytes in gives a message or a ProtocolError, never another exception;
// and whatever decodes re-encodes to a message that decodes to the same values.
import { parseArgs } from 'node:util';
import { ProtocolError } from '../../protocol/errors.js';
import { messageToJson } from '../../protocol/json.js';
import { codecFor } from '../../protocol/message.js';
import { builtinSpecs } from '../../protocol/spec/index.js';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '1000000' }, seed: { type: 'string', default: String(Date.now() % 1e9) }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  console.log('npm run fuzz -- [--count N] [--seed S]\n\nFeeds N mutated and random inputs to every built-in spec\'s decoder.');
  process.exit(0);
}
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count <= 0) throw new TypeError('"--count" must be a positive integer');
if (!Number.isInteger(seed)) throw new TypeError('"--seed" must be an integer');

// xorshift32: reproducible from the printed seed
let state = seed >>> 0 || 1;
function rnd(n: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}

const codecs = Object.values(builtinSpecs).map((s) => codecFor(s));
const samples = codecs.map((c) =>
  c.encode(
    {
      mti: '0200',
      fields: {
        2: '4761739001010119', 3: '000000', 4: '000000001000', 11: '000123', 12: '231530', 14: '2512', 22: '051',
        35: '4761739001010119=2512201', 37: '123456789012', 41: 'TERM0001', 42: 'MERCHANT0000001', 49: '840',
        52: '7434F67813BAE545', 55: '9F2608A1B2C3D4E5F60718', 102: '12345',
      },
    },
    { pad: true },
  ),
);

function mutate(base: Buffer): Buffer {
  const b = Buffer.from(base);
  switch (rnd(5)) {
    case 0: // random bytes
      return Buffer.from(Array.from({ length: rnd(300) }, () => rnd(256)));
    case 1: // truncation
      return b.subarray(0, rnd(b.length + 1));
    case 2: // trailing garbage
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + rnd(8) }, () => rnd(256)))]);
    default: {
      // byte flips
      const flips = 1 + rnd(4);
      for (let i = 0; i < flips; i++) b[rnd(b.length)] = rnd(256);
      return b;
    }
  }
}

let decoded = 0;
let rejected = 0;
const started = Date.now();
const tty = process.stderr.isTTY;
for (let i = 0; i < count; i++) {
  const k = rnd(codecs.length);
  const codec = codecs[k];
  const input = mutate(samples[k]);
  try {
    const msg = codec.decode(input);
    decoded++;
    const again = codec.decode(codec.encode(msg));
    if (JSON.stringify(messageToJson(again)) !== JSON.stringify(messageToJson(msg))) {
      throw new Error(`re-encode changed the message (spec ${codec.spec.name}, input ${input.toString('hex')})`);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) {
      console.error(`fuzz: crash at input ${i} (seed ${seed}, spec ${codec.spec.name}): ${(e as Error).stack}`);
      console.error(`input: ${input.toString('hex')}`);
      process.exit(1);
    }
    rejected++;
  }
  if (tty && i % 50_000 === 0) process.stderr.write(`\r  ${Math.round((100 * i) / count)}% ${i.toLocaleString('en-US')} inputs`);
}
if (tty) process.stderr.write('\r\x1b[K');
const secs = (Date.now() - started) / 1000;
console.log(
  `fuzz: ${count.toLocaleString('en-US')} inputs (seed ${seed}), ${decoded.toLocaleString('en-US')} decoded, ` +
    `${rejected.toLocaleString('en-US')} rejected with ProtocolError, 0 crashes, ${secs.toFixed(1)} s`,
);
