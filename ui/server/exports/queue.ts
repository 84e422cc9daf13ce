// A bounded FIFO for messages waiting on a slow or absent receiver: the oldest is dropped (and counted) when full,
// and an entry with a key (a retained topic) is replaced in place, so only the latest state per key waits.

interface Entry<T> {
  key: string | null;
  value: T;
  bytes: number;
}

export class BoundedQueue<T> {
  private items: (Entry<T> | undefined)[] = [];
  private head = 0;
  private byKey = new Map<string, Entry<T>>();
  /** Messages dropped because the queue was full (oldest first). */
  dropped = 0;
  /** Messages replaced by a newer one with the same key (not a loss: the newer state wins). */
  coalesced = 0;
  /** Approximate payload bytes held now (what the caller said each value weighs). */
  bytes = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('BoundedQueue: max must be >= 1');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Add a value; with a key, a waiting value with the same key is replaced where it stands. */
  push(value: T, key: string | null = null, bytes = 0): void {
    if (key !== null) {
      const old = this.byKey.get(key);
      if (old) {
        this.bytes += bytes - old.bytes;
        old.value = value;
        old.bytes = bytes;
        this.coalesced++;
        return;
      }
    }
    if (this.length >= this.max) {
      this.drop();
      this.dropped++;
    }
    const e: Entry<T> = { key, value, bytes };
    this.items.push(e);
    this.bytes += bytes;
    if (key !== null) this.byKey.set(key, e);
  }

  /** Whether a value with this key is waiting. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The oldest value, or undefined. */
  peek(): T | undefined {
    return this.items[this.head]?.value;
  }

  /** Remove and return the oldest value. */
  shift(): T | undefined {
    const e = this.drop();
    return e?.value;
  }

  /** Put a value back at the front (a send that failed); counts as a drop of the oldest if full. */
  unshift(value: T, key: string | null = null, bytes = 0): void {
    if (key !== null && this.byKey.has(key)) return; // a newer state for this key is already waiting
    if (this.length >= this.max) {
      this.dropped++;
      return; // the value being put back is the oldest: it is the one dropped
    }
    const e: Entry<T> = { key, value, bytes };
    if (this.head > 0) this.items[--this.head] = e;
    else this.items.unshift(e);
    this.bytes += bytes;
    if (key !== null) this.byKey.set(key, e);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.byKey.clear();
    this.bytes = 0;
  }

  private drop(): Entry<T> | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (e) {
      this.bytes -= e.bytes;
      if (e.key !== null && this.byKey.get(e.key) === e) this.byKey.delete(e.key);
    }
    return e;
  }
}
