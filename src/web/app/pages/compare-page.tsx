/**
 * 1:1 comparison: are the faces in two photos the same person? Case-bound like a search (a case number
 * and a purpose, audited, quota-counted); the answer shows the two faces side by side, levelled, with
 * the similarity against the 1:1 threshold. The largest face of each photo is compared.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import { fetchPurposes } from '../api/lookups.js';
import type { CompareResult } from '../api/types.js';
import { type CaseErrors, CaseFields, caseErrors } from '../components/case-fields.js';
import { formatSimilarity, LeadNotice } from '../components/common.js';
import { FaceCropCanvas } from '../components/face-crop-canvas.js';
import { ProbeInput } from '../components/probe-input.js';
import { RunFailure } from '../components/run-failure.js';
import { useResource, useTitle } from '../hooks.js';

interface FormErrors extends CaseErrors {
  a?: string | undefined;
  b?: string | undefined;
}

/** A chosen photo and a blob: URL for showing it, revoked when the photo changes or the page goes. */
function usePhoto(): [File | null, string | null, (f: File) => void] {
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file) return;
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return [file, url, setFile];
}

function PhotoSlot({
  id,
  label,
  url,
  error,
  acceptPaste,
  onFile,
  onReject,
}: {
  id: string;
  label: string;
  url: string | null;
  error: string | undefined;
  acceptPaste: boolean;
  onFile: (f: File) => void;
  onReject: (m: string) => void;
}) {
  return (
    <div class="field">
      <ProbeInput id={id} label={label} acceptPaste={acceptPaste} onFile={onFile} onReject={onReject} />
      {url ? <img class="compare-thumb" src={url} alt={label} data-testid={`${id}-preview`} /> : null}
      <div class="error-text" role={error ? 'alert' : undefined}>
        {error ?? ''}
      </div>
    </div>
  );
}

export function ComparePage() {
  useTitle('Compare');
  const purposes = useResource((signal) => fetchPurposes(signal), []);
  const [fileA, urlA, setFileA] = usePhoto();
  const [fileB, urlB, setFileB] = usePhoto();
  const [caseNumber, setCaseNumber] = useState('');
  const [purpose, setPurpose] = useState('');
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [result, setResult] = useState<CompareResult | null>(null);

  const take = (slot: 'a' | 'b') => (f: File) => {
    (slot === 'a' ? setFileA : setFileB)(f);
    setResult(null);
    setFailure(null);
    setErrors((e) => ({ ...e, [slot]: undefined }));
  };

  async function run() {
    const found: FormErrors = caseErrors(caseNumber, purpose);
    if (!fileA) found.a = 'Add the first photo.';
    if (!fileB) found.b = 'Add the second photo.';
    setErrors(found);
    if (Object.values(found).some(Boolean) || !fileA || !fileB) return;
    const form = new FormData();
    form.set('caseNumber', caseNumber.trim());
    form.set('purpose', purpose);
    form.set('a', fileA, fileA.name || 'a.jpg');
    form.set('b', fileB, fileB.name || 'b.jpg');
    setBusy(true);
    setFailure(null);
    try {
      setResult(await api.upload<CompareResult>(EP.compare, form));
    } catch (err) {
      setFailure(err);
      setResult(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="search-layout">
      <form
        class="panel"
        noValidate
        aria-label="New comparison"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <h1>Compare two photos</h1>
        <PhotoSlot
          id="compare-a"
          label="First photo"
          url={urlA}
          error={errors.a}
          acceptPaste={!fileA}
          onFile={take('a')}
          onReject={(m) => setErrors((e) => ({ ...e, a: m }))}
        />
        <PhotoSlot
          id="compare-b"
          label="Second photo"
          url={urlB}
          error={errors.b}
          acceptPaste={Boolean(fileA)}
          onFile={take('b')}
          onReject={(m) => setErrors((e) => ({ ...e, b: m }))}
        />
        <CaseFields
          caseNumber={caseNumber}
          purpose={purpose}
          purposes={purposes.data ?? []}
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
        <button type="submit" disabled={busy} style={{ width: '100%' }}>
          {busy ? 'Comparing…' : 'Compare'}
        </button>
        <p class="small muted" style={{ marginBottom: 0 }}>
          The comparison, its case number and purpose are recorded in your organisation’s audit log. The
          largest face of each photo is compared.
        </p>
      </form>

      <section class="results-region" aria-live="polite" aria-busy={busy} aria-label="Comparison">
        {failure ? <RunFailure failure={failure} what="comparison" /> : null}
        {result ? (
          <div class="panel" data-testid="compare-result" data-match={String(result.match)}>
            <LeadNotice />
            <div class="compare-pair">
              <figure>
                <FaceCropCanvas url={urlA} face={result.faces.a} label="First face" testId="compare-crop-a" />
                <figcaption>First photo</figcaption>
              </figure>
              <div class="compare-score">
                <span class="value" data-testid="compare-similarity">
                  {formatSimilarity(result.similarity)}
                </span>
                <span class="muted small">similarity</span>
              </div>
              <figure>
                <FaceCropCanvas
                  url={urlB}
                  face={result.faces.b}
                  label="Second face"
                  testId="compare-crop-b"
                />
                <figcaption>Second photo</figcaption>
              </figure>
            </div>
            <p data-testid="compare-verdict">
              {result.match ? <strong>The faces may be the same person</strong> : <strong>No match</strong>} —
              similarity {formatSimilarity(result.similarity)} against the 1:1 threshold{' '}
              {formatSimilarity(result.threshold)} (at most 1 in 1,000 pairs of different people reach it).
            </p>
            <p class="small muted">
              Case <strong>{result.caseNumber}</strong> · recorded as search{' '}
              <a href={`/searches/${encodeURIComponent(result.searchId)}`}>{result.searchId.slice(0, 8)}</a>
            </p>
          </div>
        ) : (
          <div class="panel muted" style={{ minHeight: '12rem' }}>
            <h2>The comparison appears here</h2>
            <p class="small">Add two photos, the case number and the purpose, then compare.</p>
          </div>
        )}
      </section>
    </div>
  );
}
