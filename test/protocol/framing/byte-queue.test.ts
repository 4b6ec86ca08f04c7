import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../../protocol/framing/byte-queue.js';

describe('ByteQueue', () => {
  it('takes bytes across chunk boundaries in order, as views or copies', () => {
    const q = new ByteQueue();
    q.append(Buffer.from('abc'));
    q.append(Buffer.from(''));
    q.append(Buffer.from('defg'));
    expect(q.length).toBe(7);
    expect(q.take(2).toString()).toBe('ab');
    expect(q.take(3).toString()).toBe('cde');
    expect(q.take(0).length).toBe(0);
    expect(q.take(2).toString()).toBe('fg');
    expect(q.length).toBe(0);
    expect(() => q.take(1)).toThrow('take(1) with 0 bytes queued');
  });

  it('lets go of a consumed chunk while later bytes are still queued (a busy connection\'s queue seldom empties)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const q = new ByteQueue();
    // made in a function of its own: an async function's frame would hold a local of its own until it ends
    const consumed = ((): WeakRef<Buffer> => {
      const chunk = Buffer.from('first frame + half');
      q.append(chunk);
      return new WeakRef(chunk);
    })();
    q.append(Buffer.from(' of the second'));
    // every byte of the first chunk, copied out with some of the next: nothing left refers to the first chunk
    expect(q.take(22).toString()).toBe('first frame + half of ');
    expect(q.length).toBe(10);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(consumed.deref()).toBeUndefined();
    expect(q.take(10).toString()).toBe('the second');
  });
});
