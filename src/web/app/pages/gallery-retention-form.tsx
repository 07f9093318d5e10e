/** How long a gallery keeps its images, changed in place by its manager (the server audits it). */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import { ErrorMessage } from '../components/common.js';

export function GalleryRetentionForm({
  galleryId,
  retentionDays,
  onSaved,
}: {
  galleryId: string;
  retentionDays: number | null;
  onSaved: () => void;
}) {
  const [value, setValue] = useState(retentionDays === null ? '' : String(retentionDays));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  return (
    <form
      class="row"
      aria-label="Gallery retention"
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setSaved(false);
        api
          .patch(EP.gallery(galleryId), { retentionDays: value.trim() === '' ? null : Number(value) })
          .then(() => {
            setSaved(true);
            onSaved();
          })
          .catch(setError);
      }}
    >
      <div class="field">
        <label for="gallery-retention-days">Keep images for (days; empty: until erased)</label>
        <input
          id="gallery-retention-days"
          type="number"
          min={1}
          max={36500}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="secondary small">
        Save
      </button>
      {saved ? <span class="small muted">Saved.</span> : null}
      <ErrorMessage error={error} />
    </form>
  );
}
