import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { GalleryStore } from './store/gallery-store.js';
import { openIndex } from './vector-index/index-file.js';
import type { VectorIndex } from './vector-index/vector-index.js';

export interface IndexCheck {
  galleryId: string;
  databaseFaces: number;
  indexFaces: number;
  /** Faces in the database the index does not return. */
  missing: number[];
  /** Labels the index holds that no longer exist in the database. */
  extra: number[];
}

/**
 * One vector index per gallery, opened lazily and kept consistent with SQLite, the source of truth.
 * The index file is saved now and then, with a watermark (the highest face label it holds) stored in
 * the database after the file: on open, faces above the watermark are replayed, so a crash between a
 * database commit and an index save loses nothing, and replaying a face twice is harmless.
 */
export class GalleryIndexes {
  private readonly open = new Map<string, VectorIndex>();
  private readonly dirtySince = new Map<string, number>();
  /** Highest label each open index has been given: faces get rising labels and are added in that order. */
  private readonly highestLabel = new Map<string, number>();

  constructor(
    private readonly store: GalleryStore,
    private readonly dir: string,
    private readonly clock: Clock,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(galleryId: string): string {
    return join(this.dir, `${galleryId}.index`);
  }

  get(galleryId: string): VectorIndex {
    const cached = this.open.get(galleryId);
    if (cached) return cached;
    const index = openIndex(this.pathOf(galleryId));
    const watermark = this.store.indexWatermark(galleryId);
    let replayed = 0;
    this.highestLabel.set(galleryId, watermark);
    for (const batch of this.store.faces.embeddingsAfter(galleryId, watermark)) {
      index.add(batch.labels, batch.vectors);
      this.noteLabels(galleryId, batch.labels);
      replayed += batch.labels.length;
    }
    this.open.set(galleryId, index);
    if (replayed > 0) this.dirtySince.set(galleryId, Date.now());
    return index;
  }

  add(galleryId: string, labels: readonly number[], vectors: Float32Array): void {
    this.get(galleryId).add(labels, vectors);
    this.noteLabels(galleryId, labels);
    if (!this.dirtySince.has(galleryId)) this.dirtySince.set(galleryId, Date.now());
  }

  remove(galleryId: string, labels: readonly number[]): void {
    if (labels.length === 0) return;
    this.get(galleryId).remove(labels);
    // Deletions must survive a restart without waiting for the next periodic save.
    this.save(galleryId);
  }

  /** Saves indexes changed more than `olderThanMs` ago (0 = every changed one). */
  saveDirty(olderThanMs = 0): void {
    const now = Date.now();
    for (const [galleryId, since] of this.dirtySince) if (now - since >= olderThanMs) this.save(galleryId);
  }

  save(galleryId: string): void {
    const index = this.open.get(galleryId);
    if (!index) return;
    index.save(this.pathOf(galleryId));
    this.store.setIndexWatermark(
      galleryId,
      this.highestLabel.get(galleryId) ?? 0,
      this.clock.now().toISOString(),
    );
    this.dirtySince.delete(galleryId);
  }

  /** Throws the index away and builds it again from the database. */
  rebuild(galleryId: string): number {
    this.open.get(galleryId)?.close();
    this.open.delete(galleryId);
    rmSync(this.pathOf(galleryId), { force: true });
    this.store.setIndexWatermark(galleryId, 0, this.clock.now().toISOString());
    const index = this.get(galleryId);
    this.save(galleryId);
    return index.size();
  }

  private noteLabels(galleryId: string, labels: readonly number[]): void {
    let highest = this.highestLabel.get(galleryId) ?? 0;
    for (const label of labels) if (label > highest) highest = label;
    this.highestLabel.set(galleryId, highest);
  }

  check(galleryId: string): IndexCheck {
    const dbLabels = this.store.faces.labels(galleryId);
    const hasFile = existsSync(this.pathOf(galleryId));
    // Check the saved file as it is on disk, without replaying the database into it first.
    const index = hasFile ? openIndex(this.pathOf(galleryId)) : undefined;
    const indexLabels = new Set(index?.labels() ?? []);
    index?.close();
    const watermark = this.store.indexWatermark(galleryId);
    const dbSet = new Set(dbLabels);
    return {
      galleryId,
      databaseFaces: dbLabels.length,
      indexFaces: indexLabels.size,
      // Faces above the watermark are replayed on open, so only those below it count as missing.
      missing: dbLabels.filter((l) => l <= watermark && !indexLabels.has(l)),
      extra: [...indexLabels].filter((l) => !dbSet.has(l)),
    };
  }

  drop(galleryId: string): void {
    this.open.get(galleryId)?.close();
    this.open.delete(galleryId);
    this.dirtySince.delete(galleryId);
    this.highestLabel.delete(galleryId);
    rmSync(this.pathOf(galleryId), { force: true });
  }

  close(): void {
    this.saveDirty();
    for (const index of this.open.values()) index.close();
    this.open.clear();
  }
}
