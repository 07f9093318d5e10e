import type { IndexCheck } from '../gallery/gallery-indexes.js';
import type { FaceLedgerApp } from './app.js';

export interface DoctorReport {
  ok: boolean;
  galleries: (IndexCheck & { gallery: string; ok: boolean })[];
}

/** Keeping the vector indexes honest against the database, the source of truth. */
export class MaintenanceService {
  constructor(private readonly app: FaceLedgerApp) {}

  doctor(): DoctorReport {
    const galleries = this.app.store.galleries.list().map((g) => {
      const check = this.app.indexes.check(g.id);
      return { ...check, gallery: g.name, ok: check.missing.length === 0 && check.extra.length === 0 };
    });
    return { ok: galleries.every((g) => g.ok), galleries };
  }

  rebuildIndex(gallery?: string): { gallery: string; faces: number }[] {
    const targets = gallery ? [this.app.store.galleries.get(gallery)] : this.app.store.galleries.list();
    return targets.map((g) => ({ gallery: g.name, faces: this.app.indexes.rebuild(g.id) }));
  }
}
