import { FaceLedgerError } from '../../core/errors.js';

/**
 * Labels are scrambled before they become usearch keys, and unscrambled on the way back.
 *
 * Why: usearch 2.21 finds keys through an open-addressing hash table with linear probing, hashed with
 * std::hash<uint64_t> — the identity in libstdc++. Our labels are SQLite rowids, dense and increasing, so
 * they fill one long contiguous run of slots; `remove` (and any lookup of an absent key) then probes to the
 * end of the run, O(n): at 1M faces a single remove took ~2.6 ms. A bijective 64-bit mix (the splitmix64
 * finaliser) spreads the keys, and probes stay short.
 */
const MASK = (1n << 64n) - 1n;
const C1 = 0xbf58476d1ce4e5b9n;
const C2 = 0x94d049bb133111ebn;

/** Inverse of an odd number modulo 2^64 (Newton's iteration, each step doubles the correct bits). */
function inverse(a: bigint): bigint {
  let x = a;
  for (let i = 0; i < 6; i++) x = (x * (2n - a * x)) & MASK;
  return x;
}

const C1_INV = inverse(C1);
const C2_INV = inverse(C2);

function unshift(y: bigint, s: bigint): bigint {
  let x = y;
  for (let shift = s; shift < 64n; shift += s) x ^= y >> shift;
  return x;
}

export function labelToKey(label: number): bigint {
  let z = BigInt(label);
  z = ((z ^ (z >> 30n)) * C1) & MASK;
  z = ((z ^ (z >> 27n)) * C2) & MASK;
  return z ^ (z >> 31n);
}

/** The label of a usearch key, or 0 if the key is not the image of a valid label. */
export function keyToLabel(key: bigint): number {
  let z = unshift(key, 31n);
  z = (z * C2_INV) & MASK;
  z = unshift(z, 27n);
  z = (z * C1_INV) & MASK;
  z = unshift(z, 30n);
  if (z === 0n || z > BigInt(Number.MAX_SAFE_INTEGER)) return 0;
  return Number(z);
}

export function labelsToKeys(labels: readonly number[]): BigUint64Array {
  const out = new BigUint64Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labelToKey(labels[i] as number);
  return out;
}

// usearch marks deleted slots with the key 2^64 − 1: no valid label may map onto it.
if (keyToLabel(MASK) !== 0)
  throw new FaceLedgerError('INTERNAL', 'label scrambling collides with usearch’s free-slot key');
