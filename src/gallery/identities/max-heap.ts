/**
 * A binary max-heap of `(key, id)` pairs in growable typed arrays (no per-entry objects, so millions of
 * entries cost 12 bytes each and nothing for the garbage collector). The largest key comes first, ties go
 * to the smaller id, so the pop order is a function of the entries alone.
 */
export class MaxHeap {
  private keys = new Float64Array(64);
  private ids = new Int32Array(64);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: number, id: number): void {
    if (this.count === this.keys.length) this.grow();
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(key, id, parent)) break;
      this.keys[i] = this.keys[parent] as number;
      this.ids[i] = this.ids[parent] as number;
      i = parent;
    }
    this.keys[i] = key;
    this.ids[i] = id;
  }

  /** The top key; NaN when empty. */
  peekKey(): number {
    return this.count > 0 ? (this.keys[0] as number) : Number.NaN;
  }

  /** Removes the top entry and returns its id (read its key with peekKey first); -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const top = this.ids[0] as number;
    const last = --this.count;
    if (last === 0) return top;
    const key = this.keys[last] as number;
    const id = this.ids[last] as number;
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
      this.keys[i] = this.keys[child] as number;
      this.ids[i] = this.ids[child] as number;
      i = child;
    }
    this.keys[i] = key;
    this.ids[i] = id;
    return top;
  }

  /** Does `(key, id)` come out before the entry at `j`? */
  private before(key: number, id: number, j: number): boolean {
    const kj = this.keys[j] as number;
    return key !== kj ? key > kj : id < (this.ids[j] as number);
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
