import { PLATFORM_SCOPE, type Vault } from '../../crypto/index.js';
import type { Db } from '../../gallery/store/database.js';
import { blobToEmbedding } from '../../gallery/store/faces-repo.js';
import { OPERATING_POINTS, thresholdAtFmr } from '../../search/operating-points.js';
import { EMBEDDING_DIM } from '../../vision/embed.js';
import { OptOutsRepo } from './opt-outs-repo.js';

/**
 * A face counts as an opted-out person's when its cosine similarity to their template reaches the 1:1
 * operating point (false-match rate 1e-3) — not a 1:N search band. The two errors do not cost the same:
 * a false suppression erases one stranger's face from a gallery (its owner loses a candidate); a missed
 * one keeps showing a person who asked not to be searched, which is the harm this list exists to
 * prevent. But every template is one more comparison, so with a fixed threshold a stranger would be
 * caught with probability ≈ templates × 1e-3 (10 % at 100 opt-outs). The threshold therefore rises with
 * the list, from the measured impostor tail, so that the chance of any false suppression per face stays
 * near 1e-3 however long the list grows.
 */
export const SUPPRESSION_THRESHOLD = OPERATING_POINTS.fmr1e3;

/** The threshold for a list of `templates` opt-outs (see above). */
export function suppressionThreshold(templates: number): number {
  return Math.max(SUPPRESSION_THRESHOLD, thresholdAtFmr(1e-3 / Math.max(1, templates)));
}

/** Vault field the templates are sealed under (bound into the ciphertext). */
export const TEMPLATE_FIELD = 'opt_outs.template';

/** The opened templates at one moment. */
export class TemplateSet {
  readonly threshold: number;

  constructor(
    /** Row-major, `size` × EMBEDDING_DIM, L2-normalised. */
    private readonly vectors: Float32Array,
    readonly size: number,
  ) {
    this.threshold = suppressionThreshold(size);
  }

  /** Whether an L2-normalised face embedding matches any template. */
  matches(embedding: Float32Array): boolean {
    for (let t = 0; t < this.size; t++) {
      const base = t * EMBEDDING_DIM;
      let dot = 0;
      for (let i = 0; i < EMBEDDING_DIM; i++)
        dot += (this.vectors[base + i] as number) * (embedding[i] as number);
      if (dot >= this.threshold) return true;
    }
    return false;
  }
}

/**
 * Every opt-out template, opened once and kept in memory; re-read when the table changes (checked by
 * a cheap count on each `current()`, so an opt-out made by another process is seen at the next check).
 */
export class SuppressionList {
  readonly #repo: OptOutsRepo;
  readonly #vault: Vault;
  #generation = '';
  #set = new TemplateSet(new Float32Array(0), 0);

  constructor(db: Db, vault: Vault) {
    this.#repo = new OptOutsRepo(db);
    this.#vault = vault;
  }

  current(): TemplateSet {
    const generation = this.#repo.generation();
    if (generation !== this.#generation) {
      const rows = this.#repo.sealedTemplates();
      const vectors = new Float32Array(rows.length * EMBEDDING_DIM);
      rows.forEach((r, i) => {
        vectors.set(
          blobToEmbedding(this.#vault.openBytes(PLATFORM_SCOPE, TEMPLATE_FIELD, r.template)),
          i * EMBEDDING_DIM,
        );
      });
      this.#set = new TemplateSet(vectors, rows.length);
      this.#generation = generation;
    }
    return this.#set;
  }

  /** The predicate ingest takes: true for a face that must not be enrolled. */
  readonly suppresses = (embedding: Float32Array): boolean => this.current().matches(embedding);
}

const LISTS = new WeakMap<Db, SuppressionList>();

/** One list per connection, so the opened templates are shared by every service over it. */
export function suppressionListFor(db: Db, vault: Vault): SuppressionList {
  let list = LISTS.get(db);
  if (!list) {
    list = new SuppressionList(db, vault);
    LISTS.set(db, list);
  }
  return list;
}
