import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoMessage } from '../../protocol/index.js';
import { serialPortConfig, terminalsWith, waitPortState } from '../gateway/serial/harness.js';
import { hasSocat, PtyPair, ptySuite } from '../gateway/serial/pty.js';
import { SerialTestTerminal, txRequest } from '../gateway/serial/serial-terminal.js';
import { startStack, type Stack } from './stack.js';

// 1,000 purchases over noisy serial lines: 1% of the bytes corrupted in both directions and 2% of the ACKs lost in
// both directions, injected at the terminals' ends of real pty pairs. Four terminals on four ports share the work
// (a serial terminal does one transaction at a time; the lines' waits overlap). Every purchase must end with exactly
// one answer, one charge at the acquirer, and nothing charged twice.

const PORTS = 4;
const TX = 1000;
// short timers (a pty has no wire time); retries raised for a line this bad: with the default 3, about 1 frame in
// 8 would fail outright at 1% byte errors, and the terminal would have to wait out its reply timeout
const LINK = { ackTimeoutMs: 120, interCharTimeoutMs: 25, retries: 15 };
const FAULTS = { corruptRate: 0.01, dropAckRate: 0.02 };

const ids = Array.from({ length: PORTS }, (_, i) => `NOISY00${i + 1}`);
let stack: Stack;
const pairs: PtyPair[] = [];
const terminals: SerialTestTerminal[] = [];

beforeAll(async () => {
  if (!hasSocat) return;
  pairs.push(...(await Promise.all(ids.map(() => PtyPair.open()))));
  stack = await startStack({
    config: {
      terminals: terminalsWith(...ids),
      serialPorts: pairs.map((pair, i) => serialPortConfig(`noisy-${i + 1}`, pair.a, { link: LINK })),
    },
  });
  await Promise.all(pairs.map((_, i) => waitPortState(stack.gw, `noisy-${i + 1}`, 'open')));
  for (const [i, pair] of pairs.entries()) {
    terminals.push(await SerialTestTerminal.open(pair.b, { link: LINK, faults: { ...FAULTS, seed: 1000 + i } }, i * 100_000));
  }
});
afterAll(async () => {
  await Promise.all(terminals.map((t) => t.close()));
  await stack?.close();
  await Promise.all(pairs.map((p) => p.close()));
});

describe.skipIf(!hasSocat)(ptySuite('1,000 purchases over lines with 1% of bytes corrupted and ACKs lost'), () => {
  it('completes every purchase exactly once, with no double charge at the acquirer', { timeout: 60_000 }, async () => {
    const started = Date.now();
    const answers: { amount: number; res: IsoMessage }[] = [];
    await Promise.all(
      terminals.map(async (t, i) => {
        for (let n = 0; n < TX / PORTS; n++) {
          // amounts ending 00: the stub approves them
          const amount = (i * 1000 + n + 1) * 100;
          const res = await t.request(txRequest({ terminalId: ids[i], stan: t.nextStan(), amount }), { timeoutMs: 30_000, resendAfterMs: 3_000 });
          answers.push({ amount, res });
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const sum = (f: (t: SerialTestTerminal) => number) => terminals.reduce((s, t) => s + f(t), 0);
    const out = sum((t) => t.faults.corruptedOut) / sum((t) => t.faults.bytesOut);
    const inn = sum((t) => t.faults.corruptedIn) / sum((t) => t.faults.bytesIn);
    const gw = stack.gw.serial.status();
    const g = (f: (s: (typeof gw)[number]) => number) => gw.reduce((s, p) => s + f(p), 0);
    console.log(
      `serial noise: ${TX} purchases in ${seconds.toFixed(1)} s over ${PORTS} ptys; corrupted ${(out * 100).toFixed(2)}% out, ` +
        `${(inn * 100).toFixed(2)}% in; gateway NAKs ${g((s) => s.link!.naksSent)}, retransmissions ${g((s) => s.link!.retransmissions)}, ` +
        `repeats ${g((s) => s.link!.repeats)}, failed ${g((s) => s.link!.failed)}; terminal resends ${sum((t) => t.resends)}, ` +
        `stray replies ${sum((t) => t.strayReplies)}`,
    );

    expect(answers).toHaveLength(TX);
    expect(answers.filter((a) => a.res.fields[39] !== '00')).toEqual([]);
    // the answer echoes the purchase it answers
    expect(answers.filter((a) => Number(a.res.fields[4]) !== a.amount)).toEqual([]);
    const rrns = answers.map((a) => a.res.fields[37] as string);
    expect(new Set(rrns).size).toBe(TX);

    const rows = stack.stub.ledger().filter((r) => r.terminalId !== null && ids.includes(r.terminalId));
    expect(rows).toHaveLength(TX);
    expect(rows.filter((r) => r.duplicateRrn)).toEqual([]);
    expect(new Set(rows.map((r) => r.rrn))).toEqual(new Set(rrns));
    expect(rows.every((r) => r.status === 'approved')).toBe(true);
    expect(stack.stub.ledgerSummary().charged.count).toBe(TX);
    // no damaged frame got past the LRC, either way
    expect(sum((t) => t.undecodable)).toBe(0);
    expect(await stack.gw.metrics.framesRejected.get()).toMatchObject({ values: [] });

    // the faults did happen, on both sides of the line
    expect(out).toBeGreaterThan(0.008);
    expect(inn).toBeGreaterThan(0.008);
    expect(g((s) => s.link!.naksSent)).toBeGreaterThan(100);
    expect(g((s) => s.link!.retransmissions)).toBeGreaterThan(100);
    expect(g((s) => s.link!.repeats)).toBeGreaterThan(0);
    expect(sum((t) => t.linkStats!.naksSent)).toBeGreaterThan(100);

  });
});
