import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { encodeSerialFrame, lrc, SerialFrameDecoder, SerialLink } from '../../../../protocol/framing/index.js';

/**
 * hardware-notes.md must never drift from the code: every `hex` block in it is a serial frame the library decodes and
 * re-encodes byte for byte; every LRC step table (header "| Step | Bytes | XOR of these bytes | Running LRC |")
 * is recomputed, and must walk the bytes of the frame above it from the first length byte through ETX; the option
 * table gives the library's defaults; the LRC one-liner prints what the library computes.
 */

const doc = readFileSync(new URL('../../../../hardware-notes.md', import.meta.url), 'utf8');
const lines = doc.split('\n');
const STEP_HEADER = '| Step | Bytes | XOR of these bytes | Running LRC |';

const bytesOf = (cell: string) => Buffer.from(cell.replace(/[`\s]/g, ''), 'hex');
const cells = (row: string) => row.split('|').slice(1, -1).map((c) => c.trim());

interface HexBlock {
  line: number;
  bytes: Buffer;
}

function hexBlocks(): HexBlock[] {
  const out: HexBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```hex') continue;
    const body: string[] = [];
    for (i++; lines[i].trim() !== '```'; i++) body.push(lines[i]);
    out.push({ line: i + 1, bytes: Buffer.from(body.join('').replace(/\s+/g, ''), 'hex') });
  }
  return out;
}

interface StepTable {
  line: number;
  rows: string[][];
}

function stepTables(): StepTable[] {
  const out: StepTable[] = [];
  lines.forEach((l, i) => {
    if (l.trim() !== STEP_HEADER) return;
    const rows: string[][] = [];
    for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) rows.push(cells(lines[j]));
    out.push({ line: i + 1, rows });
  });
  return out;
}

describe('hardware-notes.md', () => {
  const blocks = hexBlocks();
  const tables = stepTables();

  it('has the two worked examples', () => {
    expect(blocks).toHaveLength(2);
    expect(tables).toHaveLength(2);
  });

  it.each(blocks)('the hex block ending at line $line is one frame the library decodes and re-encodes', ({ bytes }) => {
    const events = new SerialFrameDecoder().push(bytes);
    expect(events.map((e) => e.type)).toEqual(['frame']);
    const payload = (events[0] as { payload: Buffer }).payload;
    expect(encodeSerialFrame(payload)).toEqual(bytes);
  });

  it.each(tables)('the LRC step table at line $line adds up, over the bytes of its frame', ({ line, rows }) => {
    const frame = blocks.filter((b) => b.line < line).at(-1)?.bytes as Buffer;
    const [seedRow, ...steps] = rows;
    expect(seedRow[0]).toBe('seed');
    let running = bytesOf(seedRow[3])[0];
    const walked: Buffer[] = [];
    for (const [step, bytes, xor, after] of steps) {
      const b = bytesOf(bytes);
      expect(lrc(b), step).toBe(bytesOf(xor)[0]);
      running ^= bytesOf(xor)[0];
      expect(running, step).toBe(bytesOf(after)[0]);
      walked.push(b);
    }
    expect(Buffer.concat(walked)).toEqual(frame.subarray(1, -1));
    expect(running).toBe(frame[frame.length - 1]);
  });

  it('lists the link options with their real defaults', () => {
    const shown: Record<string, string> = {
      retries: '3',
      ackTimeoutMs: '2000 ms',
      interCharTimeoutMs: '500 ms',
      lrcCovers: '`length-to-etx`',
      lrcSeed: '0',
      maxFrameSize: '4096 bytes',
    };
    const defaults = new SerialLink().options as Record<string, unknown>;
    expect(Object.keys(shown).sort()).toEqual(Object.keys(defaults).sort());
    for (const [key, text] of Object.entries(shown)) {
      expect(doc).toContain(`| \`${key}\` | ${text} |`);
      expect(text.replace(/[` ]|ms|bytes/g, '')).toBe(String(defaults[key]));
    }
  });

  it('gives an LRC one-liner that prints what the library computes', () => {
    const command = lines.find((l) => l.startsWith('node -e ') && l.includes('x^=parseInt'));
    expect(command).toBeDefined();
    const out = execFileSync('sh', ['-c', command as string], { encoding: 'utf8' }).trim();
    expect(out).toBe(lrc(Buffer.from('000331323303', 'hex')).toString(16).padStart(2, '0'));
    expect(out).toBe('30');
  });
});
