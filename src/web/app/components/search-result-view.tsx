/**
 * One search's answer, the same for a search just run and one opened from the history: the notice,
 * the probe with its faces, what was searched, a clear "no confident match" state, the candidates, and
 * the comparison of any candidate with the probe.
 */
import { useState } from 'preact/hooks';
import type { Candidate, SearchResult } from '../api/types.js';
import { CandidateGrid } from './candidate-grid.js';
import { formatSimilarity, formatTime } from './common.js';
import { CompareDialog } from './compare-dialog.js';

export function DecisionBanner({ result }: { result: SearchResult }) {
  if (result.decision === 'match') return null;
  return (
    <div class="no-match" role="status" data-testid="no-match">
      <strong>No confident match</strong>
      {result.candidates.length === 0
        ? 'Nothing in the searched galleries resembles this face.'
        : `No candidate reaches the “possible” threshold (${formatSimilarity(result.thresholds.possible)}). The low-similarity faces below are shown for completeness and are not leads.`}
    </div>
  );
}

export function ResultSummary({ result }: { result: SearchResult }) {
  return (
    <div class="result-head">
      <h2 style={{ margin: 0 }}>
        {result.candidates.length} candidate{result.candidates.length === 1 ? '' : 's'}
      </h2>
      <span class="muted small" data-testid="result-summary">
        Case <strong data-testid="result-case">{result.caseNumber}</strong> · {result.purpose} ·{' '}
        {result.galleryFaces.toLocaleString()} faces searched · {formatTime(result.createdAt)}
      </span>
    </div>
  );
}

export function ResultCandidates({ result, probeUrl }: { result: SearchResult; probeUrl: string | null }) {
  const [open, setOpen] = useState<Candidate | null>(null);
  return (
    <>
      <DecisionBanner result={result} />
      <CandidateGrid candidates={result.candidates} thresholds={result.thresholds} onOpen={setOpen} />
      <CompareDialog
        candidate={open}
        probeUrl={probeUrl}
        probeFace={result.probe.faces[result.probe.selected]}
        thresholds={result.thresholds}
        onClose={() => setOpen(null)}
      />
    </>
  );
}
