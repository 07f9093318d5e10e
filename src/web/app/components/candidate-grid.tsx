/**
 * Candidates as a grid of face crops, best first, with a line where the "possible" threshold falls:
 * what is below it is shown for completeness, not as a lead. Cards have a fixed size and placeholders
 * take their place while a search runs, so the page does not jump when results arrive.
 */
import type { Candidate } from '../api/types.js';
import { thumbnailOf } from '../search-links.js';
import { Band, formatSimilarity } from './common.js';

function isLink(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function CandidateCard({ c, onOpen }: { c: Candidate; onOpen: (c: Candidate) => void }) {
  return (
    <li
      class={`cand ${c.confidence}`}
      data-testid="candidate"
      data-rank={c.rank}
      data-subject={c.subjectId ?? ''}
    >
      <button
        type="button"
        class="cand-open"
        aria-label={`Compare candidate ${c.rank}${c.subjectId ? ` (${c.subjectId})` : ''} with the probe`}
        onClick={() => onOpen(c)}
      >
        <img src={thumbnailOf(c)} alt="" width={128} height={128} loading="lazy" />
        <span class="cand-rank">#{c.rank}</span>
      </button>
      <div class="cand-body">
        <div class="sim">
          <span title="Cosine similarity">
            <strong data-testid="similarity">{formatSimilarity(c.similarity)}</strong>
          </span>
          <Band confidence={c.confidence} />
        </div>
        <div class="ellipsis" title={c.subjectId ?? 'no subject id'}>
          <span class="muted">Subject </span>
          <span data-testid="subject">{c.subjectId ?? '—'}</span>
        </div>
        <div class="ellipsis" title={c.gallery}>
          <span class="muted">Gallery </span>
          {c.gallery}
        </div>
        <div class="ellipsis" title={c.source}>
          {isLink(c.source) ? (
            <a href={c.source} target="_blank" rel="noopener noreferrer">
              Source ↗
            </a>
          ) : (
            <span class="muted small">{c.source}</span>
          )}
        </div>
      </div>
    </li>
  );
}

export function CandidateGrid({
  candidates,
  thresholds,
  onOpen,
}: {
  candidates: readonly Candidate[];
  thresholds: { high: number; possible: number };
  onOpen: (c: Candidate) => void;
}) {
  const firstLow = candidates.findIndex((c) => c.confidence === 'low');
  const items = candidates.map((c) => <CandidateCard key={c.faceId} c={c} onOpen={onOpen} />);
  if (firstLow >= 0)
    items.splice(
      firstLow,
      0,
      <li key="threshold" class="threshold-line" data-testid="threshold-line">
        below this line: low similarity (under {formatSimilarity(thresholds.possible)}), not a lead
      </li>,
    );
  return (
    <ol class="cand-grid" aria-label="Candidates, most similar first">
      {items}
    </ol>
  );
}

export function CandidateSkeleton({ count }: { count: number }) {
  return (
    <ol class="cand-grid" aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} class="cand skeleton" />
      ))}
    </ol>
  );
}
