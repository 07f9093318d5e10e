/**
 * A case-bound search: a probe photo, a case number and a purpose (both required — the UI refuses to
 * send without them, and so does the server), optionally some galleries. The answer shows the probe
 * with its faces (click another to search with it), the candidates and a comparison per candidate.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import { fetchGalleries, fetchPurposes } from '../api/lookups.js';
import type { GalleryInfo, SearchResult } from '../api/types.js';
import { CandidateSkeleton } from '../components/candidate-grid.js';
import { type CaseErrors, CaseFields, caseErrors } from '../components/case-fields.js';
import { ErrorMessage, LeadNotice } from '../components/common.js';
import { ProbeInput } from '../components/probe-input.js';
import { ProbeView } from '../components/probe-view.js';
import { RunFailure } from '../components/run-failure.js';
import { ResultCandidates, ResultSummary } from '../components/search-result-view.js';
import { useResource, useTitle } from '../hooks.js';

interface FormErrors extends CaseErrors {
  probe?: string | undefined;
}

const TOP_CHOICES = [5, 10, 20, 50];

export function SearchPage() {
  useTitle('Search');
  const purposes = useResource((signal) => fetchPurposes(signal), []);
  const galleries = useResource((signal) => fetchGalleries(signal), []);

  const [file, setFile] = useState<File | null>(null);
  const [fileUrl, setFileUrl] = useState<string | null>(null);
  const [caseNumber, setCaseNumber] = useState('');
  const [purpose, setPurpose] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [top, setTop] = useState(10);
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [result, setResult] = useState<SearchResult | null>(null);

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setFileUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const pickFile = (f: File) => {
    setFile(f);
    setResult(null);
    setFailure(null);
    setErrors((e) => ({ ...e, probe: undefined }));
  };

  function validate(): FormErrors {
    const found: FormErrors = caseErrors(caseNumber, purpose);
    if (!file) found.probe = 'Add a probe photo: drop it, paste it or choose a file.';
    return found;
  }

  async function run(face?: number) {
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0 || !file) {
      const firstBad = found.probe ? 'probe-file-button' : found.caseNumber ? 'case-number' : 'purpose';
      document.getElementById(firstBad)?.focus();
      return;
    }
    const form = new FormData();
    form.set('caseNumber', caseNumber.trim());
    form.set('purpose', purpose);
    form.set('top', String(top));
    if (face !== undefined) form.set('face', String(face));
    for (const id of chosen) form.append('galleries', id);
    form.set('probe', file, file.name || 'probe.jpg');
    setBusy(true);
    setFailure(null);
    try {
      setResult(await api.upload<SearchResult>(EP.searches, form));
    } catch (err) {
      setFailure(err);
      if (face === undefined) setResult(null);
    } finally {
      setBusy(false);
    }
  }

  const toggleGallery = (id: string) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const purposeList = purposes.data ?? [];
  const galleryList: GalleryInfo[] = galleries.data ?? [];

  return (
    <div class="search-layout">
      <form
        class="panel"
        noValidate
        aria-label="New search"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <h1>New search</h1>
        <div class="field">
          <ProbeInput onFile={pickFile} onReject={(m) => setErrors((e) => ({ ...e, probe: m }))} />
          <div class="error-text" id="probe-error" role={errors.probe ? 'alert' : undefined}>
            {errors.probe ?? ''}
          </div>
        </div>
        <CaseFields
          caseNumber={caseNumber}
          purpose={purpose}
          purposes={purposeList}
          purposesError={purposes.error}
          errors={errors}
          onCaseNumber={(v) => {
            setCaseNumber(v);
            if (errors.caseNumber) setErrors((x) => ({ ...x, caseNumber: undefined }));
          }}
          onPurpose={(v) => {
            setPurpose(v);
            if (errors.purpose) setErrors((x) => ({ ...x, purpose: undefined }));
          }}
        />
        <fieldset>
          <legend>Galleries</legend>
          {galleries.error ? <ErrorMessage error={galleries.error} /> : null}
          {galleryList.length === 0 && !galleries.loading && !galleries.error ? (
            <p class="small muted">Your organisation has no galleries to search yet.</p>
          ) : (
            <div class="checks">
              {galleryList.map((g) => (
                <label key={g.id}>
                  <input type="checkbox" checked={chosen.has(g.id)} onChange={() => toggleGallery(g.id)} />
                  <span>
                    {g.name}
                    <span class="muted small"> · {g.faces.toLocaleString()} faces</span>
                  </span>
                </label>
              ))}
            </div>
          )}
          <p class="small muted" style={{ margin: '0.4rem 0 0' }}>
            {chosen.size === 0 ? 'None ticked: every gallery you may search.' : `${chosen.size} ticked.`}
          </p>
        </fieldset>
        <div class="field">
          <label for="top">Candidates to show</label>
          <select id="top" value={String(top)} onChange={(e) => setTop(Number(e.currentTarget.value))}>
            {TOP_CHOICES.map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy} style={{ width: '100%' }}>
          {busy ? 'Searching…' : 'Search'}
        </button>
        <p class="small muted" style={{ marginBottom: 0 }}>
          The search, its case number and purpose are recorded in your organisation’s audit log.
        </p>
      </form>

      <section class="results-region" aria-live="polite" aria-busy={busy} aria-label="Results">
        <div class="panel">
          <ProbeView
            url={fileUrl}
            faces={result?.probe.faces ?? []}
            selected={result?.probe.selected ?? null}
            onSelect={(i) => void run(i)}
            busy={busy}
          />
          <p class="small muted probe-note" data-testid="probe-note">
            {result && result.probe.faces.length > 1
              ? `${result.probe.faces.length} faces found; the highlighted one was searched. Click another face to search with it.`
              : ''}
          </p>
        </div>
        {failure ? <RunFailure failure={failure} what="search" /> : null}
        {busy ? (
          <>
            <LeadNotice />
            <div class="result-head">
              <h2 style={{ margin: 0 }}>Searching…</h2>
            </div>
            <CandidateSkeleton count={Math.min(top, 10)} />
          </>
        ) : result ? (
          <div data-testid="search-result" data-search-id={result.searchId}>
            <LeadNotice />
            <ResultSummary result={result} />
            <ResultCandidates result={result} probeUrl={fileUrl} />
          </div>
        ) : (
          <div class="panel muted" style={{ minHeight: '12rem' }}>
            <h2>Results appear here</h2>
            <p class="small">
              Add a photo, the case number and the purpose, then search. Candidates are leads to check, ranked
              by similarity, never identifications.
            </p>
          </div>
        )}
      </section>
    </div>
  );
}
