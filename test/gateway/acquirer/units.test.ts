import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Backoff, matchKey, networkRequest, StanCounter, transmissionDateTime } from '../../../gateway/acquirer/index.js';
import { PendingTable, type PendingRequest } from '../../../gateway/acquirer/pending.js';

describe('StanCounter', () => {
  it('counts 000001.. and wraps from 999999 to 000001, never giving 000000', () => {
    const s = new StanCounter(999_998);
    expect([s.next(), s.next(), s.next(), s.next()]).toEqual(['999998', '999999', '000001', '000002']);
    expect(new StanCounter().next()).toBe('000001');
  });

  it('refuses a first STAN outside 1..999999', () => {
    for (const bad of [0, 1_000_000, 1.5, Number.NaN]) expect(() => new StanCounter(bad)).toThrow('"initialStan"');
  });
});

describe('Backoff', () => {
  it('doubles from initialMs up to maxMs and starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('takes up to jitter off each delay', () => {
    expect(new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1).next()).toBe(50);
    expect(new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0).next()).toBe(100);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempts, jitter) => {
        const b = new Backoff({ initialMs: 200, maxMs: 10_000, jitter });
        for (let i = 0; i < attempts; i++) b.next();
        const d = b.next();
        return Number.isFinite(d) && d >= Math.floor(200 * (1 - jitter)) && d <= 10_000;
      }),
    );
  });
});

describe('network messages and keys', () => {
  it('writes field 7 as MMDDhhmmss in UTC', () => {
    expect(transmissionDateTime(Date.UTC(2024, 11, 31, 23, 59, 58))).toBe('1231235958');
    expect(transmissionDateTime(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('0102030405');
  });

  it('writes field 7 from the time given, whatever times came before (the last second is kept)', () => {
    const direct = (ms: number): string => new Date(ms).toISOString().replace(/\D/g, '').slice(4, 14);
    const base = Date.UTC(2024, 11, 31, 23, 59, 58);
    // runs of nearby times (same second, the next, the one before, fractions) after jumps anywhere
    const times = fc.array(fc.tuple(fc.integer({ min: 0, max: 4e12 }), fc.array(fc.double({ min: -2500, max: 2500, noNaN: true }), { maxLength: 6 })), { maxLength: 8 });
    fc.assert(
      fc.property(times, (runs) => {
        for (const [at, steps] of [[base, [0, 999, 1000, -1, 0.5, 1999.9]] as [number, number[]], [0, [-1000, -0.5, 0.5, -1000.5]] as [number, number[]], ...runs]) {
          for (const step of steps) expect(transmissionDateTime(at + step)).toBe(direct(at + step));
        }
      }),
    );
  });

  it('builds an 0800 with 7, 11 and 70', () => {
    expect(networkRequest('301', '000042', Date.UTC(2024, 2, 5, 14, 7, 9))).toEqual({
      mti: '0800',
      fields: { 7: '0305140709', 11: '000042', 70: '301' },
    });
  });

  it('keys on MTI class, STAN and RRN, so a request and its reply share a key', () => {
    expect(matchKey({ mti: '0200', fields: { 11: '000123', 37: '412345678901' } })).toBe('02|000123|412345678901');
    expect(matchKey({ mti: '0210', fields: { 11: '000123', 37: '412345678901', 39: '00' } })).toBe('02|000123|412345678901');
    expect(matchKey({ mti: '0810', fields: { 11: '000007' } })).toBe('08|000007|');
  });
});

describe('PendingTable', () => {
  const entry = (key: string, deadlineMs = 60_000): PendingRequest => {
    const sentMono = performance.now();
    return { key, mti: '0200', sentAt: 1, deadlineAt: 2, sentMono, deadlineMs, deadlineMono: sentMono + deadlineMs, resolve() {}, reject() {} };
  };
  const never = (): void => {
    throw new Error('no deadline should pass');
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('remembers at most lateMemory expired keys, oldest forgotten first', () => {
    const t = new PendingTable(2, never);
    for (const k of ['a', 'b', 'c']) t.expire(entry(k));
    expect(t.expired('a')).toBeUndefined();
    expect(t.expired('b')).toEqual({ sentAt: 1, deadlineAt: 2 });
    expect(t.expired('c')).toBeDefined();
  });

  it('remembers nothing with lateMemory 0', () => {
    const t = new PendingTable(0, never);
    t.expire(entry('a'));
    expect(t.expired('a')).toBeUndefined();
  });

  it('takes and drains entries', () => {
    const t = new PendingTable(10, never);
    t.add(entry('a'));
    t.add(entry('b'));
    expect(t.take('a')?.key).toBe('a');
    expect(t.take('a')).toBeUndefined();
    expect(t.drain().map((e) => e.key)).toEqual(['b']);
    expect(t.size).toBe(0);
  });

  it('hands each request whose deadline passed to onDeadline, in the order sent, not before its deadline', async () => {
    const due: { key: string; late: number }[] = [];
    const t = new PendingTable(10, (e) => {
      due.push({ key: e.key, late: performance.now() - e.deadlineMono });
      t.take(e.key);
    });
    // the later deadline first: the one timer is set again for the earlier ones
    t.add(entry('slow', 150));
    t.add(entry('a', 20));
    t.add(entry('b', 20));
    t.add(entry('answered', 20));
    expect(t.take('answered')?.key).toBe('answered');
    await sleep(80);
    expect(due.map((d) => d.key)).toEqual(['a', 'b']);
    expect(t.size).toBe(1);
    await sleep(150);
    expect(due.map((d) => d.key)).toEqual(['a', 'b', 'slow']);
    for (const d of due) expect(d.late).toBeGreaterThanOrEqual(0);
    expect(t.size).toBe(0);
  });

  it('expires requests added in deadline order in turn, setting the timer again for the next', async () => {
    const due: { key: string; late: number }[] = [];
    const t = new PendingTable(10, (e) => {
      due.push({ key: e.key, late: performance.now() - e.deadlineMono });
      t.take(e.key);
    });
    t.add(entry('a', 30));
    await sleep(10);
    t.add(entry('b', 300));
    await sleep(100);
    expect(due.map((d) => d.key)).toEqual(['a']);
    await sleep(300);
    expect(due.map((d) => d.key)).toEqual(['a', 'b']);
    for (const d of due) expect(d.late).toBeGreaterThanOrEqual(0);
  });

  it('never hands on a request taken or drained before its deadline', async () => {
    const t = new PendingTable(10, never);
    t.add(entry('a', 10));
    t.add(entry('b', 10));
    t.take('a');
    t.drain();
    t.add(entry('c', 10));
    t.take('c');
    await sleep(40);
    expect(t.size).toBe(0);
  });
});
