/**
 * A binary max-heap of candidate merges `(key, a, b)` kept in growable typed arrays, so millions of
 * entries cost 16 bytes each and no objects. Ties on `key` go to the smaller `a`, then the smaller `b`,
 * which makes the pop order a function of the entries alone (deterministic clustering).
 */
export class PairMaxHeap {
  private keys = new Float64Array(64);
  private as = new Int32Array(64);
  private bs = new Int32Array(64);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: number, a: number, b: number): void {
    if (this.count === this.keys.length) this.grow();
    let i = this.count++;
    // Sift up: move parents down until the new entry's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(key, a, b, parent)) break;
      this.put(i, this.keys[parent] as number, this.as[parent] as number, this.bs[parent] as number);
      i = parent;
    }
    this.put(i, key, a, b);
  }

  /** Removes the top entry and writes it to `out` as `[key, a, b]`; false when empty. */
  pop(out: [number, number, number]): boolean {
    if (this.count === 0) return false;
    out[0] = this.keys[0] as number;
    out[1] = this.as[0] as number;
    out[2] = this.bs[0] as number;
    const last = --this.count;
    if (last === 0) return true;
    const key = this.keys[last] as number;
    const a = this.as[last] as number;
    const b = this.bs[last] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.entryBefore(right, left) ? right : left;
      if (this.before(key, a, b, child)) break;
      this.put(i, this.keys[child] as number, this.as[child] as number, this.bs[child] as number);
      i = child;
    }
    this.put(i, key, a, b);
    return true;
  }

  /** Does `(key, a, b)` come out before the entry at `j`? */
  private before(key: number, a: number, b: number, j: number): boolean {
    const kj = this.keys[j] as number;
    if (key !== kj) return key > kj;
    const aj = this.as[j] as number;
    if (a !== aj) return a < aj;
    return b < (this.bs[j] as number);
  }

  private entryBefore(i: number, j: number): boolean {
    return this.before(this.keys[i] as number, this.as[i] as number, this.bs[i] as number, j);
  }

  private put(i: number, key: number, a: number, b: number): void {
    this.keys[i] = key;
    this.as[i] = a;
    this.bs[i] = b;
  }

  private grow(): void {
    const n = this.keys.length * 2;
    const keys = new Float64Array(n);
    keys.set(this.keys);
    const as = new Int32Array(n);
    as.set(this.as);
    const bs = new Int32Array(n);
    bs.set(this.bs);
    this.keys = keys;
    this.as = as;
    this.bs = bs;
  }
}
