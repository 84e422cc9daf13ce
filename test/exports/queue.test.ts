// The bounded queue every exporter uses: oldest dropped and counted, keyed entries replaced in place, bytes tracked.
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../ui/server/exports/queue.js';

describe('BoundedQueue', () => {
  it('drops the oldest when full and counts it', () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i, null, 10);
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(2);
    expect(q.bytes).toBe(30);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5, undefined]);
    expect(q.bytes).toBe(0);
  });

  it('replaces a waiting value with the same key where it stands', () => {
    const q = new BoundedQueue<string>(10);
    q.push('a1', 'a', 2);
    q.push('x', null, 1);
    q.push('a2', 'a', 5);
    expect(q.length).toBe(2);
    expect(q.coalesced).toBe(1);
    expect(q.bytes).toBe(6);
    expect(q.has('a')).toBe(true);
    expect(q.shift()).toBe('a2');
    expect(q.has('a')).toBe(false);
    q.push('a3', 'a'); // after it left, the key is new again
    expect([q.shift(), q.shift()]).toEqual(['x', 'a3']);
  });

  it('unshift puts a failed send back in front, unless a newer one with its key waits or the queue is full', () => {
    const q = new BoundedQueue<string>(2);
    q.push('b', null);
    q.unshift('a', null);
    expect([q.peek(), q.length]).toEqual(['a', 2]);
    q.unshift('z', null);
    expect(q.dropped).toBe(1);
    expect(q.length).toBe(2);
    const k = new BoundedQueue<string>(5);
    k.push('s2', 'state');
    k.unshift('s1', 'state');
    expect([k.length, k.shift()]).toEqual([1, 's2']);
  });

  it('stays correct over many pushes and shifts (compaction)', () => {
    const q = new BoundedQueue<number>(100);
    let next = 0;
    let expectNext = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 37; i++) q.push(next++);
      while (q.length > 50) expect(q.shift()).toBe(expectNext++);
    }
    expect(q.length).toBe(50);
    expect(q.dropped).toBe(0);
  });
});
