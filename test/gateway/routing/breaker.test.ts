import { describe, expect, it } from 'vitest';
import { BreakerState, BrokenCircuitError, CircuitBreaker } from '../../../gateway/routing/breaker.js';

class Unknown extends Error {}
class Declined extends Error {}

function breaker(consecutiveFailures = 3, halfOpenAfterMs = 1000) {
  let now = 0;
  const b = new CircuitBreaker({ consecutiveFailures, halfOpenAfterMs, isFailure: (e) => e instanceof Unknown, now: () => now });
  const states: BreakerState[] = [];
  let breaks = 0;
  b.onStateChange((s) => states.push(s));
  b.onBreak(() => breaks++);
  return {
    b,
    states,
    breaks: () => breaks,
    advance: (ms: number) => (now += ms),
    ok: () => b.execute(async () => 'ok'),
    fail: () => b.execute(async () => Promise.reject(new Unknown('timed out'))).catch((e: unknown) => e),
    other: () => b.execute(async () => Promise.reject(new Declined('declined'))).catch((e: unknown) => e),
  };
}

describe('circuit breaker', () => {
  it('opens on the configured number of failures in a row, and then refuses without running the request', async () => {
    const t = breaker(3);
    await t.fail();
    await t.fail();
    expect(t.b.state).toBe(BreakerState.closed);
    expect(await t.fail()).toBeInstanceOf(Unknown);
    expect(t.b.state).toBe(BreakerState.open);
    expect(t.breaks()).toBe(1);
    let ran = false;
    await expect(t.b.execute(async () => (ran = true))).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(ran).toBe(false);
  });

  it('starts the count over on a success; errors that are not failures count neither way', async () => {
    const t = breaker(3);
    await t.fail();
    await t.fail();
    expect(await t.ok()).toBe('ok');
    await t.fail();
    await t.fail();
    expect(await t.other()).toBeInstanceOf(Declined);
    expect(t.b.state).toBe(BreakerState.closed);
    await t.fail();
    expect(t.b.state).toBe(BreakerState.open);
  });

  it('lets one probe through after the interval: its success closes, its failure opens for another interval', async () => {
    const t = breaker(1, 1000);
    await t.fail();
    t.advance(999);
    expect(t.b.probeDue()).toBe(false);
    await expect(t.ok()).rejects.toBeInstanceOf(BrokenCircuitError);
    t.advance(1);
    expect(t.b.probeDue()).toBe(true);
    await t.fail();
    expect(t.b.state).toBe(BreakerState.open);
    expect(t.breaks()).toBe(2);
    t.advance(500);
    await expect(t.ok()).rejects.toBeInstanceOf(BrokenCircuitError);
    t.advance(500);
    expect(await t.ok()).toBe('ok');
    expect(t.states).toEqual([BreakerState.open, BreakerState.halfOpen, BreakerState.open, BreakerState.halfOpen, BreakerState.closed]);
  });

  it('holds requests made during a probe until its outcome, then runs them as the breaker says', async () => {
    const t = breaker(1, 1000);
    await t.fail();
    t.advance(1000);
    let release!: () => void;
    const probe = t.b.execute(() => new Promise<string>((resolve) => (release = () => resolve('probe'))));
    // half-open at once: no second request is taken for a probe
    expect(t.b.state).toBe(BreakerState.halfOpen);
    expect(t.b.probeDue()).toBe(false);
    let ran = false;
    const waiting = t.b.execute(async () => {
      ran = true;
      return 'after';
    });
    await Promise.resolve();
    expect(ran).toBe(false);
    release();
    expect(await probe).toBe('probe');
    expect(await waiting).toBe('after');
    expect(t.b.state).toBe(BreakerState.closed);
  });

  it('counts failures only while closed: late failures of requests sent before it opened do not reopen it', async () => {
    const t = breaker(2, 1000);
    const slow: (() => void)[] = [];
    const inFlight = [1, 2, 3].map(() => t.b.execute(() => new Promise<never>((_, reject) => slow.push(() => reject(new Unknown('late'))))).catch(() => undefined));
    slow[0]();
    slow[1]();
    await Promise.resolve();
    await Promise.resolve();
    expect(t.b.state).toBe(BreakerState.open);
    slow[2]();
    await Promise.all(inFlight);
    expect(t.breaks()).toBe(1);
  });
});
