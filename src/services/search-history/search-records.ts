/** The shapes the search history stores and hands back. */

export type SearchKind = 'search' | 'compare';

/** What the service writes for one search or compare (plaintext here; the repository seals it). */
export interface NewSearchRecord {
  id: string;
  actor: string;
  kind: SearchKind;
  createdAt: string;
  caseNumber: string;
  purpose: string;
  galleries: readonly string[];
  top: number | null;
  probeSha256: string;
  secondProbeSha256: string | null;
  resultCount: number;
  topSimilarity: number | null;
  decision: string;
  /** The whole answer as returned to the caller, sealed as JSON. */
  result: unknown;
  /** The probe photo (a compare: both photos), sealed. */
  probes: readonly Uint8Array[];
}

/** One history row as a reader sees it (opened), without the result. */
export interface SearchSummary {
  searchId: string;
  kind: SearchKind;
  actor: string;
  createdAt: string;
  caseNumber: string;
  purpose: string;
  galleries: string[];
  top: number | null;
  probeSha256: string;
  secondProbeSha256: string | null;
  resultCount: number;
  topSimilarity: number | null;
  decision: string;
  /** False once probe retention removed the photo(s). */
  probeKept: boolean;
}

export interface SearchListFilters {
  /** Matched through the blind index: case and whitespace do not matter ("ab 12" = "AB12"). */
  caseNumber?: string;
  /** Org-wide readers only: one user's (`user:<id>`) or key's searches. */
  actor?: string;
  /** Inclusive lower bound on the time. */
  from?: Date | string;
  /** Exclusive upper bound on the time. */
  to?: Date | string;
  /** 1–100, default 50. */
  limit?: number;
  cursor?: string | null;
}

export interface SearchPage {
  items: SearchSummary[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
