/**
 * Confirms an erasure and asks why, from the fixed list the audit log accepts (no free text that
 * could carry a name), with an optional ticket or letter reference.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from '../api/client.js';

export const ERASURE_REASONS = [
  ['data-subject-request', 'Data subject request'],
  ['legal-basis-ended', 'Legal basis ended'],
  ['wrongly-ingested', 'Wrongly ingested'],
  ['data-quality', 'Data quality'],
  ['other', 'Other'],
] as const;

export interface EraseTarget {
  kind: 'image' | 'identity';
  id: string;
  label: string;
}

export function EraseDialog({
  target,
  onConfirm,
  onClose,
}: {
  target: EraseTarget | null;
  onConfirm: (target: EraseTarget, reason: string, requestRef: string) => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('data-subject-request');
  const [requestRef, setRequestRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (target && !d.open) {
      setError(null);
      setRequestRef('');
      d.showModal();
    }
    if (!target && d.open) d.close();
  }, [target]);

  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="erase-title">
      {target ? (
        <form
          class="dialog-body"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            onConfirm(target, reason, requestRef.trim())
              .then(() => ref.current?.close())
              .catch((err: unknown) => setError(err))
              .finally(() => setBusy(false));
          }}
        >
          <h2 id="erase-title">Erase this {target.kind}?</h2>
          <p>
            <span class="mono">{target.label}</span> and its faces are removed from the database, the search
            index and the thumbnails at once. This cannot be undone and is recorded in the audit log.
          </p>
          <div class="field">
            <label for="erase-reason">Reason</label>
            <select id="erase-reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
              {ERASURE_REASONS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="erase-ref">Request reference (optional)</label>
            <input
              id="erase-ref"
              type="text"
              maxLength={100}
              pattern="[\w.:\/#\-]{1,100}"
              value={requestRef}
              onInput={(e) => setRequestRef(e.currentTarget.value)}
            />
            <span class="hint">
              A ticket or letter number (letters, digits and . : / # - _) — not a name.
            </span>
          </div>
          {error ? (
            <div class="message error" role="alert">
              {messageOf(error)}
            </div>
          ) : null}
          <div class="row">
            <button type="submit" class="danger" disabled={busy}>
              {busy ? 'Erasing…' : `Erase ${target.kind}`}
            </button>
            <button type="button" class="secondary" onClick={() => ref.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
