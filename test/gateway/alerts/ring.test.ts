import { describe, expect, it } from 'vitest';
import { BucketRing } from '../../../gateway/alerts/ring.js';

describe('BucketRing', () => {
  it('sums buckets in a range, reads a slot left from an earlier lap as zero, and drops writes older than the horizon', () => {
    const ring = new BucketRing(10, 100, 2);
    ring.add(5, 0);
    ring.add(7, 0, 2);
    ring.add(15, 1);
    expect([ring.sum(0, 1, 0), ring.sum(0, 1, 1), ring.sum(1, 1, 0)]).toEqual([3, 1, 0]);
    // 12 slots: bucket 12 takes bucket 0's slot; bucket 0 no longer counts, whoever asks
    ring.add(125, 0);
    expect([ring.sum(0, 0, 0), ring.sum(12, 12, 0), ring.sum(0, 12, 0)]).toEqual([0, 1, 1]);
    ring.add(5, 0);
    expect(ring.sum(0, 12, 0)).toBe(1);
    const out = ring.sumAll(0, 12, new Float64Array(2));
    expect([...out]).toEqual([1, 1]);
  });

  it('checks its options, naming the option', () => {
    expect(() => new BucketRing(0, 100, 1)).toThrow('"bucketMs" must be a positive integer');
    expect(() => new BucketRing(10, 0, 1)).toThrow('"horizonMs" must be positive');
    expect(() => new BucketRing(10, 100, 0)).toThrow('"fields" must be a positive integer');
  });
});
