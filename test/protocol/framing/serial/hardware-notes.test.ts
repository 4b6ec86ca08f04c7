import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import ts from 'typescript';
import { describe, it, expect } from 'vitest';
import { parseConfig } from '../../../../gateway/config/index.js';
import type { SerialPortConfig } from '../../../../gateway/config/types.js';
import type { FlowContext } from '../../../../gateway/flow/context.js';
import { buildHttp } from '../../../../gateway/http.js';
import { createMetrics } from '../../../../gateway/metrics.js';
import { SerialPorts } from '../../../../gateway/serial/index.js';
import type { Store } from '../../../../gateway/store/types.js';
import { builtinSpecs, codecFor } from '../../../../protocol/index.js';
import {
  encodeSerialFrame,
  lrc,
  SerialFrameDecoder,
  SerialLink,
  type LinkAction,
} from '../../../../protocol/framing/index.js';

/**
 * hardware-notes.md must never drift from the code: every `hex` block in it is a serial frame the library decodes and
 * re-encodes byte for byte; every LRC step table (header "| Step | Bytes | XOR of these bytes | Running LRC |")
 * is recomputed, and must walk the bytes of the frame above it from the first length byte through ETX; the option
 * table gives the library's defaults; the LRC one-liner prints what the library computes. For the gateway (section
 * 10): the `serialPorts` example is a valid config whose first port spells out every default, the key table gives
 * those defaults, the metric names and `event` labels are the gateway's, the /health entry has the real shape. The
 * SerialLink driver sample of section 6 runs, with timers that fire early as Node's can.
 */

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const doc = readFileSync(join(ROOT, 'hardware-notes.md'), 'utf8');
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

/** The bodies of the fenced blocks of one language, in order. */
function codeBlocks(lang: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```' + lang) continue;
    const body: string[] = [];
    for (i++; lines[i].trim() !== '```'; i++) body.push(lines[i]);
    out.push(body.join('\n'));
  }
  return out;
}

/** The first cells of the rows of the table under `header`. */
function tableKeys(header: string): string[] {
  const at = lines.findIndex((l) => l.trim() === header);
  expect(at, header).toBeGreaterThan(-1);
  const keys: string[] = [];
  for (let j = at + 2; j < lines.length && lines[j].startsWith('|'); j++) keys.push(cells(lines[j])[0]);
  return keys;
}

/** Backticked names in a cell: "`bytes_in`, `bytes_out`" -> ["bytes_in", "bytes_out"]. */
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The type of every leaf: two objects with the same shape have the same keys, nested, with the same kinds of value. */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
}

/** The demo config (listeners, acquirer, merchant, terminals, key) with the doc's `serialPorts` example. */
const base = JSON.parse(readFileSync(join(ROOT, 'gateway/config/demo.json'), 'utf8')) as Record<string, unknown>;
const serialBlock = codeBlocks('json').find((b) => b.trimStart().startsWith('"serialPorts"'));
const written = JSON.parse(`{${serialBlock ?? ''}}`) as { serialPorts: Record<string, unknown>[] };
const parsedPorts = (): SerialPortConfig[] => parseConfig({ ...base, ...written }, 'hardware-notes.md').serialPorts!;

function silentContext(metrics: ReturnType<typeof createMetrics>): FlowContext {
  return { logger: pino({ level: 'silent' }), metrics } as unknown as FlowContext;
}

describe('hardware-notes.md section 10: the gateway serial ports', () => {
  it('gives a serialPorts example that parseConfig accepts, its first port spelling out every default', () => {
    expect(serialBlock).toBeDefined();
    const ports = parsedPorts();
    expect(ports).toHaveLength(written.serialPorts.length);
    // nothing filled in: every key is written out
    expect(ports[0]).toEqual(written.serialPorts[0]);
    ports.forEach((p, i) => expect(p).toMatchObject(written.serialPorts[i]));
    const defaults = parseConfig({ ...base, serialPorts: [{ name: 'x', path: '/dev/x' }] }).serialPorts![0];
    expect({ ...ports[0], name: 'x', path: '/dev/x' }).toEqual(defaults);
  });

  it('lists every key of a port in its table, with the real default', () => {
    const defaults = parseConfig({ ...base, serialPorts: [{ name: 'x', path: '/dev/x' }] }).serialPorts![0];
    const flat: [string, unknown][] = Object.entries(defaults).flatMap(([k, v]) =>
      typeof v === 'object' && v !== null ? Object.entries(v).map(([k2, v2]): [string, unknown] => [`${k}.${k2}`, v2]) : [[k, v]],
    );
    const shown = tableKeys('| Key | Default | What it is |').map((c) => ticked(c)[0]);
    expect([...shown].sort()).toEqual(flat.map(([k]) => k).sort());
    for (const [key, value] of flat) {
      if (key === 'name' || key === 'path') expect(doc).toContain(`| \`${key}\` | required |`);
      else expect(doc, key).toContain(`| \`${key}\` | \`${JSON.stringify(value)}\` |`);
    }
  });

  const distConfig = join(ROOT, 'dist/gateway/config/index.js');
  it.skipIf(!existsSync(distConfig))('gives a config check one-liner that prints the ports with defaults filled in (built dist)', () => {
    const command = lines.find((l) => l.startsWith('node -e ') && l.includes('loadConfig'));
    expect(command).toBeDefined();
    expect(command!.endsWith(' gateway.json')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'hardware-notes-'));
    try {
      const file = join(dir, 'gateway.json');
      const run = () => spawnSync('sh', ['-c', `${command!.slice(0, -'gateway.json'.length)}'${file}'`], { cwd: ROOT, encoding: 'utf8' });
      writeFileSync(file, JSON.stringify({ ...base, ...written }));
      const good = run();
      expect(good.status).toBe(0);
      expect(JSON.parse(good.stdout)).toEqual(parsedPorts());
      writeFileSync(file, JSON.stringify({ ...base, serialPorts: [{ name: 'counter-1', path: '/dev/x', link: { interCharTimeoutMs: 2500 } }] }));
      const bad = run();
      expect(bad.status).toBe(1);
      expect(bad.stderr.trim().split('\n')).toEqual([
        `${file}: invalid configuration (1 problem)`,
        '  config.serialPorts[0].link.interCharTimeoutMs: must be < ackTimeoutMs (2000)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the gateway's posgw_serial_* metrics and every event label", async () => {
    const metrics = createMetrics();
    const registered = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('posgw_serial_'));
    expect([...new Set(doc.match(/posgw_serial_[a-z_]+/g))].sort()).toEqual(registered.sort());
    expect(tableKeys('| Metric | Type | Meaning |').map((c) => ticked(c)[0]).sort()).toEqual(registered.sort());

    const serial = new SerialPorts(parsedPorts(), () => codecFor(builtinSpecs.iso87binary), silentContext(metrics));
    serial.publish(metrics);
    const events = (await metrics.serialLink.get()).values.filter((v) => v.labels.port === 'counter-1').map((v) => String(v.labels.event));
    expect(tableKeys('| Event | What it counts | Framing |').flatMap(ticked).sort()).toEqual(events.sort());
  });

  it('shows a /health serialPorts entry of the real shape; null link with length framing', async () => {
    const example = codeBlocks('json').find((b) => b.includes('"framing"') && b.trimStart().startsWith('{'));
    expect(example).toBeDefined();
    const metrics = createMetrics();
    const ctx = silentContext(metrics);
    const serial = new SerialPorts(parsedPorts(), () => codecFor(builtinSpecs.iso87binary), ctx);
    const store = { safStats: async () => ({ depth: 0, oldestCreatedAt: null }) } as unknown as Store;
    const app = buildHttp({ links: new Map(), gates: new Map(), store, metrics, clock: { now: () => Date.now() }, logger: ctx.logger, serial });
    try {
      const health = (await app.inject({ method: 'GET', url: '/health' })).json() as { serialPorts: Record<string, unknown>[] };
      const [linked, plain] = health.serialPorts;
      expect(shape(JSON.parse(example!))).toEqual(shape(linked));
      expect(plain).toMatchObject({ framing: 'length', link: null });
    } finally {
      await app.close();
    }
  });
});

describe('hardware-notes.md section 6: the SerialLink driver sample', () => {
  const source = codeBlocks('ts').find((b) => b.includes('new SerialLink('));
  const js = ts.transpileModule((source ?? '').replace(/^import .*$/gm, ''), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const MESSAGE = Buffer.from('6000010000080020200000008000000000010000000000', 'hex');

  /**
   * Runs the sample on a virtual clock. Node's timers may fire a little before performance.now() reaches their
   * delay: here every timer longer than 1 ms fires 1 ms early.
   */
  function start() {
    let now = 1000.25;
    let nextTimer = 1;
    const timers = new Map<number, { at: number; fn: () => void }>();
    const handlers = new Map<string, (arg?: unknown) => void>();
    const writes: { at: number; bytes: Buffer }[] = [];
    const settled: LinkAction[] = [];
    const env: Record<string, unknown> = {
      SerialLink,
      performance: { now: () => now },
      setTimeout: (fn: () => void, ms: number) => {
        const d = Math.max(1, ms);
        timers.set(nextTimer, { at: now + (d > 1 ? d - 1 : d), fn });
        return nextTimer++;
      },
      clearTimeout: (id: number | undefined) => void (id !== undefined && timers.delete(id)),
      port: { write: (bytes: Buffer) => void writes.push({ at: now, bytes: Buffer.from(bytes) }), on: (e: string, f: (arg?: unknown) => void) => void handlers.set(e, f) },
      onMessage: () => undefined,
      settle: (_id: number, a: LinkAction) => void settled.push(a),
      message: MESSAGE,
    };
    new Function(...Object.keys(env), js)(...Object.values(env));
    /** Fires timers in order until none is left (or a bound, should the sample spin). */
    const runTimers = (): void => {
      for (let n = 0; n < 1000 && timers.size > 0; n++) {
        const [id, t] = [...timers.entries()].sort((x, y) => x[1].at - y[1].at)[0];
        timers.delete(id);
        now = Math.max(now, t.at);
        t.fn();
      }
    };
    return { timers, handlers, writes, settled, runTimers };
  }

  it('is in the doc and imports nothing but the library and node:perf_hooks', () => {
    expect(source).toBeDefined();
    expect(source!.match(/^import .*$/gm)).toEqual([
      "import { performance } from 'node:perf_hooks';",
      "import { SerialLink, type LinkAction } from './protocol/index.js';",
    ]);
  });

  it('retransmits on every ACK timeout although each timer fires early, then fails after the retries', () => {
    const { timers, writes, settled, runTimers } = start();
    runTimers();
    expect(writes).toHaveLength(4);
    expect(writes.every((w) => w.bytes.equals(writes[0].bytes))).toBe(true);
    // never before the ACK timeout
    for (let i = 1; i < writes.length; i++) expect(writes[i].at - writes[i - 1].at).toBeGreaterThanOrEqual(2000);
    expect(settled).toEqual([{ type: 'failed', id: 1, reason: 'ack-timeout', attempts: 4 }]);
    expect(timers.size).toBe(0);
  });

  it('settles on the ACK and leaves no timer behind; a close fails what is in flight', () => {
    const acked = start();
    acked.handlers.get('data')!(Buffer.of(0x06));
    expect(acked.settled).toEqual([{ type: 'sent', id: 1, attempts: 1 }]);
    expect(acked.timers.size).toBe(0);

    const unplugged = start();
    unplugged.handlers.get('close')!();
    expect(unplugged.settled).toEqual([{ type: 'failed', id: 1, reason: 'reset', attempts: 1 }]);
    expect(unplugged.timers.size).toBe(0);
  });
});
