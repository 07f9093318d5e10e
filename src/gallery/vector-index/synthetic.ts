/**
 * Deterministic synthetic "face-like" embeddings for tests and benchmarks: clusters of `clusterSize`
 * vectors (one identity's photos), each a random unit centre plus Gaussian noise, re-normalised. Any
 * vector or query can be regenerated from its number alone, so a benchmark can stream millions of vectors
 * in chunks (and stream them again for ground truth) without holding them all.
 *
 * With the default noise (σ = 0.06 per dimension at 128-d, a noise norm ≈ 0.68) a vector's cosine to its
 * centre is ≈ 0.83 and to a cluster-mate ≈ 0.68, while unrelated vectors sit near 0 (± 0.09): the top-10
 * of a query holds its cluster-mates first, then a tail of near-random vectors whose order is decided by
 * tiny margins — the hard part for an approximate index, as in a real gallery of mostly-distinct people.
 */
export interface ClusteredOptions {
  dimensions?: number;
  /** Number of vectors in the data set (labels 1 … count). */
  count: number;
  clusterSize?: number;
  /** Per-dimension standard deviation of the noise added to the centre. */
  noise?: number;
  seed?: number;
}

function mix32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32 with a Box-Muller Gaussian on top. */
class Rng {
  private s: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  uniform(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  gaussian(): number {
    if (this.spare !== undefined) {
      const g = this.spare;
      this.spare = undefined;
      return g;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

const STREAM_CENTRE = 1;
const STREAM_VECTOR = 2;
const STREAM_QUERY = 3;
const STREAM_PICK = 4;

export class ClusteredVectors {
  readonly dimensions: number;
  readonly count: number;
  readonly clusterSize: number;
  readonly clusters: number;
  readonly noise: number;
  private readonly seed: number;
  private readonly centre: Float32Array;

  constructor(options: ClusteredOptions) {
    this.dimensions = options.dimensions ?? 128;
    this.count = options.count;
    this.clusterSize = options.clusterSize ?? 5;
    this.clusters = Math.max(1, Math.ceil(this.count / this.clusterSize));
    this.noise = options.noise ?? 0.06;
    this.seed = options.seed ?? 42;
    this.centre = new Float32Array(this.dimensions);
  }

  /** Label of vector i (0-based): i + 1. */
  label(i: number): number {
    return i + 1;
  }

  /** Vectors [from, to) row-major, unit length. */
  chunk(from: number, to: number): Float32Array {
    const d = this.dimensions;
    const out = new Float32Array((to - from) * d);
    let cluster = -1;
    for (let i = from; i < to; i++) {
      const c = Math.floor(i / this.clusterSize);
      if (c !== cluster) {
        this.fillCentre(c);
        cluster = c;
      }
      this.sample(new Rng(mix32(this.seed ^ STREAM_VECTOR, i)), out, (i - from) * d);
    }
    return out;
  }

  /** `n` queries: fresh noisy samples of randomly picked existing clusters (query j is always the same). */
  queries(n: number, first = 0): Float32Array {
    const d = this.dimensions;
    const out = new Float32Array(n * d);
    for (let j = 0; j < n; j++) {
      this.fillCentre(this.queryCluster(first + j));
      this.sample(new Rng(mix32(this.seed ^ STREAM_QUERY, first + j)), out, j * d);
    }
    return out;
  }

  /** The cluster query j was drawn from. */
  queryCluster(j: number): number {
    return Math.floor(new Rng(mix32(this.seed ^ STREAM_PICK, j)).uniform() * this.clusters);
  }

  /** The labels of cluster c: the "same person" a query of that cluster should find. */
  clusterLabels(c: number): number[] {
    const out: number[] = [];
    for (let i = c * this.clusterSize; i < Math.min(this.count, (c + 1) * this.clusterSize); i++)
      out.push(this.label(i));
    return out;
  }

  private fillCentre(c: number): void {
    const rng = new Rng(mix32(this.seed ^ STREAM_CENTRE, c));
    let sum = 0;
    for (let j = 0; j < this.dimensions; j++) {
      const g = rng.gaussian();
      this.centre[j] = g;
      sum += g * g;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let j = 0; j < this.dimensions; j++) this.centre[j] = (this.centre[j] as number) * inv;
  }

  private sample(rng: Rng, out: Float32Array, offset: number): void {
    let sum = 0;
    for (let j = 0; j < this.dimensions; j++) {
      const x = (this.centre[j] as number) + this.noise * rng.gaussian();
      out[offset + j] = x;
      sum += x * x;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let j = 0; j < this.dimensions; j++) out[offset + j] = (out[offset + j] as number) * inv;
  }
}

/** A seeded uniform [0, 1) generator (mulberry32), for reproducible choices in tests and benchmarks. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(mix32(seed, 0x5eed));
  return () => rng.uniform();
}
