const PAGE_BITS = 4096;
const PAGE_WORDS = PAGE_BITS / 32;

interface Page {
  bits: Uint32Array;
  count: number;
}

/**
 * A set of positive safe integers stored as a paged bitmap (512-byte pages of 4096 labels). Labels are
 * SQLite rowids, dense and increasing, so this costs well under a byte per label where a JS Set costs
 * ~25 bytes and stops at 2^24 entries. Used by the HNSW index, whose native binding cannot list its keys.
 */
export class LabelSet {
  private readonly pages = new Map<number, Page>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(label: number): boolean {
    const page = this.pages.get(Math.floor(label / PAGE_BITS));
    if (!page) return false;
    const bit = label % PAGE_BITS;
    return ((page.bits[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
  }

  /** Returns true if the label was not present. */
  add(label: number): boolean {
    const key = Math.floor(label / PAGE_BITS);
    let page = this.pages.get(key);
    if (!page) {
      page = { bits: new Uint32Array(PAGE_WORDS), count: 0 };
      this.pages.set(key, page);
    }
    const bit = label % PAGE_BITS;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    const old = page.bits[word] as number;
    if ((old & mask) !== 0) return false;
    page.bits[word] = old | mask;
    page.count++;
    this.count++;
    return true;
  }

  /** Returns true if the label was present. */
  delete(label: number): boolean {
    const key = Math.floor(label / PAGE_BITS);
    const page = this.pages.get(key);
    if (!page) return false;
    const bit = label % PAGE_BITS;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    const old = page.bits[word] as number;
    if ((old & mask) === 0) return false;
    page.bits[word] = old & ~mask;
    page.count--;
    this.count--;
    if (page.count === 0) this.pages.delete(key);
    return true;
  }

  clear(): void {
    this.pages.clear();
    this.count = 0;
  }

  /** Every label, ascending. */
  toArray(): number[] {
    const out: number[] = [];
    const keys = [...this.pages.keys()].sort((a, b) => a - b);
    for (const key of keys) {
      const page = this.pages.get(key) as Page;
      const base = key * PAGE_BITS;
      for (let word = 0; word < PAGE_WORDS; word++) {
        let bits = page.bits[word] as number;
        while (bits !== 0) {
          const low = bits & -bits;
          out.push(base + word * 32 + (31 - Math.clz32(low)));
          bits ^= low;
        }
      }
    }
    return out;
  }
}
