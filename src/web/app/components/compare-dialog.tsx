/**
 * Side by side: the probe's face (cropped and levelled in the browser from the photo already here)
 * and the candidate's face as the gallery holds it, with the similarity and where it falls against the
 * thresholds. A modal <dialog>: Escape closes it and focus returns to the card it was opened from.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Candidate, FaceView } from '../api/types.js';
import { thumbnailOf } from '../search-links.js';
import { Band, formatSimilarity, LeadNotice } from './common.js';
import { FaceCropCanvas } from './face-crop-canvas.js';

export function CompareDialog({
  candidate,
  probeUrl,
  probeFace,
  thresholds,
  onClose,
}: {
  candidate: Candidate | null;
  probeUrl: string | null;
  probeFace: FaceView | undefined;
  thresholds: { high: number; possible: number };
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (candidate && !dialog.open) dialog.showModal();
    if (!candidate && dialog.open) dialog.close();
  }, [candidate]);

  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="compare-title" data-testid="compare-dialog">
      {candidate ? (
        <div class="dialog-body">
          <div class="spread">
            <h2 id="compare-title" style={{ margin: 0 }}>
              Candidate #{candidate.rank} beside the probe
            </h2>
            <button type="button" class="secondary small" onClick={() => ref.current?.close()}>
              Close
            </button>
          </div>
          <div class="compare-pair">
            <figure>
              <FaceCropCanvas
                url={probeUrl}
                face={probeFace}
                label="Probe face"
                testId="probe-crop"
                missing="The probe photo is no longer kept."
              />
              <figcaption>Probe</figcaption>
            </figure>
            <div class="compare-score">
              <span class="value" data-testid="compare-similarity">
                {formatSimilarity(candidate.similarity)}
              </span>
              <span class="muted small">similarity</span>
              <div style={{ marginTop: '0.4rem' }}>
                <Band confidence={candidate.confidence} />
              </div>
            </div>
            <figure>
              <img
                src={thumbnailOf(candidate)}
                alt={`Candidate ${candidate.rank}`}
                width={240}
                height={240}
              />
              <figcaption>Candidate</figcaption>
            </figure>
          </div>
          <dl class="facts">
            <dt>Subject id</dt>
            <dd>{candidate.subjectId ?? '—'}</dd>
            <dt>Gallery</dt>
            <dd>{candidate.gallery}</dd>
            <dt>Source</dt>
            <dd>
              {/^https?:\/\//i.test(candidate.source) ? (
                <a href={candidate.source} target="_blank" rel="noopener noreferrer">
                  {candidate.source}
                </a>
              ) : (
                <span class="mono">{candidate.source}</span>
              )}
            </dd>
            {candidate.identity ? (
              <>
                <dt>Faces of this subject</dt>
                <dd>{candidate.identity.faces}</dd>
              </>
            ) : null}
            <dt>Thresholds</dt>
            <dd>
              high ≥ {formatSimilarity(thresholds.high)}, possible ≥ {formatSimilarity(thresholds.possible)},
              below is low
            </dd>
          </dl>
          <div style={{ marginTop: '1rem' }}>
            <LeadNotice />
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
