/** A past search opened from the history: the answer as it was given then, and the probe while kept. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { CompareResult, SearchResult, StoredSearch } from '../api/types.js';
import { ErrorMessage, formatSimilarity, formatTime, LeadNotice, Message } from '../components/common.js';
import { ProbeView } from '../components/probe-view.js';
import { ResultCandidates, ResultSummary } from '../components/search-result-view.js';
import { useResource, useTitle } from '../hooks.js';
import { storedProbeUrl } from '../search-links.js';

function StoredCompare({ result }: { result: CompareResult & { probeKept: boolean } }) {
  return (
    <div class="panel">
      <h2>1:1 comparison</h2>
      <p class="small muted">
        Case <strong>{result.caseNumber}</strong> · {result.purpose} · {formatTime(result.createdAt)}
      </p>
      <div class="grid-2">
        <ProbeView
          url={result.probeKept ? storedProbeUrl(result.searchId) : null}
          faces={[result.faces.a]}
          selected={0}
        />
        <ProbeView
          url={result.probeKept ? storedProbeUrl(result.searchId, 'second') : null}
          faces={[result.faces.b]}
          selected={0}
        />
      </div>
      <p>
        Similarity <strong>{formatSimilarity(result.similarity)}</strong> (threshold{' '}
        {formatSimilarity(result.threshold)}):{' '}
        {result.match ? 'the faces may be the same person' : 'no match'}.
      </p>
    </div>
  );
}

export function StoredSearchPage({ id }: { id: string }) {
  useTitle('Past search');
  const stored = useResource(
    (signal) => api.get<StoredSearch>(`/api/v1/searches/${encodeURIComponent(id)}`, undefined, signal),
    [id],
  );
  const s = stored.data;
  return (
    <div>
      <p class="small">
        <a href="/history">← History</a>
      </p>
      <LeadNotice />
      <ErrorMessage error={stored.error} title="This search cannot be opened" />
      {stored.loading && !s ? <p class="muted">Loading…</p> : null}
      {s && s.kind === 'compare' ? <StoredCompare result={s} /> : null}
      {s && s.kind !== 'compare' ? (
        <StoredSearchView result={s as SearchResult & { probeKept: boolean; actor: string }} />
      ) : null}
    </div>
  );
}

/**
 * The stored probe, fetched once into a blob: URL. Each fetch of it is an audited view, so the photo
 * and the comparison's crop share one copy instead of asking the server twice.
 */
function useStoredProbe(searchId: string, kept: boolean): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!kept) return;
    let live = true;
    let made: string | null = null;
    fetch(storedProbeUrl(searchId), { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.blob() : null))
      .then((blob) => {
        if (!blob || !live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [searchId, kept]);
  return url;
}

function StoredSearchView({ result }: { result: SearchResult & { probeKept: boolean; actor: string } }) {
  const probeUrl = useStoredProbe(result.searchId, result.probeKept);
  return (
    <div data-testid="search-result" data-search-id={result.searchId}>
      <div class="panel">
        <ProbeView
          url={probeUrl}
          faces={result.probe.faces}
          selected={result.probe.selected}
          placeholder={result.probeKept ? 'Loading the probe photo…' : 'Probe photo no longer kept'}
        />
        {!result.probeKept ? (
          <Message kind="info">The probe photo is no longer kept (retention); the results remain.</Message>
        ) : null}
        <p class="small muted" style={{ margin: '0.5rem 0 0' }}>
          Run by <span class="mono">{result.actor}</span>
        </p>
      </div>
      <ResultSummary result={result} />
      <ResultCandidates result={result} probeUrl={probeUrl} />
    </div>
  );
}
