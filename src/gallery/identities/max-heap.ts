/**
 * A binary max-heap of `(key, id, item)`: the largest key first, ties to the smaller id, so the pop order
 * is a function of the entries alone (ids are unique and assigned deterministically by the caller).
 * Keys and ids live in growable typed arrays; only the item references are objects.
 */
export class MaxHeap<T> {
  private keys = new Float64Array(64);
  private ids = new Int32Array(64);
  private items: T[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: number, id: number, item: T): void {
    if (this.count === this.keys.length) this.grow();
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(key, id, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, key, id, item);
  }

  /** The top key; NaN when empty. */
  peekKey(): number {
    return this.count > 0 ? (this.keys[0] as number) : Number.NaN;
  }

  /** Removes and returns the top item (read its key with peekKey first); undefined when empty. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const top = this.items[0] as T;
    const last = --this.count;
    const key = this.keys[last] as number;
    const id = this.ids[last] as number;
    const item = this.items[last] as T;
    this.items.length = last;
    if (last === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child =
        right < last && this.before(this.keys[right] as number, this.ids[right] as number, left)
          ? right
          : left;
      if (this.before(key, id, child)) break;
      this.move(child, i);
      i = child;
    }
    this.put(i, key, id, item);
    return top;
  }

  /** Does `(key, id)` come out before the entry at `j`? */
  private before(key: number, id: number, j: number): boolean {
    const kj = this.keys[j] as number;
    return key !== kj ? key > kj : id < (this.ids[j] as number);
  }

  private move(from: number, to: number): void {
    this.put(to, this.keys[from] as number, this.ids[from] as number, this.items[from] as T);
  }

  private put(i: number, key: number, id: number, item: T): void {
    this.keys[i] = key;
    this.ids[i] = id;
    this.items[i] = item;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }
}
