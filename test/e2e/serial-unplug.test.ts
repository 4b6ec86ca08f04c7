import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoMessage } from '../../protocol/index.js';
import { defaultRules } from '../../terminal-sim/acquirer/index.js';
import { serialPortConfig, terminalsWith, waitPortState } from '../gateway/serial/harness.js';
import { hasSocat, PtyPair, ptySuite } from '../gateway/serial/pty.js';
import { SerialTestTerminal, txRequest } from '../gateway/serial/serial-terminal.js';
import { startStack, waitFor, type Stack } from './stack.js';
import { sale } from './terminal-client.js';

// Pulling the cable mid-transaction: socat ends (both ptys close, as when a USB adapter is unplugged), then a new
// socat makes the pair again on the same paths (symlinks), as when it is plugged back. The outcome must be the one
// a TCP disconnect gives: the request that reached the gateway is processed once, the terminal's repeat after the
// reopen is answered from the journal as a duplicate, and the acquirer charges once.

// amounts ending 71 are answered after slowMs: long enough to pull the cable while the gateway waits for the acquirer
const rules = { ...defaultRules, cards: {}, timings: { slowMs: 600, lateMs: 1500 } };
const LINK = { ackTimeoutMs: 200, interCharTimeoutMs: 40 };
const ID = 'UNPLUG01';

let stack: Stack;
let pair: PtyPair;
let t: SerialTestTerminal;

beforeAll(async () => {
  if (!hasSocat) return;
  pair = await PtyPair.open();
  stack = await startStack({
    stub: { rules },
    config: {
      terminals: terminalsWith(ID),
      serialPorts: [serialPortConfig('counter', pair.a, { link: LINK, reopen: { initialMs: 50, maxMs: 400, jitter: 0 } })],
    },
  });
  await waitPortState(stack.gw, 'counter', 'open');
  t = await SerialTestTerminal.open(pair.b, { link: LINK }, 700_000);
});
afterAll(async () => {
  await t?.close();
  await stack?.close();
  await pair?.close();
});

const duplicates = async (): Promise<number> => (await stack.gw.metrics.duplicates.get()).values[0]?.value ?? 0;
/** A request journaled as forwarded, its acquirer reply not yet recorded. */
const upstream = async (): Promise<boolean> => (await stack.gw.store.inFlight()).length > 0;
const charges = (amount: number) => stack.stub.ledger().filter((r) => r.amount === amount);

describe.skipIf(!hasSocat)(ptySuite('a serial cable pulled mid-transaction and plugged back'), () => {
  it('processes the purchase once and answers the repeat after the reopen from the journal, as over TCP', async () => {
    // over TCP first: the connection drops while the gateway waits for the acquirer, the terminal reconnects and
    // sends the same request again
    const tcpAmount = 2171;
    const before = await duplicates();
    const first = await stack.terminal();
    const tcpReq = sale(first, { amount: tcpAmount, terminalId: 'TERM0001' });
    first.request(tcpReq).catch(() => undefined);
    await waitFor(upstream, 3000, 'the purchase waiting for the acquirer');
    first.close();
    const second = await stack.terminal();
    const tcpAnswer = await second.request(tcpReq);
    const tcpDuplicates = (await duplicates()) - before;

    // the same over a serial line
    const amount = 1171;
    const req = txRequest({ terminalId: ID, stan: t.nextStan(), amount });
    const answer = t.request(req, { timeoutMs: 8000, resendAfterMs: 400 });
    await waitFor(upstream, 3000, 'the purchase waiting for the acquirer');
    await pair.unplug();
    await waitPortState(stack.gw, 'counter', 'reopening');
    await waitFor(() => !t.isOpen, 2000, "the terminal's port closed too");
    // unplugged until the acquirer's answer came and the reply was dropped with its session
    await waitFor(async () => !(await upstream()), 3000, 'the acquirer answered');
    await pair.plug();
    await t.reopen();
    await waitPortState(stack.gw, 'counter', 'open');
    const res = await answer;
    const serialDuplicates = (await duplicates()) - before - tcpDuplicates;

    expect(res.fields[39]).toBe('00');
    expect(charges(amount)).toHaveLength(1);
    expect(charges(tcpAmount)).toHaveLength(1);
    // the same outcome: approved, charged once, the second sending answered as a duplicate
    const outcome = (a: IsoMessage, rows: number, dups: number) => ({ rc: a.fields[39], rows, dups });
    expect(outcome(res, charges(amount).length, serialDuplicates)).toEqual(outcome(tcpAnswer, charges(tcpAmount).length, tcpDuplicates));
    expect(serialDuplicates).toBe(1);
    expect(res.fields[37]).toBe(charges(amount)[0].rrn);

    const status = stack.gw.serial.get('counter')!.status();
    expect(status).toMatchObject({ state: 'open', reopens: 1, lastError: null });
    expect(status.link!.repeats).toBeGreaterThanOrEqual(1);
    const log = readFileSync(stack.logFile, 'utf8');
    expect(log).toMatch(/"serialPort":"counter".*"state":"reopening".*serial port lost or not openable/);
    expect(log).toMatch(/"serialPort":"counter".*"state":"open","reopens":1/);
  });

  it('drops a frame cut off by the unplug: nothing is processed until the terminal sends it whole again', async () => {
    const amount = 1200;
    const req = txRequest({ terminalId: ID, stan: t.nextStan(), amount });
    // the first 20 bytes of an STX/ETX frame, then the cable goes
    const { encodeSerialFrame, tpdu, writeTpdu, builtinSpecs, codecFor } = await import('../../protocol/index.js');
    const frame = encodeSerialFrame(Buffer.concat([writeTpdu(tpdu(1, 0)), codecFor(builtinSpecs.iso87binary).encode(req, { pad: true })]));
    t.writeRaw(frame.subarray(0, 20));
    await new Promise((r) => setTimeout(r, 20));
    await pair.replug();
    await t.reopen();
    await waitPortState(stack.gw, 'counter', 'open');
    expect(charges(amount)).toHaveLength(0);
    const res = await t.request(req, { timeoutMs: 5000, resendAfterMs: 1000 });
    expect(res.fields[39]).toBe('00');
    expect(charges(amount)).toHaveLength(1);
  });

  it('keeps trying with growing delays while the port is missing, and reports it in /health', async () => {
    const failures = (): number => stack.gw.serial.get('counter')!.status().openFailures;
    const before = failures();
    await pair.unplug();
    await waitFor(() => failures() >= before + 3, 3000, 'open attempts');
    const health = (await (await fetch(`http://127.0.0.1:${stack.gw.ports.http}/health`)).json()) as {
      status: string;
      serialPorts: { state: string; lastError: string | null; openFailures: number }[];
    };
    // a lost terminal is not a gateway fault: the status stays ok
    expect(health.status).toBe('ok');
    expect(health.serialPorts[0]).toMatchObject({ state: 'reopening' });
    expect(health.serialPorts[0].lastError).toMatch(/no such file|cannot open/i);
    const metrics = await (await fetch(`http://127.0.0.1:${stack.gw.ports.http}/metrics`)).text();
    expect(metrics).toMatch(/posgw_serial_port_state\{port="counter"\} [23]/);
    expect(metrics).toMatch(new RegExp(`posgw_serial_open_failures_total\\{port="counter"\\} ${failures()}`));
    expect(metrics).toMatch(/posgw_serial_reopens_total\{port="counter"\} 2/);
    // the delays double up to reopen.maxMs
    const delays = readFileSync(stack.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"serialPort":"counter"') && l.includes('"delayMs"'))
      .map((l) => (JSON.parse(l) as { delayMs: number }).delayMs);
    expect(delays.slice(-3)).toEqual(expect.arrayContaining([400]));
    expect(Math.max(...delays)).toBe(400);
    await pair.plug();
    await t.reopen();
    await waitPortState(stack.gw, 'counter', 'open', 3000);
    expect((await t.request(txRequest({ terminalId: ID, stan: t.nextStan(), amount: 1300 }))).fields[39]).toBe('00');
  });
});
