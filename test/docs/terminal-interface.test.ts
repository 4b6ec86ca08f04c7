import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reply } from '../../gateway/flow/reply.js';
import { RC } from '../../gateway/responses.js';
import { builtinSpecs, codecFor, FrameDecoder, replyTpdu, type FieldSpec, type IsoMessage, type Tpdu } from '../../protocol/index.js';

/**
 * docs/terminal-interface.md must never drift from the wire: every `hex` block in it is decoded as a terminal frame
 * (2-byte length, TPDU, iso87binary), and checked against the field table the doc gives for its MTI.
 *
 * Markers the doc keeps: a hex example is a fenced block tagged `hex` whose nearest non-empty line above starts
 * "Frame MTI nnnn" (and says "(N bytes)"); a field table follows a line starting "Fields MTI nnnn", with the columns
 * Field | Name | Format | Presence | Rules. An example is checked against the nearest table above it for its MTI.
 */

const doc = readFileSync(new URL('../../docs/terminal-interface.md', import.meta.url), 'utf8');
const lines = doc.split('\n');
const spec = builtinSpecs.iso87binary;
const codec = codecFor(spec);

interface Example {
  line: number;
  label: string;
  mti: string;
  bytes: Buffer;
}

interface TableRow {
  field: number;
  name: string;
  format: string;
  presence: string;
}

interface FieldTable {
  line: number;
  mti: string;
  rows: TableRow[];
}

function lastNonEmptyBefore(i: number): string {
  for (let j = i - 1; j >= 0; j--) if (lines[j].trim() !== '') return lines[j].trim();
  return '';
}

function parseExamples(): Example[] {
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```hex\s*$/.test(lines[i])) continue;
    const label = lastNonEmptyBefore(i);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j++) body.push(lines[j]);
    const hex = body.join(' ');
    if (!/^[0-9A-Fa-f\s]*$/.test(hex)) throw new Error(`line ${i + 1}: a hex block holds something other than hex digits`);
    const digits = hex.replace(/\s+/g, '');
    if (digits.length % 2 !== 0) throw new Error(`line ${i + 1}: a hex block has an odd number of digits`);
    out.push({ line: i + 1, label, mti: /^Frame MTI (\d{4})\b/.exec(label)?.[1] ?? '', bytes: Buffer.from(digits, 'hex') });
    i = j;
  }
  return out;
}

function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

function parseTables(): FieldTable[] {
  const out: FieldTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^Fields MTI (\d{4})\b/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    const header = cells(lines[j]);
    if (header.join('|') !== 'Field|Name|Format|Presence|Rules') throw new Error(`line ${j + 1}: unexpected field table header`);
    const rows: TableRow[] = [];
    for (j += 2; j < lines.length && lines[j].startsWith('|'); j++) {
      const [field, name, format, presence] = cells(lines[j]);
      rows.push({ field: Number(field), name, format, presence });
    }
    out.push({ line: i + 1, mti: m[1], rows });
  }
  return out;
}

/** The doc's way of writing an iso87binary format: "n 6 BCD", "n..19 BCD, LL BCD prefix", "b...999 binary, LLL BCD prefix". */
function formatOf(f: FieldSpec): string {
  const enc = (e: string): string => (e === 'bcd' ? 'BCD' : e === 'ascii' ? 'ASCII' : e);
  if (f.prefix === undefined) return `${f.class} ${f.length} ${enc(f.encoding)}`;
  return `${f.class}${'.'.repeat(f.prefix.digits)}${f.length} ${enc(f.encoding)}, ${'L'.repeat(f.prefix.digits)} ${enc(f.prefix.encoding)} prefix`;
}

const isRequest = (mti: string): boolean => Number(mti[2]) % 2 === 0;

function decodeFrame(bytes: Buffer): { tpdu: Tpdu | undefined; msg: IsoMessage } {
  const decoder = new FrameDecoder({ header: 'binary2', tpdu: true, maxFrameSize: 8192 });
  const frames = decoder.push(bytes);
  expect(frames).toHaveLength(1);
  expect(decoder.midFrame).toBe(false);
  decoder.end();
  return { tpdu: frames[0].tpdu, msg: codec.decode(frames[0].payload) };
}

const examples = parseExamples();
const tables = parseTables();

function tableFor(ex: Example): FieldTable | undefined {
  return tables.filter((t) => t.mti === ex.mti && t.line < ex.line).at(-1);
}

describe('docs/terminal-interface.md', () => {
  it('labels every hex example with its MTI and byte count', () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) {
      expect(ex.label, `hex block at line ${ex.line}`).toMatch(/^Frame MTI \d{4}\b.*\((\d+) bytes\):$/);
      expect(Number(/\((\d+) bytes\):$/.exec(ex.label)?.[1]), `byte count of line ${ex.line}`).toBe(ex.bytes.length);
    }
  });

  it('has a request and a response example of every message of the terminal profile', () => {
    const mtis = new Set(examples.map((e) => e.mti));
    for (const mti of ['0800', '0810', '0100', '0110', '0200', '0210', '0220', '0230', '0400', '0410', '0500', '0510', '0320', '0330']) {
      expect(mtis, `an example of ${mti}`).toContain(mti);
    }
    const decoded = examples.map((e) => decodeFrame(e.bytes).msg);
    const procs = (mti: string): string[] => decoded.filter((m) => m.mti === mti).map((m) => String(m.fields[3]));
    expect(procs('0200')).toEqual(expect.arrayContaining(['000000', '200000', '020000']));
    expect(procs('0500')).toEqual(expect.arrayContaining(['920000', '960000']));
    const advices = decoded.filter((m) => m.mti === '0220');
    expect(advices.some((m) => m.fields[37] !== undefined), 'a completion (0220 with 37)').toBe(true);
    expect(advices.some((m) => m.fields[37] === undefined && m.fields[38] !== undefined), 'an offline sale (0220 with 38, no 37)').toBe(true);
  });

  describe.each(examples.map((e) => [`${e.label.replace(/:$/, '')} (line ${e.line})`, e] as const))('%s', (_name, ex) => {
    it('is exactly one complete frame that decodes to its MTI', () => {
      expect(ex.bytes.readUInt16BE(0)).toBe(ex.bytes.length - 2);
      const { tpdu, msg } = decodeFrame(ex.bytes);
      expect(tpdu).toBeDefined();
      expect(msg.mti).toBe(ex.mti);
    });

    it('carries the fields its table requires, and no field its table leaves out', () => {
      const table = tableFor(ex);
      expect(table, `a "Fields MTI ${ex.mti}" table above line ${ex.line}`).toBeDefined();
      const { msg } = decodeFrame(ex.bytes);
      const present = Object.keys(msg.fields).map(Number);
      const must = table!.rows.filter((r) => r.presence === 'required' || r.presence === 'always').map((r) => r.field);
      for (const n of must) expect(present, `field ${n} of ${ex.mti}`).toContain(n);
      const listed = table!.rows.map((r) => r.field);
      for (const n of present) expect(listed, `field ${n} of the ${ex.mti} example is in its table`).toContain(n);
    });
  });

  it('answers each request example as the gateway would: response MTI, swapped TPDU, the echoed fields, field 39', () => {
    let pairs = 0;
    for (const [i, ex] of examples.entries()) {
      if (isRequest(ex.mti)) continue;
      const request = examples
        .slice(0, i)
        .reverse()
        .find((e) => isRequest(e.mti) && e.mti.slice(0, 2) === ex.mti.slice(0, 2));
      expect(request, `a request above the ${ex.mti} at line ${ex.line}`).toBeDefined();
      const req = decodeFrame(request!.bytes);
      const res = decodeFrame(ex.bytes);
      expect(res.tpdu, `TPDU of line ${ex.line}`).toEqual(replyTpdu(req.tpdu!));
      // what the gateway adds to a reply besides 39; everything else must be exactly its echo of the request
      const added: Record<number, string> = {};
      for (const n of [37, 38, 44, 63, 70]) if (typeof res.msg.fields[n] === 'string') added[n] = res.msg.fields[n] as string;
      const expected = reply(req.msg, String(res.msg.fields[39]), added);
      expect({ mti: res.msg.mti, fields: { ...res.msg.fields } }, `reply at line ${ex.line}`).toEqual({ mti: expected.mti, fields: { ...expected.fields } });
      pairs++;
    }
    expect(pairs).toBeGreaterThan(0);
  });

  it('gives each field the name and format iso87binary gives it, and a known presence', () => {
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) {
      const allowed = isRequest(t.mti) ? ['required', 'optional', 'conditional'] : ['always', 'echoed', 'when approved', 'conditional'];
      for (const row of t.rows) {
        const f = spec.fields[String(row.field)];
        const where = `field ${row.field} in the table at line ${t.line}`;
        expect(f, where).toBeDefined();
        expect(row.name, where).toBe(f.name);
        expect(row.format, where).toBe(formatOf(f));
        expect(allowed, where).toContain(row.presence);
      }
    }
  });

  it('lists every response code the gateway knows in its response code table', () => {
    const start = lines.findIndex((l) => /^## \d+\. Response codes/.test(l));
    expect(start).toBeGreaterThan(0);
    const codes = new Set<string>();
    for (let j = start + 1; j < lines.length && !lines[j].startsWith('## '); j++) {
      if (!lines[j].startsWith('|')) continue;
      for (const code of cells(lines[j])[0].match(/\b\d{2}\b/g) ?? []) codes.add(code);
    }
    for (const code of Object.values(RC)) expect(codes, `response code ${code}`).toContain(code);
  });
});
