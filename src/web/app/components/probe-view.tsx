/**
 * The probe photo with every detected face boxed. The face searched with is highlighted; the others
 * are buttons that search again with that face. The stage has a fixed height so nothing below it moves
 * when the photo or the boxes arrive.
 */
import { useState } from 'preact/hooks';
import type { FaceView } from '../api/types.js';

export function ProbeView({
  url,
  faces,
  selected,
  onSelect,
  busy,
  placeholder = 'No photo yet',
}: {
  placeholder?: string;
  url: string | null;
  faces: readonly FaceView[];
  selected: number | null;
  onSelect?: ((index: number) => void) | undefined;
  busy?: boolean;
}) {
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  if (!url)
    return (
      <div class="probe-stage empty" data-testid="probe-stage">
        {placeholder}
      </div>
    );
  return (
    <div class="probe-stage" data-testid="probe-stage">
      <div class="probe-frame">
        <img
          src={url}
          alt="Probe"
          data-testid="probe-image"
          onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
        />
        {size
          ? faces.map((f, i) => {
              const [x, y, w, h] = f.box;
              const isSelected = i === selected;
              const style = {
                left: `${(x / size.w) * 100}%`,
                top: `${(y / size.h) * 100}%`,
                width: `${(w / size.w) * 100}%`,
                height: `${(h / size.h) * 100}%`,
              };
              const label = `Face ${i + 1} of ${faces.length}${isSelected ? ' (searched)' : ''}`;
              return (
                <button
                  key={i}
                  type="button"
                  class={`face-box${isSelected ? ' selected' : ''}`}
                  style={style}
                  aria-label={isSelected || !onSelect ? label : `${label}: search with this face`}
                  aria-pressed={isSelected}
                  data-face={i}
                  disabled={busy || !onSelect}
                  onClick={() => {
                    if (!isSelected) onSelect?.(i);
                  }}
                >
                  {faces.length > 1 || isSelected ? <span class="face-tag">{i + 1}</span> : null}
                </button>
              );
            })
          : null}
      </div>
    </div>
  );
}
