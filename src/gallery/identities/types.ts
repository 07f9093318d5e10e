/** One detected face to cluster. `label` is its id in the ANN index. */
export interface FaceNode {
  label: number;
  /** Faces of one image are different people (cannot-link). */
  imageId: string;
  /** Subject id from an enrolment manifest, if any: equal ids must-link, different ids never meet. */
  subjectId: string | null;
}

/** One entry of a face's nearest-neighbour list, as the ANN index returns it (cosine similarity). */
export interface Neighbor {
  label: number;
  similarity: number;
}

export interface ClusterOptions {
  /**
   * Edges below this similarity are ignored, and merging stops when the best average linkage falls below
   * it. Default 0.40, the MobileFaceNet false-match-rate 1e-4 operating point (0.4032, rounded): on LFW it
   * gives pairwise precision 100% / recall 99% (bench/identities). 0.35 trades precision for recall.
   */
  linkThreshold: number;
  /**
   * Neighbours considered per face (longer lists are cut to their k most similar). Default 32. Ask the
   * index for k + 1 (it returns the query face itself). Larger k costs time and memory linearly (k² for
   * the crowd estimate) and helps very large identities (hundreds of faces) come together.
   */
  k: number;
  /**
   * Correct the average for pairs a k-NN graph cannot show (default true). Off, every pair absent from
   * the graph counts as dissimilar — textbook average linkage — and identities of more than about k faces
   * split into several clusters (still pure). Kept as a switch for the benchmark's ablation.
   */
  sparseCorrection: boolean;
}
