import { describe, expect, it } from 'vitest';
import { BatchGate } from '../../../gateway/flow/batch-gate.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BatchGate', () => {
  it('lets requests in at once while no settlement runs, and counts them per batch', () => {
    const gate = new BatchGate();
    expect(gate.enter('T1|000001')).toBeUndefined();
    expect(gate.enter('T1|000001')).toBeUndefined();
    expect(gate.enter('T2|000001')).toBeUndefined();
    expect(gate.active('T1|000001')).toBe(2);
    gate.leave('T1|000001');
    expect(gate.active('T1|000001')).toBe(1);
    expect(gate.active('T2|000001')).toBe(1);
  });

  it('settles once the requests in progress have left; requests arriving meanwhile wait for the release', async () => {
    const gate = new BatchGate();
    const order: string[] = [];
    gate.enter('T1|000001');
    const settling = gate.settle('T1|000001').then((release) => {
      order.push('settling');
      return release;
    });
    const waiting = gate.enter('T1|000001');
    expect(waiting).toBeInstanceOf(Promise);
    void (waiting as Promise<void>).then(() => order.push('late request in'));
    // another batch is not held up
    expect(gate.enter('T1|000002')).toBeUndefined();
    await tick();
    expect(order).toEqual([]);
    gate.leave('T1|000001');
    const release = await settling;
    await tick();
    expect(order).toEqual(['settling']);
    expect(gate.active('T1|000001')).toBe(0);
    release();
    await tick();
    expect(order).toEqual(['settling', 'late request in']);
    expect(gate.active('T1|000001')).toBe(1);
  });

  it('runs two settlements of one batch one after the other', async () => {
    const gate = new BatchGate();
    const first = await gate.settle('T1|000001');
    let second: (() => void) | undefined;
    void gate.settle('T1|000001').then((r) => (second = r));
    await tick();
    expect(second).toBeUndefined();
    first();
    await tick();
    expect(second).toBeTypeOf('function');
    second!();
    expect(gate.enter('T1|000001')).toBeUndefined();
  });

  it('counts a request run within the batch until it ends, also when it fails', async () => {
    const gate = new BatchGate();
    let inside = -1;
    expect(await gate.within('T1|000001', async () => ((inside = gate.active('T1|000001')), 'answer'))).toBe('answer');
    expect(inside).toBe(1);
    await expect(gate.within('T1|000001', () => Promise.reject(new Error('journal down')))).rejects.toThrow('journal down');
    expect(gate.active('T1|000001')).toBe(0);
  });
});
