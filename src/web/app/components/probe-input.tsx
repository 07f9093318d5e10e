/**
 * Where the probe photo comes from: dropped on the zone, pasted from the clipboard (anywhere on the
 * page, as long as the clipboard holds an image), or chosen with the file picker.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

const IMAGE_TYPES = /^image\/(jpeg|png|webp|gif|bmp|tiff|avif)$/;

function firstImage(files: FileList | null | undefined): File | null {
  if (!files) return null;
  for (const f of Array.from(files))
    if (IMAGE_TYPES.test(f.type) || /\.(jpe?g|png|webp)$/i.test(f.name)) return f;
  return null;
}

export function ProbeInput({
  onFile,
  onReject,
  label = 'Probe photo',
  id = 'probe-file',
  acceptPaste = true,
}: {
  onFile: (file: File) => void;
  onReject: (message: string) => void;
  label?: string;
  id?: string;
  /** With two inputs on a page, only one may take a pasted image. */
  acceptPaste?: boolean;
}) {
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const onFileRef = useRef(onFile);
  onFileRef.current = onFile;

  useEffect(() => {
    if (!acceptPaste) return;
    const onPaste = (event: ClipboardEvent) => {
      const items = event.clipboardData?.items;
      if (!items) return;
      for (const item of Array.from(items)) {
        if (item.kind === 'file' && item.type.startsWith('image/')) {
          const file = item.getAsFile();
          if (file) {
            event.preventDefault();
            onFileRef.current(new File([file], file.name || 'pasted-image.png', { type: file.type }));
            return;
          }
        }
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [acceptPaste]);

  const take = (files: FileList | null | undefined) => {
    const file = firstImage(files);
    if (file) onFile(file);
    else if (files && files.length > 0) onReject('That file is not a photo. Use a JPEG, PNG or WebP image.');
  };

  return (
    <section
      class={`dropzone${dragging ? ' dragging' : ''}`}
      aria-labelledby={`${id}-label`}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        take(e.dataTransfer?.files);
      }}
    >
      <div id={`${id}-label`} class="label">
        <strong>{label}</strong>
      </div>
      <p class="small">Drop a photo here, paste it (Ctrl+V), or</p>
      <input
        id={id}
        ref={inputRef}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        hidden
        onChange={(e) => {
          take(e.currentTarget.files);
          e.currentTarget.value = '';
        }}
      />
      <button id={`${id}-button`} type="button" class="secondary" onClick={() => inputRef.current?.click()}>
        Choose a photo…
      </button>
    </section>
  );
}
