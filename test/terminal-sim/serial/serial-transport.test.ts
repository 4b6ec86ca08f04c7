import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseCommand, type CommandIo } from '../../../terminal-sim/commands/index.js';
import { builtinSpecs, codecFor } from '../../../protocol/index.js';
import {
  isSerialTarget,
  parseSerialFaultFlags,
  parseSerialTarget,
  resolveLinkOptions,
  SerialTransport,
  TransportError,
} from '../../../terminal-sim/transport/index.js';
import { serialPortConfig, terminalsWith, waitPortState } from '../../gateway/serial/harness.js';
import { hasSocat, PtyPair, ptySuite } from '../../gateway/serial/pty.js';
import { startStack, waitFor, type Stack } from '../../e2e/stack.js';

// The simulator's serial transport over a real pty pair: the gateway (real serialport bindings) on one end, the
// terminal-sim purchase command on the other, the acquirer stub behind the gateway.

const TERMINAL = 'SERIALS1';
const MERCHANT = 'MERCHANT0000001';
// short link timers on both ends so retransmissions are quick; pause=400ms is well over the 100 ms inter-char limit
const LINK = { ackTimeoutMs: 300, interCharTimeoutMs: 100 };

describe('serial target parsing', () => {
  it('takes a path and the line settings, 9600 8N1 stx-etx by default', () => {
    expect(isSerialTarget('serial:/dev/ttyUSB0')).toBe(true);
    expect(isSerialTarget('tcp://127.0.0.1:9000')).toBe(false);
    expect(parseSerialTarget('serial:/dev/ttyUSB0')).toEqual({ scheme: 'serial', path: '/dev/ttyUSB0', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, framing: 'stx-etx' });
    expect(parseSerialTarget('serial:///dev/ttyS1?baud=19200&dataBits=7&parity=even&stopBits=2&framing=length')).toMatchObject({
      path: '/dev/ttyS1',
      baudRate: 19200,
      dataBits: 7,
      parity: 'even',
      stopBits: 2,
      framing: 'length',
    });
  });

  it('names the bad option', () => {
    for (const [url, msg] of [
      ['serial:/dev/ttyUSB0?baud=fast', '"baud"'],
      ['serial:/dev/ttyUSB0?parity=maybe', '"parity"'],
      ['serial:/dev/ttyUSB0?stopBits=3', '"stopBits"'],
      ['serial:/dev/ttyUSB0?framing=slip', '"framing"'],
      ['serial:/dev/ttyUSB0?speed=9600', 'unknown option "speed"'],
      ['serial:', 'is not serial:PATH'],
    ]) {
      expect(() => parseSerialTarget(url)).toThrow(TransportError);
      expect(() => parseSerialTarget(url)).toThrow(msg);
    }
  });

  it('parses the line faults', () => {
    expect(parseSerialFaultFlags(['corrupt-byte', 'drop-ack', 'repeat-frame', 'pause=800ms', 'break'])).toEqual({
      corruptByte: true,
      dropAck: true,
      repeatFrame: true,
      pauseMs: 800,
      breakMs: 250,
    });
    expect(parseSerialFaultFlags(['pause'])).toEqual({ pauseMs: 1000 });
    expect(() => parseSerialFaultFlags(['pause=forever'])).toThrow('--fault pause');
    expect(() => parseSerialFaultFlags(['drop-ack=1'])).toThrow('takes no value');
  });
});

let stack: Stack;
let pair: PtyPair;
let dataDir: string;

beforeAll(async () => {
  if (!hasSocat) return;
  pair = await PtyPair.open();
  dataDir = mkdtempSync(join(tmpdir(), 'sim-serial-'));
  stack = await startStack({
    config: { terminals: terminalsWith(TERMINAL), serialPorts: [serialPortConfig('counter-sim', pair.a, { link: LINK })] },
  });
  await waitPortState(stack.gw, 'counter-sim', 'open');
});
afterAll(async () => {
  await stack?.close();
  await pair?.close();
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => ({ write: (s: string) => (into.push(String(s)), true) }) as unknown as NodeJS.WritableStream;
  const io: CommandIo = { stdout: sink(out), stderr: sink(err), env: {}, cwd: dataDir };
  const code = await purchaseCommand.run(args, io);
  return { code, out: out.join(''), err: err.join('') };
}

function target(): string {
  return `serial:${pair.b}?baud=9600&ackTimeoutMs=${LINK.ackTimeoutMs}&interCharTimeoutMs=${LINK.interCharTimeoutMs}`;
}

/** A purchase over the pty; returns the ledger rows of its RRN once the command is done. */
async function purchase(amount: string, faults: string[] = []) {
  const r = await run([
    '--target', target(), '--terminal', TERMINAL, '--merchant', MERCHANT, '--data-dir', dataDir, '--amount', amount, '--timeout', '5s', '--json',
    ...faults.flatMap((f) => ['--fault', f]),
  ]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const json = JSON.parse(r.out) as { outcome: string; entry: { rrn: string } };
  expect(json.outcome).toBe('approved');
  return json.entry.rrn;
}

async function chargedOnce(rrn: string, minor: number): Promise<void> {
  // a repeated request reaches the gateway after the reply: give its duplicate check the time to run
  await new Promise((r) => setTimeout(r, 300));
  await waitFor(() => stack.stub.ledger({ rrn }).length > 0, 3000, 'ledger row');
  expect(stack.stub.ledger({ rrn })).toMatchObject([{ amount: minor, status: 'approved', terminalId: TERMINAL }]);
  const approved = stack.stub.ledger({ status: 'approved' }).filter((row) => row.terminalId === TERMINAL && row.amount === minor);
  expect(approved).toHaveLength(1);
}

describe.skipIf(!hasSocat)(ptySuite('terminal-sim purchase over a serial pty pair'), () => {
  it('approves a purchase, in the stub ledger once', async () => {
    const rrn = await purchase('12.01');
    await chargedOnce(rrn, 1201);
  });

  for (const [fault, amount] of [
    ['corrupt-byte', '12.02'],
    ['drop-ack', '12.03'],
    ['repeat-frame', '12.04'],
    ['pause=400ms', '12.07'],
    ['break=100ms', '12.06'],
  ] as const) {
    it(`--fault ${fault}: still exactly one charge`, async () => {
      const before = stack.gw.serial.get('counter-sim');
      expect(before?.state).toBe('open');
      const rrn = await purchase(amount, [fault]);
      await chargedOnce(rrn, Math.round(Number(amount) * 100));
    });
  }

  it('the transport on its own: a break (a close and reopen on a pty) and a dropped ACK, the repeated reply taken once', async () => {
    const codec = codecFor(builtinSpecs.iso87binary);
    const t = new SerialTransport(parseSerialTarget(target()), resolveLinkOptions());
    await t.connect();
    try {
      t.arm({ breakMs: 50, dropAck: true });
      await t.send(codec.encode({ mti: '0800', fields: { 11: '000901', 41: TERMINAL, 42: MERCHANT, 70: '301' } }, { pad: true }));
      expect(codec.decode(await t.receive(3000))).toMatchObject({ mti: '0810', fields: { 11: '000901', 39: '00' } });
      await waitFor(() => t.faultLog.repeatsDropped === 1, 3000, 'the retransmitted reply');
      // a pty refuses TIOCSBRK ("Inappropriate ioctl for device"): the break is made by closing and reopening the port
      expect(t.faultLog).toMatchObject({ breaks: ['reopen'], acksDropped: 1, repeatsDropped: 1 });
      await expect(t.receive(200)).rejects.toMatchObject({ code: 'TIMEOUT' });
      expect(t.linkStats).toMatchObject({ acked: 1, repeats: 1 });
    } finally {
      t.disarm();
      await t.close();
    }
  });

  it('the faults showed on the gateway side of the line', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${stack.gw.ports.http}/health`)).json()) as {
      serialPorts: { name: string; link: { naksSent: number; retransmissions: number; repeats: number } }[];
    };
    const link = health.serialPorts.find((p) => p.name === 'counter-sim')!.link;
    // corrupt-byte (bad LRC) and pause (stalled frame) each drew a NAK; drop-ack a retransmitted reply; repeat-frame a repeat
    expect(link.naksSent).toBeGreaterThanOrEqual(2);
    expect(link.retransmissions).toBeGreaterThanOrEqual(1);
    expect(link.repeats).toBeGreaterThanOrEqual(1);
  });

  it('--help documents the serial target and the line faults; a line fault on TCP is a usage error', async () => {
    const help = await run(['--help']);
    expect(help.out).toContain('serial:PATH?baud=9600');
    for (const name of ['corrupt-byte', 'drop-ack', 'repeat-frame', 'pause', 'break']) expect(help.out).toContain(name);
    const tcp = await run(['--target', 'tcp://127.0.0.1:1', '--terminal', TERMINAL, '--amount', '1.00', '--fault', 'drop-ack']);
    expect(tcp.code).toBe(64);
    expect(tcp.err).toContain('applies to serial: targets only');
  });
});
