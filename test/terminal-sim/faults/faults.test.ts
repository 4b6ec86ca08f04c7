import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSpecs, codecFor, verifyMessageMac, type IsoMessage } from '../../../protocol/index.js';
import { purchaseCommand, type CommandIo } from '../../../terminal-sim/commands/index.js';
import { stampOf, TestKeySets, type JournalEntry, type Terminal } from '../../../terminal-sim/device/index.js';
import {
  describeFaults,
  FaultError,
  openRiggedTerminal,
  parseFaultFlags,
  parseFaults,
  withFaults,
  type Action,
  type FaultRig,
  type FaultSet,
  type RawTransport,
} from '../../../terminal-sim/faults/index.js';
import { openTransport, parseTarget, resolveLinkOptions, type StreamTransport } from '../../../terminal-sim/transport/index.js';
import { startStack, testConfig, waitFor, type Stack } from '../../e2e/stack.js';
import { MERCHANT, readJournal, tempDir } from '../device/sim-stack.js';

// a listener that cuts off a frame left incomplete for 300 ms, so the stalled trickle is quick to show
let stack: Stack;
const open: Terminal[] = [];
const codec = codecFor(builtinSpecs.iso87binary);

beforeAll(async () => {
  const terminals = Array.from({ length: 40 }, (_, i) => ({ id: `TERM${String(i + 1).padStart(4, '0')}`, merchantId: MERCHANT, enabled: true }));
  const listener = { ...testConfig('', 0).listeners[0], frameTimeoutMs: 300 };
  stack = await startStack({ config: { terminals, listeners: [listener] } });
});
afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
  await stack?.close();
});

/** The raw link, recording every byte string written: what actually went on the wire. */
class Tap implements RawTransport {
  readonly writes: Buffer[] = [];
  constructor(readonly inner: StreamTransport) {}
  get description(): string {
    return this.inner.description;
  }
  get connected(): boolean {
    return this.inner.connected;
  }
  connect(ms?: number): Promise<void> {
    return this.inner.connect(ms);
  }
  frame(p: Buffer): Buffer {
    return this.inner.frame(p);
  }
  send(p: Buffer): Promise<void> {
    return this.writeRaw(this.inner.frame(p));
  }
  writeRaw(b: Buffer): Promise<void> {
    this.writes.push(Buffer.from(b));
    return this.inner.writeRaw(b);
  }
  receive(ms: number): Promise<Buffer> {
    return this.inner.receive(ms);
  }
  discard(): void {
    this.inner.discard();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  /** Whole frames written, decoded (2-byte length + 5-byte TPDU + message); partial writes are skipped. */
  messages(): IsoMessage[] {
    return this.writes.filter((w) => w.length > 7 && w.readUInt16BE(0) === w.length - 2).map((w) => codec.decode(w.subarray(7)));
  }
}

interface Rigged {
  t: Terminal;
  rig: FaultRig;
  tap: Tap;
  run<T>(action: Action, faults: FaultSet, fn: (t: Terminal) => Promise<T>): Promise<T>;
}

async function rigged(id: string, o: { timeoutMs?: number; floorLimit?: number } = {}): Promise<Rigged> {
  const tap = new Tap(openTransport(parseTarget(`tcp://127.0.0.1:${stack.port}`), resolveLinkOptions()));
  const { terminal: t, rig } = await openRiggedTerminal({ terminalId: id, merchantId: MERCHANT, dataDir: tempDir(), transport: tap, timeoutMs: o.timeoutMs ?? 3000, floorLimit: o.floorLimit });
  open.push(t);
  return { t, rig, tap, run: (action, faults, fn) => withFaults(t, rig, action, faults, () => fn(t)) };
}

async function gatewayTx(terminalId: string, e: Pick<JournalEntry, 'batch' | 'stan' | 'localDate'>) {
  const key = { terminalId, batchNo: e.batch, stan: e.stan, localDate: e.localDate };
  return (await stack.gw.store.findTransaction({ ...key, mtiClass: '020' })) ?? stack.gw.store.findTransaction({ ...key, mtiClass: '02' });
}

const rowsOf = (amount: number) => stack.stub.ledger().filter((r) => r.amount === amount);
const counter = async (c: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> => (await c.get()).values.reduce((n, v) => n + v.value, 0);

describe('wire faults, against the gateway and the acquirer stub', () => {
  it('drop-reply: the gateway and the acquirer approved; the terminal times out, reverses before its next sale, and the acquirer shows it reversed', async () => {
    const { t, rig, run } = await rigged('TERM0001', { timeoutMs: 300 });
    const lost = await run('purchase', { dropReply: true }, (x) => x.purchase({ amount: 10101 }));
    expect(lost).toMatchObject({ outcome: 'no_answer', receipt: null, reversalPending: true });
    expect(rig.transport!.applied).toEqual([{ fault: 'drop-reply', mti: '0200', stan: lost.entry!.stan }]);
    expect(readJournal(t.journalPath).reversal).toMatchObject({ reason: 'timeout' });
    expect(await gatewayTx('TERM0001', lost.entry!)).toMatchObject({ state: 'approved', captured: true, reversal: null });
    expect(rowsOf(10101)).toMatchObject([{ status: 'approved' }]);

    const next = await t.purchase({ amount: 500 });
    expect(next).toMatchObject({ outcome: 'approved', housekeeping: { reversal: { mti: '0400', responseCode: '00', cleared: true } } });
    expect(await gatewayTx('TERM0001', lost.entry!)).toMatchObject({ reversal: 'terminal', captured: false });
    await waitFor(() => rowsOf(10101)[0].status === 'reversed', 3000, 'acquirer reversal');
    expect(readJournal(t.journalPath).entries[0]).toMatchObject({ status: 'reversed', rrn: (await gatewayTx('TERM0001', lost.entry!))!.rrn });
  });

  it('disconnect: the gateway still relays and journals the sale; the terminal, cut off, reverses it on its next connection', async () => {
    const { t, rig, run } = await rigged('TERM0002');
    const cut = await run('purchase', { disconnect: true }, (x) => x.purchase({ amount: 10202 }));
    expect(cut).toMatchObject({ outcome: 'no_answer', reversalPending: true });
    expect(readJournal(t.journalPath).reversal).toMatchObject({ reason: 'closed' });
    expect(rig.transport!.connected).toBe(false);
    await waitFor(async () => (await gatewayTx('TERM0002', cut.entry!))?.state === 'approved', 3000, 'gateway approval');
    expect(rowsOf(10202)).toMatchObject([{ status: 'approved', terminalId: 'TERM0002' }]);
    expect(await t.purchase({ amount: 500 })).toMatchObject({ outcome: 'approved', housekeeping: { reversal: { responseCode: '00' } } });
    await waitFor(() => rowsOf(10202)[0].status === 'reversed', 3000, 'acquirer reversal');
  });

  it('send-twice: both copies reach the gateway, it answers the second from its journal, the acquirer charges once', async () => {
    const { t, tap, run } = await rigged('TERM0003');
    const before = await counter(stack.gw.metrics.duplicates);
    const r = await run('purchase', { sendTwice: true }, (x) => x.purchase({ amount: 10303 }));
    expect(r).toMatchObject({ outcome: 'approved', responseCode: '00' });
    expect(tap.writes).toHaveLength(2);
    expect(tap.writes[0].equals(tap.writes[1])).toBe(true);
    await waitFor(async () => (await counter(stack.gw.metrics.duplicates)) === before + 1, 2000, 'the duplicate counted');
    expect(rowsOf(10303)).toHaveLength(1);
    // the second answer arrives after the first: the next exchange skips it
    expect(await t.purchase({ amount: 500 })).toMatchObject({ outcome: 'approved' });
    expect(t.totals()).toEqual({ saleCount: 2, saleAmount: 10803, refundCount: 0, refundAmount: 0 });
  });

  it('corrupt (message): the gateway answers 30 it cannot address, journals nothing; the reversal then gets 25', async () => {
    const { t, tap, run } = await rigged('TERM0004', { timeoutMs: 300 });
    const before = await counter(stack.gw.metrics.framesRejected);
    const r = await run('purchase', { corrupt: 'message' }, (x) => x.purchase({ amount: 10404 }));
    expect(r).toMatchObject({ outcome: 'no_answer', reversalPending: true });
    expect(() => codec.decode(tap.writes[0].subarray(7))).toThrow();
    expect(await counter(stack.gw.metrics.framesRejected)).toBe(before + 1);
    expect(await gatewayTx('TERM0004', r.entry!)).toBeUndefined();
    expect(rowsOf(10404)).toHaveLength(0);
    const next = await t.purchase({ amount: 500 });
    expect(next.housekeeping.reversal).toMatchObject({ responseCode: '25', cleared: true });
    expect(readJournal(t.journalPath).entries[0]).toMatchObject({ status: 'reversed', reversalResponseCode: '25' });
  });

  it('corrupt (frame): an impossible length header; the gateway drops the connection', async () => {
    const { t, run } = await rigged('TERM0005', { timeoutMs: 1000 });
    const before = await counter(stack.gw.metrics.framesRejected);
    const r = await run('purchase', { corrupt: 'frame' }, (x) => x.purchase({ amount: 10505 }));
    expect(r).toMatchObject({ outcome: 'no_answer', reversalPending: true });
    expect(readJournal(t.journalPath).reversal).toMatchObject({ reason: 'closed' });
    expect(await counter(stack.gw.metrics.framesRejected)).toBe(before + 1);
    expect(rowsOf(10505)).toHaveLength(0);
    expect((await t.purchase({ amount: 500 })).housekeeping.reversal).toMatchObject({ responseCode: '25' });
  });

  it('slow: a request trickled out in small pieces is read whole; a stalled one is cut off by the gateway', async () => {
    const { t, tap, run } = await rigged('TERM0006');
    const r = await run('purchase', { slow: { chunk: 16, intervalMs: 10 } }, (x) => x.purchase({ amount: 10606 }));
    expect(r).toMatchObject({ outcome: 'approved' });
    expect(tap.writes.length).toBeGreaterThan(5);
    expect(tap.writes.every((w) => w.length <= 16)).toBe(true);
    expect(await gatewayTx('TERM0006', r.entry!)).toMatchObject({ state: 'approved', amount: 10606 });

    const stalled = await run('purchase', { slow: { chunk: 8, intervalMs: 500 } }, (x) => x.purchase({ amount: 10607 }));
    expect(stalled).toMatchObject({ outcome: 'no_answer', reversalPending: true });
    expect(await gatewayTx('TERM0006', stalled.entry!)).toBeUndefined();
    expect(rowsOf(10607)).toHaveLength(0);
    expect((await t.purchase({ amount: 500 })).housekeeping.reversal).toMatchObject({ responseCode: '25', cleared: true });
  });

  it('wrong-mac: field 64 goes out with a MAC that does not verify; the gateway (no MAC check yet) approves', async () => {
    const { tap, run } = await rigged('TERM0007');
    const r = await run('purchase', { wrongMac: true }, (x) => x.purchase({ amount: 10707 }));
    expect(r).toMatchObject({ outcome: 'approved' });
    const payload = tap.writes[0].subarray(7);
    const msg = codec.decode(payload);
    expect((msg.fields[64] as Buffer).length).toBe(8);
    expect(() => verifyMessageMac(codec, payload, msg, Buffer.from(TestKeySets.test.tak, 'hex'))).toThrow(expect.objectContaining({ code: 'MAC_MISMATCH' }));
    expect(await gatewayTx('TERM0007', r.entry!)).toMatchObject({ state: 'approved' });
  });

  it("clock-skew: fields 12 and 13 carry the terminal's wrong time, the gateway keys the sale by it, the acquirer sees the gateway's own time", async () => {
    const { t, run } = await rigged('TERM0008');
    const skew = -26 * 3_600_000;
    const expected = stampOf(Date.now() + skew);
    const today = stampOf(Date.now());
    const r = await run('purchase', { clockSkewMs: skew }, (x) => x.purchase({ amount: 10808 }));
    expect(r).toMatchObject({ outcome: 'approved', entry: { localDate: expected.localDate } });
    expect(r.receipt!.dateTime.slice(0, 10)).toBe(expected.at.slice(0, 10));
    expect(await gatewayTx('TERM0008', r.entry!)).toMatchObject({ state: 'approved', localDate: expected.localDate });
    expect(rowsOf(10808)[0].transmittedAt.slice(0, 4)).toBe(today.localDate);
    // back to the right time for the next transaction
    expect((await t.purchase({ amount: 500 })).entry!.localDate).toBe(today.localDate);
  });

  it('unknown-terminal: field 41 names a terminal the gateway does not know: 89, nothing journaled or relayed', async () => {
    const { t, tap, run } = await rigged('TERM0009');
    const before = stack.stub.ledger().length;
    const r = await run('purchase', { unknownTerminal: 'NOSUCH01' }, (x) => x.purchase({ amount: 10909 }));
    expect(r).toMatchObject({ outcome: 'declined', responseCode: '89', responseText: 'INVALID TERMINAL', receipt: { approved: false } });
    expect(tap.messages()[0].fields[41]).toBe('NOSUCH01');
    expect(await gatewayTx('TERM0009', r.entry!)).toBeUndefined();
    expect(await gatewayTx('NOSUCH01', r.entry!)).toBeUndefined();
    expect(stack.stub.ledger()).toHaveLength(before);
    expect(readJournal(t.journalPath).entries[0]).toMatchObject({ status: 'declined', responseCode: '89' });
  });
});

describe('device faults', () => {
  it('skip-reversal: the saved reversal never goes out; the acquirer keeps the charge the terminal has no receipt for', async () => {
    const { t, tap, run } = await rigged('TERM0010', { timeoutMs: 300 });
    const lost = await run('purchase', { dropReply: true }, (x) => x.purchase({ amount: 11010 }));
    expect(lost.outcome).toBe('no_answer');
    const next = await run('purchase', { skipReversal: true }, (x) => x.purchase({ amount: 500 }));
    expect(next).toMatchObject({ outcome: 'approved', housekeeping: { reversal: null } });
    expect(tap.messages().map((m) => m.mti)).toEqual(['0200', '0200']);
    const j = readJournal(t.journalPath);
    expect(j.reversal).toBeNull();
    expect(j.entries[0]).toMatchObject({ status: 'no_answer', faults: ['skip-reversal'] });
    expect(await gatewayTx('TERM0010', lost.entry!)).toMatchObject({ state: 'approved', captured: true, reversal: null });
    expect(rowsOf(11010)).toMatchObject([{ status: 'approved' }]);
    expect(t.receipts().map((r) => r.amount)).toEqual([500]);
  });

  it('print-approved-on-timeout: an APPROVED receipt with no auth code; the saved reversal still goes out and the acquirer reverses', async () => {
    const { t, run } = await rigged('TERM0011', { timeoutMs: 300 });
    const r = await run('purchase', { dropReply: true, printApprovedOnTimeout: true }, (x) => x.purchase({ amount: 11111 }));
    expect(r).toMatchObject({ outcome: 'approved', responseCode: '00', reversalPending: true, receipt: { approved: true, responseText: 'APPROVED', authCode: null, rrn: null } });
    expect(r.entry!.faults).toEqual(['print-approved-on-timeout']);
    await t.purchase({ amount: 500 });
    await waitFor(() => rowsOf(11111)[0]?.status === 'reversed', 3000, 'acquirer reversal');
    const entry = readJournal(t.journalPath).entries[0];
    // the 0410 named the original: the journal learns the RRN the receipt never had
    expect(entry).toMatchObject({ status: 'reversed', rrn: rowsOf(11111)[0].rrn });
    expect(t.receipts()[0]).toMatchObject({ approved: true, amount: 11111 });
  });

  it('skip-advice: the offline sale is dropped from the batch unsent; the batch settles in balance and the acquirer never hears of it', async () => {
    const { t, tap, run } = await rigged('TERM0012', { floorLimit: 5000 });
    const off = await t.purchase({ amount: 1212, offline: true });
    expect(off).toMatchObject({ outcome: 'approved', responseCode: 'Y1' });
    const s = await run('settle', { skipAdvice: true }, (x) => x.settle());
    expect(s).toMatchObject({ outcome: 'approved', responseCode: '00', totals: { saleCount: 0 }, uploaded: 0 });
    expect(tap.messages().map((m) => m.mti)).toEqual(['0500']);
    expect(readJournal(t.journalPath).batches[0]).toMatchObject({ totals: { saleCount: 0 } });
    expect(t.receipts()[0]).toMatchObject({ approved: true, offline: true, amount: 1212 });
    expect(rowsOf(1212)).toHaveLength(0);
    expect(await stack.gw.store.getBatch('TERM0012', '000001')).toMatchObject({ status: 'balanced' });
  });
});

describe('fault switches', () => {
  it('parse from the CLI form and the scenario form, and name a bad one', () => {
    const set = parseFaultFlags(['drop-reply', 'clock-skew=-26h', 'slow=8/100ms', 'corrupt=frame', 'unknown-terminal']);
    expect(set).toEqual({ dropReply: true, clockSkewMs: -93_600_000, slow: { chunk: 8, intervalMs: 100 }, corrupt: 'frame', unknownTerminal: 'UNKNOWN0' });
    expect(describeFaults(set)).toEqual(['drop-reply', 'corrupt=frame', 'slow=8/100ms', 'clock-skew=-26h', 'unknown-terminal=UNKNOWN0']);
    expect(parseFaults({ slow: { chunk: 2, interval: '1s' }, 'wrong-mac': true, 'skip-reversal': false }, 'f')).toEqual({ slow: { chunk: 2, intervalMs: 1000 }, wrongMac: true });
    expect(() => parseFaultFlags(['drop-replies'])).toThrow(FaultError);
    expect(() => parseFaultFlags(['drop-replies'])).toThrow(/--fault drop-replies: unknown fault/);
    expect(() => parseFaults({ slow: { chunk: 0 } }, 'steps[2].faults')).toThrow('steps[2].faults.slow.chunk: must be an integer from 1 to 4096 (bytes)');
    expect(() => parseFaults({ 'clock-skew': 'tomorrow' }, 'x')).toThrow(/^x.clock-skew: the skew must be a duration/);
    expect(() => parseFaults({ 'drop-reply': 'yes' }, 'x')).toThrow('x.drop-reply: takes no value (true)');
  });

  it('terminal-sim purchase --fault drop-reply exits 2 with the reversal pending; an unknown fault is a usage error naming it', async () => {
    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: string[] = [];
      const err: string[] = [];
      stdout.on('data', (c: Buffer) => out.push(c.toString()));
      stderr.on('data', (c: Buffer) => err.push(c.toString()));
      const io: CommandIo = { stdout, stderr, env: {}, cwd: tempDir() };
      const code = await purchaseCommand.run(args, io);
      return { code, out: out.join(''), err: err.join('') };
    };
    const base = ['--target', `tcp://127.0.0.1:${stack.port}`, '--terminal', 'TERM0013', '--merchant', MERCHANT, '--amount', '13.13', '--timeout', '300ms'];
    const r = await run([...base, '--fault', 'drop-reply', '--fault', 'clock-skew=+2h', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ outcome: 'no_answer', reversalPending: true, entry: { localDate: stampOf(Date.now() + 7_200_000).localDate } });
    const bad = await run([...base, '--fault', 'drop-replies']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('--fault drop-replies: unknown fault');
    const help = await run(['--help']);
    expect(help.out).toContain('print-approved-on-timeout');
  });
});
