/** A face cut from a photo already in the browser, levelled, on a canvas (see face-crop.ts). */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FaceView } from '../api/types.js';
import { drawFaceCrop, loadImage } from '../face-crop.js';

export function FaceCropCanvas({
  url,
  face,
  label,
  testId,
  missing = 'The photo is no longer kept.',
}: {
  url: string | null;
  face: FaceView | undefined;
  label: string;
  testId?: string;
  missing?: string;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(!url || !face);
  useEffect(() => {
    setFailed(!url || !face);
    if (!url || !face) return;
    let live = true;
    loadImage(url)
      .then((img) => {
        if (live && canvasRef.current) drawFaceCrop(canvasRef.current, img, face);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [url, face]);
  if (failed)
    return (
      <div
        class="compare-missing muted small"
        style={{ width: 240, height: 240, display: 'grid', placeItems: 'center' }}
      >
        {missing}
      </div>
    );
  return (
    <canvas ref={canvasRef} width={240} height={240} role="img" aria-label={label} data-testid={testId} />
  );
}
