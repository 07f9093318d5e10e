import { FaceLedgerError } from '../core/errors.js';
import { type IngestProgress, runIngest } from '../gallery/ingest/ingest-job.js';
import { DEFAULT_QUALITY_FILTER, type QualityFilter } from '../gallery/ingest/quality-filter.js';
import { openSource } from '../gallery/sources/open-source.js';
import type { GalleryStats } from '../gallery/store/galleries-repo.js';
import type { Gallery, IngestItem, IngestJob } from '../gallery/store/records.js';
import { checkGalleryName } from '../tenancy/index.js';
import type { FaceLedgerApp } from './app.js';
import { suppressionListFor } from './opt-out/suppression-list.js';

export interface CreateGalleryInput {
  name: string;
  legalBasis: string;
  description?: string;
  sourceDescription?: string;
  retentionDays?: number | null;
  createdBy: string;
}

export interface IngestInput {
  gallery: string;
  source: string;
  createdBy: string;
  quality?: QualityFilter;
  onProgress?: (p: IngestProgress) => void;
  onTotal?: (items: number) => void;
}

/** Galleries and what goes into them: create, list, ingest, inspect jobs, erase. */
export class GalleryService {
  constructor(private readonly app: FaceLedgerApp) {}

  /** A platform gallery (no org owns it): the CLI operator's. Org galleries come from OrgGalleryService. */
  create(input: CreateGalleryInput): Gallery {
    const name = input.name.trim();
    return this.app.store.transaction(() => {
      checkGalleryName(this.app.store.db, null, name);
      return this.createUnchecked({ ...input, name });
    });
  }

  /** The row alone, for a caller that checked the name for its owner in the same transaction. */
  createUnchecked(input: CreateGalleryInput): Gallery {
    if (!input.legalBasis.trim()) {
      throw new FaceLedgerError(
        'BAD_INPUT',
        'A gallery needs a legal basis: why the organisation may hold these images.',
      );
    }
    return this.app.store.galleries.create({
      name: input.name,
      legalBasis: input.legalBasis.trim(),
      description: input.description ?? '',
      sourceDescription: input.sourceDescription ?? '',
      retentionDays: input.retentionDays ?? null,
      createdBy: input.createdBy,
      createdAt: this.app.clock.now().toISOString(),
    });
  }

  list(): GalleryStats[] {
    return this.app.store.galleries.list();
  }

  get(nameOrId: string): Gallery {
    return this.app.store.galleries.get(nameOrId);
  }

  async ingest(input: IngestInput): Promise<IngestJob> {
    const gallery = this.get(input.gallery);
    const source = await openSource(input.source);
    const pool = await this.app.pool();
    return runIngest(
      { store: this.app.store, indexes: this.app.indexes, pool, clock: this.app.clock },
      {
        gallery,
        source,
        createdBy: input.createdBy,
        quality: input.quality ?? DEFAULT_QUALITY_FILTER,
        suppressed: suppressionListFor(this.app.store.db, this.app.vault).suppresses,
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
        ...(input.onTotal ? { onTotal: input.onTotal } : {}),
      },
    );
  }

  jobs(gallery?: string): IngestJob[] {
    return this.app.store.jobs.list(gallery ? this.get(gallery).id : undefined);
  }

  job(id: string): { job: IngestJob; problems: IngestItem[] } {
    const job = this.app.store.jobs.get(id);
    if (!job) throw new FaceLedgerError('NOT_FOUND', `No ingest job ${id}.`);
    return { job, problems: this.app.store.jobs.items(id, ['error', 'no_face']) };
  }

  /** Erases one image with its faces and thumbnails from the database and the index at once. */
  deleteImage(imageId: string): { faces: number } {
    const image = this.app.store.images.get(imageId);
    if (!image) throw new FaceLedgerError('NOT_FOUND', `No image ${imageId}.`);
    const labels = this.app.store.transaction(() => {
      const removed = this.app.store.images.delete(imageId);
      this.app.store.identities.refreshCounts(image.galleryId);
      return removed;
    });
    this.app.indexes.remove(image.galleryId, labels);
    return { faces: labels.length };
  }

  deleteFace(faceId: string): void {
    const face = this.app.store.faces.get(faceId);
    if (!face) throw new FaceLedgerError('NOT_FOUND', `No face ${faceId}.`);
    this.app.store.transaction(() => {
      this.app.store.faces.delete(faceId);
      this.app.store.identities.refreshCounts(face.galleryId);
    });
    this.app.indexes.remove(face.galleryId, [face.label]);
  }

  thumbnail(faceId: string): Uint8Array {
    const jpeg = this.app.store.faces.thumbnail(faceId);
    if (!jpeg) throw new FaceLedgerError('NOT_FOUND', `No thumbnail for face ${faceId}.`);
    return jpeg;
  }
}
